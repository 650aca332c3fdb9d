// The deliver Lambda: signs and POSTs each delivery of an SQS batch and
// applies the outcome rules (retry by visibility timeout, DLQ, 410 removal).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/app"
	"github.com/hookrelay/hookrelay/shared/app/deliverapp"
	"github.com/hookrelay/hookrelay/shared/app/secretstore"
	"github.com/hookrelay/hookrelay/shared/awsbus"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
)

func main() {
	cfg, awsCfg, log, err := app.LambdaEnv(deliverapp.RequiredEnv...)
	if err != nil {
		app.Fatal(log, err)
	}
	db := dynamodb.NewFromConfig(awsCfg)
	store, err := secretstore.New(cfg, awsCfg, db)
	if err != nil {
		app.Fatal(log, err)
	}
	handler, err := deliverapp.New(deliverapp.Deps{
		Config:  cfg,
		Dynamo:  db,
		SQS:     sqsqueue.New(sqs.NewFromConfig(awsCfg)),
		Secrets: store,
		Bus:     awsbus.NewEventBridge(eventbridge.NewFromConfig(awsCfg), cfg.EventBus),
		Logger:  log,
	})
	if err != nil {
		app.Fatal(log, err)
	}
	lambda.Start(handler)
}
