package app

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
)

// Adapters are what the API and the deliver handler are built from: the
// configuration, the AWS clients and the secret store, made by the
// Lambdas' main (lambdaadapters) or by `hookrelay dev` for the emulators.
type Adapters struct {
	Config  config.Config
	Dynamo  *dynamodb.Client
	SQS     *sqsqueue.Client
	Secrets secrets.Store
	// Bus publishes events: the API's, and the deliver handler's health
	// notices (webhook.disabled of an endpoint disabled for failing).
	Bus    bus.Bus
	Logger *slog.Logger
}
