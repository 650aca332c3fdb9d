// The api Lambda: the tenant and admin HTTP API and the tenant portal,
// behind API Gateway's HTTP API (payload v2). /api/v1 routes come through
// the JWT authorizer, and the handler reads the org from its claims. The
// portal routes, GET /openapi.json and $default have no authorizer: the
// handler checks the portal session cookie itself and answers 401 to any
// /api/v1 request without authorizer claims (infra/api.go).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/hookrelay/hookrelay/shared/app"
	"github.com/hookrelay/hookrelay/shared/app/apiapp"
	"github.com/hookrelay/hookrelay/shared/app/lambdaadapters"
	"github.com/hookrelay/hookrelay/shared/auth"
)

func main() {
	a := lambdaadapters.Load(apiapp.RequiredEnv...)
	handler, err := apiapp.New(apiapp.Deps{Adapters: a, Auth: auth.NewLambdaClaims(a.Config)})
	if err != nil {
		app.Fatal(a.Logger, err)
	}
	lambda.Start(httpadapter.NewV2(handler).ProxyWithContext)
}
