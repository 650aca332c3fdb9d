package dlq

import (
	"context"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// PurgeResult reports a purge.
type PurgeResult struct {
	Purged int
	// Unmatched are the filter's ids that selected no dead letter.
	Unmatched []string
}

// Purge deletes the selected dead letters, closing their index items
// first, and says how many. Others are
// released untouched. Like Redrive it holds what it selected, so a
// concurrent redrive never sends a message this purge is deleting.
func (o *Ops) Purge(ctx context.Context, f Filter) (PurgeResult, error) {
	selected, err := o.scan(ctx, f, func(Entry) bool { return true }, nil, o.operatorScan())
	if err != nil {
		return PurgeResult{}, err
	}
	res := PurgeResult{Unmatched: f.unmatched(selected)}
	res.Purged, err = o.process(ctx, selected, func(ctx context.Context, e Entry) error {
		// The tombstone first: a tenant's recover must not send back what
		// an operator purged, and a crash before the delete leaves a copy
		// that a redrive deletes instead of sending.
		if err := o.closeItem(ctx, e, deliverylog.ClosedByPurge); err != nil {
			return err
		}
		return o.q.Delete(ctx, o.dlqURL, e.receipt)
	}, nil)
	return res, err
}
