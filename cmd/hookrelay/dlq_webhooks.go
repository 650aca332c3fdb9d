package main

import (
	"context"
	"io"

	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/dynamo"
)

// opsReadingWebhooks is t's DLQ operations which, with the table, read
// each letter's webhook (once per webhook): listings mark the letters of
// deleted webhooks and of endpoints disabled for failing, and a redrive's
// report says which letters went to the latter (parked, not delivered)
// and which to the former (dropped by delivery).
func (t *dlqTarget) opsReadingWebhooks(ctx context.Context, warn io.Writer, n needs) (*dlq.Ops, error) {
	r, err := t.resolve(ctx)
	if err != nil {
		return nil, err
	}
	ops, err := r.ops(ctx, warn, n)
	if err != nil {
		return nil, err
	}
	if r.db != nil && r.table != "" {
		ops.Webhooks = dynamo.NewWebhookStore(r.db, r.table)
	}
	return ops, nil
}
