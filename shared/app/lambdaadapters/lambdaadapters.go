// Package lambdaadapters makes the api and deliver Lambdas' adapters from
// their environment: the AWS clients and the configured secret store.
// The fanout Lambda needs neither the bus nor the secrets, and does not
// link this package.
package lambdaadapters

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/app"
	"github.com/hookrelay/hookrelay/shared/app/secretstore"
	"github.com/hookrelay/hookrelay/shared/awsbus"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
)

// Load reads the environment (required must be set: app.LambdaEnv) and
// builds the adapters. A Lambda cannot start without them, so a failure
// ends the process with the error logged (app.Fatal).
func Load(required ...string) app.Adapters {
	cfg, awsCfg, log, err := app.LambdaEnv(required...)
	if err != nil {
		app.Fatal(log, err)
	}
	db := dynamodb.NewFromConfig(awsCfg)
	store, err := secretstore.New(cfg, awsCfg, db)
	if err != nil {
		app.Fatal(log, err)
	}
	return app.Adapters{
		Config:  cfg,
		Dynamo:  db,
		SQS:     sqsqueue.New(sqs.NewFromConfig(awsCfg)),
		Secrets: store,
		Bus:     awsbus.NewEventBridge(eventbridge.NewFromConfig(awsCfg), cfg.EventBus),
		Logger:  log,
	}
}
