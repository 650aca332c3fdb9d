// Package auth turns a request into the tenant it acts for. In AWS the HTTP
// API's JWT authorizer has already validated the token and the Lambda only
// reads its claims (LambdaClaims); in dev mode the API validates tokens
// itself with a local signing key (DevJWT).
package auth

import (
	"errors"
	"net/http"
	"slices"
	"strings"
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

func unauthenticated(reason string) error {
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

// claimValue is one claim of a validated token as the caller can know it:
// a string, or a list of strings whose elements are known exactly. A claim
// of another type, or a list whose elements cannot be told apart (see
// gatewayClaim), is neither and matches nothing.
type claimValue struct {
	str   string
	isStr bool
	list  []string
}

// has reports whether the claim is the string v or a list with v as an element.
func (c claimValue) has(v string) bool {
	return c.isStr && c.str == v || slices.Contains(c.list, v)
}

// principal builds a Principal from a claim lookup. The org must be a
// string claim; the operator role is granted only on an exact match.
func (n ClaimNames) principal(claim func(name string) claimValue) (Principal, error) {
	org := claim(n.OrgClaim)
	if !org.isStr || !validOrg(org.str) {
		return Principal{}, unauthenticated("token has no valid " + n.OrgClaim + " claim")
	}
	p := Principal{OrgID: org.str}
	if sub := claim("sub"); sub.isStr {
		p.Subject = sub.str
	}
	p.Operator = n.OperatorClaim != "" && n.OperatorValue != "" && claim(n.OperatorClaim).has(n.OperatorValue)
	return p, nil
}

// validOrg accepts org ids usable in every key that embeds them: DynamoDB
// keys join parts with '#', and Secrets Manager names (the secrets adapter
// allows exactly these characters) separate them with '/'. A token whose
// org fails here is refused rather than failing later with a 500.
func validOrg(org string) bool {
	if org == "" || len(org) > 128 {
		return false
	}
	for _, c := range org {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == '-' || c == '.' || c == '@' || c == '+' || c == '=') {
			return false
		}
	}
	return true
}

// bearerToken extracts the token of an "Authorization: Bearer ..." header.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
