// The fanout Lambda: reads producer events from the ingest queue (the
// EventBridge rule's target) and enqueues one delivery per matching endpoint.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/app"
	"github.com/hookrelay/hookrelay/shared/app/fanoutapp"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
)

func main() {
	cfg, awsCfg, log, err := app.LambdaEnv(fanoutapp.RequiredEnv...)
	if err != nil {
		app.Fatal(log, err)
	}
	handler, err := fanoutapp.New(fanoutapp.Deps{
		Config: cfg,
		Dynamo: dynamodb.NewFromConfig(awsCfg),
		SQS:    sqsqueue.New(sqs.NewFromConfig(awsCfg)),
		Logger: log,
	})
	if err != nil {
		app.Fatal(log, err)
	}
	lambda.Start(handler)
}
