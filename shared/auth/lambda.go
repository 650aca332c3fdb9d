package auth

import (
	"net/http"
	"strings"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/hookrelay/hookrelay/shared/config"
)

// AdminRoute is the API Gateway route path of the admin API. The stack
// requires the operator scope on it, and LambdaClaims grants the operator
// role only on requests API Gateway matched to it: an operator needs both
// the scope (checked by API Gateway) and the operator claim (checked here),
// and a path the two routers might read differently cannot reach the admin
// API with a tenant route's weaker check.
const AdminRoute = "/api/v1/admin/{proxy+}"

// LambdaClaims reads the claims the HTTP API JWT authorizer put in the
// request context (payload v2). The token itself was validated by API
// Gateway before the Lambda ran, so nothing is verified here: a request
// without authorizer claims (a misconfigured route) is refused. Its
// fields are the claim names it reads.
type LambdaClaims ClaimNames

// NewLambdaClaims takes the claim names from configuration.
func NewLambdaClaims(cfg config.Config) LambdaClaims { return LambdaClaims(NewClaimNames(cfg)) }

// Authenticate implements Authenticator.
func (l LambdaClaims) Authenticate(r *http.Request) (Principal, error) {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
	if !ok || rc.Authorizer == nil || rc.Authorizer.JWT == nil {
		return Principal{}, Unauthenticated("no authorizer claims in request context")
	}
	claims := rc.Authorizer.JWT.Claims
	p, err := ClaimNames(l).Principal(func(name string) ClaimValue { return gatewayClaim(claims, name) })
	if _, path, _ := strings.Cut(rc.RouteKey, " "); path != AdminRoute {
		p.Operator = false
	}
	return p, err
}

// gatewayClaim reads a claim as the HTTP API JWT authorizer passes it:
// every value flattened to a string, an array ["a","b"] as "[a b]", its
// elements joined by single spaces with nothing escaped. So "[a b]" may be
// ["a","b"] or the one element "a b" (a role "not an operator" arrives as
// "[not an operator]"), and such a list is unreadable: it matches nothing.
// A bracketed value without a space is the list of that one element. Any
// other value is a string claim. Refusing the ambiguous lists is the price
// of never granting on them: operators carry the role as a string claim or
// as the only element of a list (see README, "Security").
func gatewayClaim(claims map[string]string, name string) ClaimValue {
	v := claims[name]
	if len(v) < 2 || v[0] != '[' || v[len(v)-1] != ']' {
		return StringClaim(v)
	}
	switch inner := v[1 : len(v)-1]; {
	case inner == "":
		return ListClaim([]string{})
	case strings.Contains(inner, " "):
		return ClaimValue{}
	default:
		return ListClaim([]string{inner})
	}
}
