// Package deliverapp wires the delivery-queue handler (the deliver Lambda,
// and the delivery poller of `hookrelay dev`).
package deliverapp

import (
	"github.com/hookrelay/hookrelay/shared/app"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/delivery"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/healthnotice"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// RequiredEnv must be set in the deliver Lambda (app.LambdaEnv): the
// table, bus (health notices) and secret prefix have defaults for
// `hookrelay dev` only.
var RequiredEnv = []string{config.EnvTable, config.EnvEventBus, config.EnvSecretPrefix}

// Deps are the adapters delivery is built from; Bus publishes the
// webhook.disabled notice of an endpoint disabled for failing.
type Deps = app.Adapters

// New builds the deliver handler. Webhooks are read through a short cache
// and secrets through one per secret version: the handler needs both for
// every message.
func New(d Deps) (queue.Handler, error) {
	c := d.Config
	if err := app.Require("deliver", map[string]any{
		"Dynamo": d.Dynamo, "SQS": d.SQS, "Secrets": d.Secrets, "Bus": d.Bus, config.EnvTable: c.Table,
		config.EnvDeliveryQueueURL: c.DeliveryQueues.String(), config.EnvDLQURL: c.DLQURL,
	}); err != nil {
		return nil, err
	}
	log := app.Logger(d.Logger)
	webhooks := dynamo.NewWebhookStore(d.Dynamo, c.Table)
	h := delivery.NewHandler(delivery.Deps{
		Webhooks:    delivery.NewWebhookCache(webhooks.EventuallyConsistent(), delivery.DefaultWebhookCacheTTL),
		Secrets:     delivery.NewSecretCache(d.Secrets),
		Queue:       d.SQS,
		Records:     dynamo.NewDeliveryStore(d.Dynamo, c.Table, c.AttemptTTL),
		Attempts:    dynamo.NewAttemptLog(d.Dynamo, c.Table, c.AttemptTTL),
		Remover:     delivery.WebhookRemover{Webhooks: webhooks, Secrets: d.Secrets, Logger: log},
		Health:      webhooks,
		Parked:      dynamo.NewParkedStore(d.Dynamo, c.Table, c.ParkedTTL),
		Notify:      healthnotice.Publisher{Bus: d.Bus},
		DeadLetters: dynamo.NewDeadLetterIndex(d.Dynamo, c.Table),
		Config:      c,
		Logger:      log,
	})
	return h.Handle, nil
}
