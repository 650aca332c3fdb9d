package main

import (
	"reflect"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
)

// portalRouteKeys are the tenant portal's routes: served without the JWT
// authorizer, because the portal's pages use the session cookie.
// The catch-all $default route is one of them: it takes GET /portal/ (the
// list page) to the function whether or not API Gateway matches the empty
// greedy segment to /portal/{proxy+}.
var portalRouteKeys = map[string]bool{
	"GET /portal/{proxy+}": true, "POST /portal/{proxy+}": true,
	"GET /portal": true, "POST /portal": true,
	"$default": true,
}

func TestPortalRoutes(t *testing.T) {
	s := defaultStack(t)
	found := map[string]bool{}
	var apiTarget interface{}
	for _, p := range s.ofType("AWS::ApiGatewayV2::Route") {
		key, _ := p["RouteKey"].(string)
		if key == "ANY /api/v1/{proxy+}" {
			apiTarget = p["Target"]
		}
		if !portalRouteKeys[key] {
			continue
		}
		found[key] = true
		if p["AuthorizationType"] != "NONE" || p["AuthorizerId"] != nil {
			t.Errorf("%s: authorization %v / %v, want none (cookie sessions)", key, p["AuthorizationType"], p["AuthorizerId"])
		}
		defer func(key string, target interface{}) {
			if !reflect.DeepEqual(target, apiTarget) {
				t.Errorf("%s targets %v, want the api function's integration %v", key, target, apiTarget)
			}
		}(key, p["Target"])
	}
	if len(found) != len(portalRouteKeys) {
		t.Errorf("portal routes %v, want %v", found, portalRouteKeys)
	}
	// POST /api/v1/organization/portal-sessions is one of the JWT routes
	// (TestRoutes): no route of its own may bypass the authorizer.
	for _, p := range s.ofType("AWS::ApiGatewayV2::Route") {
		if key, _ := p["RouteKey"].(string); key != "ANY /api/v1/{proxy+}" && p["AuthorizationType"] != "JWT" &&
			!portalRouteKeys[key] && key != "GET /openapi.json" {
			t.Errorf("route %s bypasses the authorizer", key)
		}
	}
}

func TestPortalBrandReachesTheAPIFunction(t *testing.T) {
	s := synth(t, map[string]interface{}{
		CtxJWTIssuer:            "https://auth.example.com/",
		CtxHeaderPrefix:         "Acme",
		CtxPortalProductName:    "Acme CRM",
		CtxPortalAccentColor:    "#0a7f5a",
		CtxPortalLogoURL:        "https://cdn.acme.example/logo.svg",
		CtxPortalFrameAncestors: []interface{}{"https://app.acme.example", "https://*.acme.example"},
	})
	s.template.HasResourceProperties(str("AWS::Lambda::Function"), obj(map[string]interface{}{
		"Environment": map[string]interface{}{"Variables": assertions.Match_ObjectLike(&map[string]interface{}{
			"HOOKRELAY_HEADER_PREFIX":          "Acme",
			"HOOKRELAY_PORTAL_PRODUCT_NAME":    "Acme CRM",
			"HOOKRELAY_PORTAL_ACCENT_COLOR":    "#0a7f5a",
			"HOOKRELAY_PORTAL_LOGO_URL":        "https://cdn.acme.example/logo.svg",
			"HOOKRELAY_PORTAL_FRAME_ANCESTORS": "https://app.acme.example,https://*.acme.example",
		})},
	}))
}
