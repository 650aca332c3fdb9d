// The api Lambda: the tenant and admin HTTP API behind API Gateway's HTTP
// API (payload v2). The JWT authorizer has already validated the token; the
// handler reads the org from its claims.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/hookrelay/hookrelay/shared/app"
	"github.com/hookrelay/hookrelay/shared/app/apiapp"
	"github.com/hookrelay/hookrelay/shared/app/secretstore"
	"github.com/hookrelay/hookrelay/shared/auth"
	"github.com/hookrelay/hookrelay/shared/awsbus"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
)

func main() {
	cfg, awsCfg, log, err := app.LambdaEnv(apiapp.RequiredEnv...)
	if err != nil {
		app.Fatal(log, err)
	}
	db := dynamodb.NewFromConfig(awsCfg)
	store, err := secretstore.New(cfg, awsCfg, db)
	if err != nil {
		app.Fatal(log, err)
	}
	handler, err := apiapp.New(apiapp.Deps{
		Config:  cfg,
		Dynamo:  db,
		SQS:     sqsqueue.New(sqs.NewFromConfig(awsCfg)),
		Secrets: store,
		Bus:     awsbus.NewEventBridge(eventbridge.NewFromConfig(awsCfg), cfg.EventBus),
		Auth:    auth.NewLambdaClaims(cfg),
		Logger:  log,
	})
	if err != nil {
		app.Fatal(log, err)
	}
	lambda.Start(httpadapter.NewV2(handler).ProxyWithContext)
}
