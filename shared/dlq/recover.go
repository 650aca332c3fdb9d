package dlq

import (
	"context"
	"errors"
	"time"
)

// Limits of a tenant's recover, which scans the shared DLQ within an API
// request (Ops.RecoverMaxScan and Ops.RecoverLockWait by default): a DLQ
// larger than this is for the operators' redrive, and a recover waits
// this long for another scan. Either limit, or a recover of the same
// organization less than RecoverInterval ago, is an error: the caller
// reports its dead letters as incomplete.
const (
	RecoverMaxScan  = 10_000
	RecoverLockWait = 5 * time.Second
)

// RedriveWebhook redrives one endpoint's dead letters since a time (a
// tenant's recover call): Redrive with an organization, webhook and since
// filter, so it holds, resets, sends and deletes exactly as an operator's
// redrive does. It returns how many were sent back. The dead letter of a
// test the tenant sent (POST …/test, message.Delivery.Test) stays in the
// DLQ: a recover brings back the events the endpoint missed, and an old
// test is none (the tenant sends a new one). A producer's webhook.test is
// such an event, and is redriven.
func (o *Ops) RedriveWebhook(ctx context.Context, orgID, webhookID string, since time.Time) (int, error) {
	giveBack, err := o.claimRecoverScan(ctx, orgID)
	if err != nil {
		return 0, err
	}
	f := Filter{OrgID: orgID, WebhookID: webhookID, Since: since, ExceptTests: true}
	res, err := o.redrive(ctx, f, false, nil,
		scanLimits{max: o.RecoverMaxScan, lockWait: o.RecoverLockWait})
	if errors.Is(err, ErrBusy) {
		giveBack() // another scan kept it from the DLQ: nothing was read
	}
	return res.Redriven, err
}
