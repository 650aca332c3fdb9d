package main

import (
	"encoding/json"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/hookrelay/hookrelay/shared/auth"
)

// Route paths served by the api function.
const (
	routeAPI     = "/api/v1/{proxy+}"
	routeOpenAPI = "/openapi.json"
	// The tenant portal's pages (shared/portal): they authenticate with the
	// portal session cookie, which the function checks, so no authorizer.
	routePortal     = "/portal/{proxy+}"
	routePortalRoot = "/portal"
)

// accessLogFormat is one JSON line per request. No request bodies or tokens:
// the authorizer's error and the caller's subject are enough to debug 401s.
var accessLogFormat = func() string {
	b, _ := json.Marshal(map[string]string{
		"requestId":        "$context.requestId",
		"ip":               "$context.identity.sourceIp",
		"requestTime":      "$context.requestTime",
		"httpMethod":       "$context.httpMethod",
		"routeKey":         "$context.routeKey",
		"path":             "$context.path",
		"status":           "$context.status",
		"responseLength":   "$context.responseLength",
		"latency":          "$context.responseLatency",
		"integrationError": "$context.integrationErrorMessage",
		"authorizerError":  "$context.authorizer.error",
		"sub":              "$context.authorizer.claims.sub",
	})
	return string(b)
}()

// addAPI creates the HTTP API. Tenants authenticate with a JWT from the
// configured issuer (API Gateway validates signature, issuer, audience and
// expiry before the function runs); only the OpenAPI document is public.
func (h *hookrelay) addAPI() {
	s := h.settings
	h.httpAPI = awsapigatewayv2.NewHttpApi(h.stack, jsii.String("HttpApi"), &awsapigatewayv2.HttpApiProps{
		Description: jsii.String("hookrelay tenant API"),
		// Our own stage below carries throttling and access logs.
		CreateDefaultStage: jsii.Bool(false),
	})

	h.accessLogs = awslogs.NewLogGroup(h.stack, jsii.String("ApiAccessLogs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_THREE_MONTHS,
		RemovalPolicy: h.removal,
	})
	h.stage = awsapigatewayv2.NewHttpStage(h.stack, jsii.String("Stage"), &awsapigatewayv2.HttpStageProps{
		HttpApi:    h.httpAPI,
		StageName:  jsii.String(s.StageName),
		AutoDeploy: jsii.Bool(true),
		// Stage-wide default route throttling protects the table and the
		// account's Lambda concurrency from one noisy tenant.
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit:  jsii.Number(float64(s.APIRateLimit)),
			BurstLimit: jsii.Number(float64(s.APIBurstLimit)),
		},
	})
	// The L2 access-log setting wants a REST-API format object; the L1
	// property takes the HTTP API's $context variables directly.
	h.stage.Node().DefaultChild().(awsapigatewayv2.CfnStage).SetAccessLogSettings(
		&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
			DestinationArn: h.accessLogs.LogGroupArn(),
			Format:         jsii.String(accessLogFormat),
		})

	authorizer := awsapigatewayv2authorizers.NewHttpJwtAuthorizer(jsii.String("JwtAuthorizer"), jsii.String(s.JWTIssuer),
		&awsapigatewayv2authorizers.HttpJwtAuthorizerProps{
			JwtAudience:    jsii.Strings(s.JWTAudience...),
			IdentitySource: jsii.Strings("$request.header.Authorization"),
		})
	integration := awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String("ApiIntegration"), h.api, nil)
	h.httpAPI.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
		Path:        jsii.String(routeAPI),
		Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_ANY},
		Integration: integration,
		Authorizer:  authorizer,
	})
	// The admin API reads every tenant's dead letters: API Gateway also
	// requires the operator scope there, and the function grants the
	// operator role only on requests routed here (auth.AdminRoute).
	h.httpAPI.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
		Path:                jsii.String(auth.AdminRoute),
		Methods:             &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_ANY},
		Integration:         integration,
		Authorizer:          authorizer,
		AuthorizationScopes: jsii.Strings(s.OperatorScope),
	})
	public := h.httpAPI.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
		Path:        jsii.String(routeOpenAPI),
		Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_GET},
		Integration: integration,
	})
	h.publicRoutes = append(h.publicRoutes, *public...)
	for _, path := range []string{routePortal, routePortalRoot} {
		pages := h.httpAPI.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path:        jsii.String(path),
			Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_GET, awsapigatewayv2.HttpMethod_POST},
			Integration: integration,
		})
		h.cookieRoutes = append(h.cookieRoutes, *pages...)
	}
	// The portal's list page is GET /portal/, and its links are relative to
	// it; whether API Gateway matches that empty greedy segment to
	// /portal/{proxy+} is not documented. The catch-all route takes any
	// request no route above matches to the function, without the
	// authorizer: the function answers 401 to every /api/v1 request that
	// has no authorizer claims, and grants the operator role on the admin
	// route's key only (auth.LambdaClaims), so nothing opens that a route
	// above closes. Other unmatched paths cost an invocation (a 404 from
	// the function) within the stage's throttling.
	h.defaultRoute = awsapigatewayv2.NewHttpRoute(h.httpAPI, jsii.String("DefaultRoute"), &awsapigatewayv2.HttpRouteProps{
		HttpApi:     h.httpAPI,
		RouteKey:    awsapigatewayv2.HttpRouteKey_DEFAULT(),
		Integration: integration,
	})
}
