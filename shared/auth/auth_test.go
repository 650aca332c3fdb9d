package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/hookrelay/hookrelay/shared/auth"
	"github.com/hookrelay/hookrelay/shared/config"
)

// lambdaRequest builds a request the way the api Lambda receives it: the
// api-proxy core package converts an HTTP API v2 event and puts its
// request context (with the authorizer's claims and the matched route) in
// the context.
func lambdaRequest(t *testing.T, routeKey string, authorizer *events.APIGatewayV2HTTPRequestContextAuthorizerDescription) *http.Request {
	t.Helper()
	ev := events.APIGatewayV2HTTPRequest{
		RouteKey: routeKey,
		RawPath:  "/api/v1/admin/dlq",
		Headers:  map[string]string{"authorization": "Bearer whatever"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:   routeKey,
			DomainName: "api.example.com",
			HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/api/v1/admin/dlq"},
			Authorizer: authorizer,
		},
	}
	var acc core.RequestAccessorV2
	r, err := acc.EventToRequestWithContext(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Route keys as API Gateway reports them for the stack's JWT routes, and
// for its catch-all route, which has no authorizer.
const (
	adminRouteKey   = "ANY " + auth.AdminRoute
	tenantRouteKey  = "ANY /api/v1/{proxy+}"
	defaultRouteKey = "$default"
)

func jwtClaims(claims map[string]string) *events.APIGatewayV2HTTPRequestContextAuthorizerDescription {
	return &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
	}
}

func TestLambdaClaims(t *testing.T) {
	lc := auth.NewLambdaClaims(config.Defaults())
	p, err := lc.Authenticate(lambdaRequest(t, tenantRouteKey, jwtClaims(map[string]string{"org_id": "org_abc", "sub": "user-1"})))
	if err != nil || p.OrgID != "org_abc" || p.Subject != "user-1" || p.Operator {
		t.Fatalf("%+v %v", p, err)
	}

	custom := auth.LambdaClaims{OrgClaim: "custom:org", OperatorClaim: "groups", OperatorValue: "ops"}
	p, err = custom.Authenticate(lambdaRequest(t, adminRouteKey, jwtClaims(map[string]string{"custom:org": "org_c", "groups": "ops"})))
	if err != nil || p.OrgID != "org_c" || !p.Operator {
		t.Fatalf("custom claims: %+v %v", p, err)
	}

	for name, r := range map[string]*http.Request{
		"no org claim":       lambdaRequest(t, tenantRouteKey, jwtClaims(map[string]string{"sub": "user-1"})),
		"org under another":  lambdaRequest(t, tenantRouteKey, jwtClaims(map[string]string{"tenant": "org_abc"})),
		"org as a list":      lambdaRequest(t, tenantRouteKey, jwtClaims(map[string]string{"org_id": "[org_abc]"})),
		"org with #":         lambdaRequest(t, tenantRouteKey, jwtClaims(map[string]string{"org_id": "a#b/c"})),
		"no authorizer":      lambdaRequest(t, tenantRouteKey, nil),
		"$default route":     lambdaRequest(t, defaultRouteKey, nil),
		"lambda authorizer":  lambdaRequest(t, tenantRouteKey, &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: map[string]any{"org_id": "org_abc"}}),
		"not through lambda": httptest.NewRequest(http.MethodGet, "/api/v1/event-types", nil),
	} {
		if _, err := lc.Authenticate(r); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("%s: %v, want ErrUnauthenticated", name, err)
		}
	}
}

// The role claim exactly as the HTTP API JWT authorizer puts it in
// requestContext.authorizer.jwt.claims: strings, and arrays flattened to
// "[" + elements joined by single spaces + "]" with nothing escaped.
func TestLambdaOperatorClaimShapes(t *testing.T) {
	lc := auth.NewLambdaClaims(config.Defaults())
	cases := []struct {
		token    string // the token's role claim, as JSON
		flat     string // what API Gateway passes
		operator bool
	}{
		{`"operator"`, "operator", true},
		{`["operator"]`, "[operator]", true},
		{`"not an operator"`, "not an operator", false},
		{`["not an operator"]`, "[not an operator]", false},
		{`["Billing operator"]`, "[Billing operator]", false},
		{`["operator x"]`, "[operator x]", false},
		{`["billing","operator"]`, "[billing operator]", false}, // indistinguishable from ["billing operator"]
		{`["operator","operator"]`, "[operator operator]", false},
		{`[" operator"]`, "[ operator]", false},
		{`["operators"]`, "[operators]", false},
		{`"operators"`, "operators", false},
		{`"Operator"`, "Operator", false},
		{`"operator]"`, "operator]", false},
		{`"[operator"`, "[operator", false},
		{`[]`, "[]", false},
		{`""`, "", false},
		{`[["operator"]]`, "[[operator]]", false},
	}
	for _, c := range cases {
		p, err := lc.Authenticate(lambdaRequest(t, adminRouteKey, jwtClaims(map[string]string{"org_id": "org_abc", "role": c.flat})))
		if err != nil || p.Operator != c.operator {
			t.Errorf("role %s (flattened %q): operator=%v err=%v, want operator=%v", c.token, c.flat, p.Operator, err, c.operator)
		}
	}
	// The role counts only where API Gateway enforced the operator scope.
	p, err := lc.Authenticate(lambdaRequest(t, tenantRouteKey, jwtClaims(map[string]string{"org_id": "org_abc", "role": "operator"})))
	if err != nil || p.Operator {
		t.Fatalf("operator claim on a tenant route: %+v %v", p, err)
	}
	// The catch-all route has no authorizer; were claims ever to reach the
	// function through it, they would still grant no operator role.
	p, err = lc.Authenticate(lambdaRequest(t, defaultRouteKey, jwtClaims(map[string]string{"org_id": "org_abc", "role": "operator"})))
	if err != nil || p.Operator {
		t.Fatalf("operator claim on the $default route: %+v %v", p, err)
	}
}
