// Package apiapp wires the tenant and admin HTTP API and the tenant portal
// (the api Lambda, and the API `hookrelay dev` serves). API requests carry
// JWT claims (auth.Authenticator); the portal's pages authenticate with the
// portal session cookie, which the handler checks itself.
package apiapp

import (
	"net/http"
	"time"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/app"
	"github.com/hookrelay/hookrelay/shared/auth"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/delivery"
	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/fanout"
	"github.com/hookrelay/hookrelay/shared/healthnotice"
	"github.com/hookrelay/hookrelay/shared/portal"
	"github.com/hookrelay/hookrelay/shared/portalsession"
)

// RequiredEnv must be set in the api Lambda (app.LambdaEnv): the table,
// bus and secret prefix have defaults for `hookrelay dev` only.
var RequiredEnv = []string{config.EnvTable, config.EnvEventBus, config.EnvSecretPrefix}

// Deps are the adapters the API is built from, and how it authenticates.
type Deps struct {
	app.Adapters
	Auth auth.Authenticator
}

// New builds the API and the tenant portal next to it. The admin (DLQ)
// routes are served when a DLQ is configured.
func New(d Deps) (http.Handler, error) {
	c := d.Config
	if err := app.Require("api", map[string]any{
		"Dynamo": d.Dynamo, "SQS": d.SQS, "Secrets": d.Secrets, "Bus": d.Bus, "Auth": d.Auth,
		config.EnvTable: c.Table, config.EnvDeliveryQueueURL: c.DeliveryQueues.String(),
	}); err != nil {
		return nil, err
	}
	records := dynamo.NewDeliveryStore(d.Dynamo, c.Table, c.AttemptTTL)
	attempts := dynamo.NewAttemptLog(d.Dynamo, c.Table, c.AttemptTTL)
	webhooks := dynamo.NewWebhookStore(d.Dynamo, c.Table)
	parked := dynamo.NewParkedStore(d.Dynamo, c.Table, c.ParkedTTL)
	recovery := delivery.Recovery{Parked: parked, Records: records, Queue: d.SQS, Lanes: c.DeliveryQueues}
	var admin http.Handler
	if c.DLQURL != "" {
		ops := dlq.New(d.SQS, c.DLQURL, c.DeliveryQueues, records)
		ops.Locks, ops.Index = dynamo.NewLocks(d.Dynamo, c.Table), dynamo.NewDeadLetterIndex(d.Dynamo, c.Table)
		// A redrive's answer says which letters were parked or dropped.
		ops.Webhooks = webhooks
		// Within the api function's timeout: wait, then scan, then clean up.
		ops.LockWait = 10 * time.Second
		admin, recovery.DeadLetters = dlq.NewAdminHandler(ops), ops
	}
	types, err := catalog.Default()
	if err != nil {
		return nil, err
	}
	sessions := portalsession.New(dynamo.NewPortalTokenStore(d.Dynamo, c.Table))
	apiHandler := api.NewHandler(api.Deps{
		Config:   c,
		Auth:     d.Auth,
		Webhooks: webhooks,
		Notices:  healthnotice.Publisher{Bus: d.Bus},
		Recovery: recovery,
		Parked:   parked,
		// dead_letters_from: a recover that read none still offers one later.
		DeadLetterDebts: webhooks,
		// last_failure_run: a recover from its start clears it.
		FailureRuns: webhooks,
		Secrets:     d.Secrets,
		Catalog:     types,
		Publisher:   fanout.NewPublisher(d.Bus, dynamo.NewIdempotencyStore(d.Dynamo, c.Table)),
		Deliveries:  delivery.NewResender(records, attempts, d.SQS, c.DeliveryQueues),
		Attempts:    attempts,
		Admin:       admin,
		Logger:      app.Logger(d.Logger),
		// The portal's login links.
		PortalLogins: sessions,
	})
	pages, err := portal.New(portal.Options{API: apiHandler, Sessions: sessions, Catalog: types, Config: c, Logger: app.Logger(d.Logger)})
	if err != nil {
		return nil, err
	}
	return api.StripStage(portal.Mount(apiHandler, pages)), nil
}
