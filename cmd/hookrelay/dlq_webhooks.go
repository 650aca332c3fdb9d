package main

import (
	"context"
	"io"

	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/dynamo"
)

// redriveOps is t's DLQ operations for a redrive: with the table, they
// read each letter's webhook (once per webhook), so the report says which
// letters went to endpoints disabled for failing (parked, not delivered)
// and which belonged to deleted webhooks (deleted unsent).
func (t *dlqTarget) redriveOps(ctx context.Context, warn io.Writer) (*dlq.Ops, error) {
	r, err := t.resolve(ctx)
	if err != nil {
		return nil, err
	}
	ops, err := r.ops(warn, needs{lanes: true})
	if err != nil {
		return nil, err
	}
	if r.db != nil && r.table != "" {
		ops.Webhooks = dynamo.NewWebhookStore(r.db, r.table)
	}
	return ops, nil
}
