package auth

import (
	"net/http"
	"strings"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/hookrelay/hookrelay/shared/config"
)

// LambdaClaims reads the claims the HTTP API JWT authorizer put in the
// request context (payload v2). The token itself was validated by API
// Gateway before the Lambda ran, so nothing is verified here: a request
// without authorizer claims (a misconfigured route) is refused.
type LambdaClaims struct {
	OrgClaim      string
	OperatorClaim string
	OperatorValue string
}

// NewLambdaClaims takes the claim names from configuration.
func NewLambdaClaims(cfg config.Config) LambdaClaims {
	return LambdaClaims{OrgClaim: cfg.OrgClaim, OperatorClaim: cfg.OperatorClaim, OperatorValue: cfg.OperatorValue}
}

// Authenticate implements Authenticator.
func (l LambdaClaims) Authenticate(r *http.Request) (Principal, error) {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
	if !ok || rc.Authorizer == nil || rc.Authorizer.JWT == nil {
		return Principal{}, unauthenticated("no authorizer claims in request context")
	}
	claims := rc.Authorizer.JWT.Claims
	names := ClaimNames{OrgClaim: l.OrgClaim, OperatorClaim: l.OperatorClaim, OperatorValue: l.OperatorValue}
	return names.principal(func(name string) []string { return gatewayClaim(claims, name) })
}

// gatewayClaim returns a claim's values. API Gateway flattens every claim
// to a string; an array claim such as ["operator","billing"] arrives as
// "[operator billing]".
func gatewayClaim(claims map[string]string, name string) []string {
	v, ok := claims[name]
	if !ok || v == "" {
		return nil
	}
	if inner, isList := strings.CutPrefix(v, "["); isList {
		if inner, isList = strings.CutSuffix(inner, "]"); isList {
			return strings.Fields(inner)
		}
	}
	return []string{v}
}
