// Package auth turns a request into the tenant it acts for. In AWS the HTTP
// API's JWT authorizer has already validated the token and the Lambda only
// reads its claims (LambdaClaims); in dev mode the API validates tokens
// itself with a local signing key (package devauth, never in a Lambda).
package auth

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/ids"
)

// Principal is the authenticated caller.
type Principal struct {
	OrgID    string
	Subject  string
	Operator bool // may use the admin API
}

// Authenticator identifies the caller of a request.
type Authenticator interface {
	Authenticate(r *http.Request) (Principal, error)
}

// ErrUnauthenticated is wrapped by every authentication failure. The
// wrapped messages name the reason (missing, expired, no org claim) but
// never carry the token.
var ErrUnauthenticated = errors.New("unauthenticated")

// Unauthenticated returns an error wrapping ErrUnauthenticated with reason
// as its text.
func Unauthenticated(reason string) error {
	return &authError{reason: reason}
}

type authError struct{ reason string }

func (e *authError) Error() string { return e.reason }
func (e *authError) Unwrap() error { return ErrUnauthenticated }

// ClaimNames says which claims carry the org and the operator role.
type ClaimNames struct {
	OrgClaim      string
	OperatorClaim string
	OperatorValue string
}

// ClaimValue is one claim of a validated token as the caller can know it:
// a string, or a list of strings whose elements are known exactly. A claim
// of another type, or a list whose elements cannot be told apart (see
// gatewayClaim), is neither and matches nothing.
// The zero ClaimValue is such a claim.
type ClaimValue struct {
	str   string
	isStr bool
	list  []string
}

// StringClaim is a string claim; "" is no claim.
func StringClaim(s string) ClaimValue { return ClaimValue{str: s, isStr: s != ""} }

// ListClaim is a list of strings known element by element.
func ListClaim(list []string) ClaimValue { return ClaimValue{list: list} }

// has reports whether the claim is the string v or a list with v as an element.
func (c ClaimValue) has(v string) bool {
	return c.isStr && c.str == v || slices.Contains(c.list, v)
}

// NewClaimNames takes the claim names from configuration.
func NewClaimNames(cfg config.Config) ClaimNames {
	return ClaimNames{OrgClaim: cfg.OrgClaim, OperatorClaim: cfg.OperatorClaim, OperatorValue: cfg.OperatorValue}
}

// Principal builds a Principal from a claim lookup. The org must be a
// string claim; the operator role is granted only on an exact match.
func (n ClaimNames) Principal(claim func(name string) ClaimValue) (Principal, error) {
	org := claim(n.OrgClaim)
	switch {
	case !org.isStr:
		return Principal{}, Unauthenticated("token has no " + n.OrgClaim + " claim (a string holding the organization id)")
	case !ids.ValidOrg(org.str):
		// A token whose org fails here is refused rather than failing
		// later in a store key with a 500.
		return Principal{}, Unauthenticated("token's " + n.OrgClaim + " claim is not a valid organization id (" + ids.OrgRule + ")")
	}
	p := Principal{OrgID: org.str}
	if sub := claim("sub"); sub.isStr {
		p.Subject = sub.str
	}
	p.Operator = n.OperatorClaim != "" && n.OperatorValue != "" && claim(n.OperatorClaim).has(n.OperatorValue)
	return p, nil
}

// BearerToken extracts the token of an "Authorization: Bearer ..." header.
func BearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
