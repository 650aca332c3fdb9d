package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/hookrelay/hookrelay/shared/auth"
)

func TestHTTPAPIWithJWTAuthorizer(t *testing.T) {
	s := defaultStack(t)
	s.template.HasResourceProperties(str("AWS::ApiGatewayV2::Api"), obj(map[string]interface{}{
		"ProtocolType": "HTTP",
	}))
	s.template.HasResourceProperties(str("AWS::ApiGatewayV2::Authorizer"), obj(map[string]interface{}{
		"AuthorizerType": "JWT",
		"IdentitySource": []interface{}{"$request.header.Authorization"},
		"JwtConfiguration": map[string]interface{}{
			// Comma-separated audience context becomes a list.
			"Audience": []interface{}{"hookrelay-api", "hookrelay-cli"},
			"Issuer":   "https://auth.example.com/",
		},
	}))
}

func TestRoutes(t *testing.T) {
	s := defaultStack(t)
	authorizer := s.id(t, "HttpApi/JwtAuthorizer")
	s.template.HasResourceProperties(str("AWS::ApiGatewayV2::Route"), obj(map[string]interface{}{
		"RouteKey":          "ANY /api/v1/{proxy+}",
		"AuthorizationType": "JWT",
		"AuthorizerId":      ref(authorizer),
	}))
	// The admin API also needs the operator scope; the tenant route needs none.
	s.template.HasResourceProperties(str("AWS::ApiGatewayV2::Route"), obj(map[string]interface{}{
		"RouteKey":            "ANY " + auth.AdminRoute,
		"AuthorizationType":   "JWT",
		"AuthorizerId":        ref(authorizer),
		"AuthorizationScopes": []interface{}{"hookrelay/operator"},
	}))
	s.template.HasResourceProperties(str("AWS::ApiGatewayV2::Route"), obj(map[string]interface{}{
		"RouteKey":            "ANY /api/v1/{proxy+}",
		"AuthorizationScopes": assertions.Match_Absent(),
	}))
	s.template.HasResourceProperties(str("AWS::ApiGatewayV2::Route"), obj(map[string]interface{}{
		"RouteKey":          "GET /openapi.json",
		"AuthorizationType": "NONE",
		"AuthorizerId":      assertions.Match_Absent(),
	}))
	// Every route but the OpenAPI document and the portal's pages (cookie
	// sessions, TestPortalRoutes) requires the authorizer.
	for id, p := range s.ofType("AWS::ApiGatewayV2::Route") {
		if p["RouteKey"] != "GET /openapi.json" && !portalRouteKeys[fmt.Sprint(p["RouteKey"])] && p["AuthorizationType"] != "JWT" {
			t.Errorf("route %s (%v) is not behind the JWT authorizer", id, p["RouteKey"])
		}
	}
	// Both routes reach the api function through a proxy integration.
	api := s.id(t, "ApiFunction")
	s.template.HasResourceProperties(str("AWS::ApiGatewayV2::Integration"), obj(map[string]interface{}{
		"IntegrationType":      "AWS_PROXY",
		"IntegrationUri":       getAtt(api, "Arn"),
		"PayloadFormatVersion": "2.0",
	}))
	s.template.HasResourceProperties(str("AWS::Lambda::Permission"), obj(map[string]interface{}{
		"Action":       "lambda:InvokeFunction",
		"FunctionName": getAtt(api, "Arn"),
		"Principal":    "apigateway.amazonaws.com",
	}))
}

func TestStageThrottlingAndAccessLogs(t *testing.T) {
	s := defaultStack(t)
	logs := s.id(t, "ApiAccessLogs")
	s.template.HasResourceProperties(str("AWS::ApiGatewayV2::Stage"), obj(map[string]interface{}{
		"StageName":  "$default",
		"AutoDeploy": true,
		"DefaultRouteSettings": map[string]interface{}{
			"ThrottlingRateLimit":  50,
			"ThrottlingBurstLimit": 100,
		},
		"AccessLogSettings": map[string]interface{}{
			"DestinationArn": getAtt(logs, "Arn"),
			"Format":         assertions.Match_StringLikeRegexp(str(`\$context\.requestId`)),
		},
	}))
	if r := s.props(t, logs)["RetentionInDays"]; num(r) <= 0 {
		t.Errorf("access log group retention = %v, want a finite retention", r)
	}
	format := s.props(t, s.id(t, "Stage"))["AccessLogSettings"].(map[string]interface{})["Format"].(string)
	for _, secret := range []string{"header.Authorization", "requestBody", "$input"} {
		if strings.Contains(format, secret) {
			t.Errorf("access log format logs %s", secret)
		}
	}
}

func TestStageNameFromContext(t *testing.T) {
	s := synth(t, map[string]interface{}{CtxStageName: "prod", CtxAPIRateLimit: "7"})
	s.template.HasResourceProperties(str("AWS::ApiGatewayV2::Stage"), obj(map[string]interface{}{
		"StageName":            "prod",
		"DefaultRouteSettings": obj(map[string]interface{}{"ThrottlingRateLimit": 7}),
	}))
	// ${ApiUrl}api/v1/... must reach the stage: its URL has no trailing "/".
	outputs := s.template.FindOutputs(str("ApiUrl"), nil)
	if url := jsonOf((*outputs)["ApiUrl"]); !contains(url, `/prod/"`) {
		t.Errorf("ApiUrl %s does not end in /prod/", url)
	}
}
