// Package auth turns a request into the tenant it acts for. In AWS the HTTP
// API's JWT authorizer has already validated the token and the Lambda only
// reads its claims (LambdaClaims); in dev mode the API validates tokens
// itself with a local signing key (DevJWT).
package auth

import (
	"errors"
	"net/http"
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

// principal builds a Principal from a claim lookup that returns every
// value of a claim (a string claim has one, an array claim several).
func (n ClaimNames) principal(claim func(name string) []string) (Principal, error) {
	orgs := claim(n.OrgClaim)
	if len(orgs) != 1 || !validOrg(orgs[0]) {
		return Principal{}, unauthenticated("token has no valid " + n.OrgClaim + " claim")
	}
	p := Principal{OrgID: orgs[0]}
	if subs := claim("sub"); len(subs) == 1 {
		p.Subject = subs[0]
	}
	if n.OperatorClaim != "" && n.OperatorValue != "" {
		for _, v := range claim(n.OperatorClaim) {
			if v == n.OperatorValue {
				p.Operator = true
			}
		}
	}
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
