package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// addNagSuppressions records every accepted cdk-nag finding with its reason.
// Suppressions are scoped to one construct and, for IAM5, to the exact
// wildcard, so a new wildcard elsewhere still fails synthesis.
func (h *hookrelay) addNagSuppressions() {
	// Secret names are "<prefix>/<org>/<webhook id>" and are created at
	// runtime, one per webhook, and AWS appends a random 6-character suffix
	// to each ARN: no fixed ARN list can exist. The wildcard is confined to
	// the deployment's prefix in this account and region.
	secretsWildcard := "Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:" +
		h.settings.SecretPrefix + "/*"
	for _, role := range h.secretRoles {
		cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
			Id:        jsii.String("AwsSolutions-IAM5"),
			Reason:    jsii.String("Per-webhook secrets are created at runtime under the configured name prefix (with a random ARN suffix); access is limited to that prefix in this account and region."),
			AppliesTo: &[]interface{}{secretsWildcard},
		}}, jsii.Bool(true))
	}
	// The OpenAPI document is public on purpose (README, "The API": clients
	// and docs tooling fetch it before they hold a token) and reveals no
	// tenant data; every /api/v1 route is behind the JWT authorizer.
	for _, route := range h.publicRoutes {
		cdknag.NagSuppressions_AddResourceSuppressions(route, &[]*cdknag.NagPackSuppression{{
			Id:     jsii.String("AwsSolutions-APIG4"),
			Reason: jsii.String("GET /openapi.json serves the static API description, which contains no tenant data; all /api/v1 routes use the JWT authorizer."),
		}}, jsii.Bool(true))
	}
	for _, route := range h.cookieRoutes {
		cdknag.NagSuppressions_AddResourceSuppressions(route, &[]*cdknag.NagPackSuppression{{
			Id:     jsii.String("AwsSolutions-APIG4"),
			Reason: jsii.String("The tenant portal's pages authenticate with an HttpOnly session cookie that the function checks (a JWT authorizer reads no cookies); sessions come from POST /api/v1/organization/portal-sessions, which uses the JWT authorizer."),
		}}, jsii.Bool(true))
	}
	cdknag.NagSuppressions_AddResourceSuppressions(h.defaultRoute, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-APIG4"),
		Reason: jsii.String("The $default route takes only requests no other route matches (GET /portal/, the portal's list page, should API Gateway not match its empty greedy segment) to the api function, " +
			"which answers 401 to any /api/v1 request without JWT authorizer claims, grants the operator role only on the admin route's key, and checks the portal's session cookie itself."),
	}}, jsii.Bool(true))
}
