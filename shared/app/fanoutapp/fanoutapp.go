// Package fanoutapp wires the ingest-queue handler (the fanout Lambda, and
// the ingest poller of `hookrelay dev`).
package fanoutapp

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/app"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/fanout"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
)

// RequiredEnv must be set in the fanout Lambda (app.LambdaEnv): the
// table's default is for `hookrelay dev` only.
var RequiredEnv = []string{config.EnvTable}

// Deps are the adapters fan-out is built from.
type Deps struct {
	Config config.Config
	Dynamo *dynamodb.Client
	SQS    *sqsqueue.Client
	Logger *slog.Logger
}

// New builds the fanout handler.
func New(d Deps) (queue.Handler, error) {
	c := d.Config
	if err := app.Require("fanout", map[string]any{
		"Dynamo": d.Dynamo, "SQS": d.SQS, config.EnvTable: c.Table,
		config.EnvDeliveryQueueURL: c.DeliveryQueues.String(), config.EnvIngestDLQURL: c.IngestDLQURL,
		config.EnvIngestQueueURL: c.IngestQueueURL,
	}); err != nil {
		return nil, err
	}
	types, err := catalog.Default()
	if err != nil {
		return nil, err
	}
	h := fanout.NewHandler(fanout.Deps{
		Webhooks:       dynamo.NewWebhookStore(d.Dynamo, c.Table),
		Queue:          d.SQS,
		KnownEvent:     types.Has,
		ValidateData:   types.Validate,
		Claims:         dynamo.NewIdempotencyStore(d.Dynamo, c.Table),
		DeliveryQueues: c.DeliveryQueues,
		LaneWindow:     c.DeliveryTimeout,
		IngestQueueURL: c.IngestQueueURL,
		IngestDLQURL:   c.IngestDLQURL,
		Logger:         app.Logger(d.Logger),
	})
	return h.Handle, nil
}
