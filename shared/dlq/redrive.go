package dlq

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/detach"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// Result reports a redrive.
type Result struct {
	DryRun bool `json:"dry_run"`
	// Matched counts the entries the filter selected, Eligible those of them
	// that can be redriven, Redriven those sent and deleted from the DLQ.
	Matched  int       `json:"matched"`
	Eligible int       `json:"eligible"`
	Redriven int       `json:"redriven"`
	Skipped  []Skipped `json:"skipped,omitempty"`
	// Unmatched are the filter's ids that selected no dead letter (not in
	// the admin API's answer).
	Unmatched []string `json:"-"`
}

// Skipped is a selected entry left in the DLQ, and why.
type Skipped struct {
	MessageID string `json:"id"`
	Reason    string `json:"reason"`
}

// ErrNoDeliveryQueue means the Ops was built without a delivery queue URL.
var ErrNoDeliveryQueue = errors.New("no delivery queue URL: redrive needs one")

// Redrive sends the selected dead letters back to their organizations'
// delivery lanes. Per message: reset the attempt counter, send the
// unchanged body (same delivery id, so receivers deduplicate), then delete
// it from the DLQ. A crash between send and delete leaves a duplicate,
// never a loss. Selected
// messages are held invisible while the run lasts, so a concurrent redrive
// cannot send them too. Bodies that are not delivery messages are skipped
// and stay in the DLQ. With dryRun nothing is held, sent or deleted.
// progress, if set, is called after each message with (done, total).
func (o *Ops) Redrive(ctx context.Context, f Filter, dryRun bool, progress func(done, total int)) (Result, error) {
	return o.redrive(ctx, f, dryRun, progress, o.operatorScan())
}

func (o *Ops) redrive(ctx context.Context, f Filter, dryRun bool, progress func(done, total int), lim scanLimits) (Result, error) {
	if len(o.delivery) == 0 && !dryRun {
		return Result{}, ErrNoDeliveryQueue
	}
	res := Result{DryRun: dryRun}
	hold := func(e Entry) bool { return !dryRun && e.Redrivable() }
	selected, err := o.scan(ctx, f, hold, nil, lim)
	if err != nil {
		return res, err
	}
	var eligible []Entry
	for _, e := range selected {
		if e.Redrivable() {
			eligible = append(eligible, e)
		} else {
			res.Skipped = append(res.Skipped, Skipped{MessageID: e.MessageID, Reason: "body is not a delivery message: " + e.DecodeError})
		}
	}
	res.Matched, res.Eligible = len(selected), len(eligible)
	res.Unmatched = f.unmatched(selected)
	if dryRun {
		return res, nil
	}
	if progress != nil {
		progress(0, len(eligible))
	}
	res.Redriven, err = o.process(ctx, eligible, o.redriveOne, progress)
	return res, err
}

func (o *Ops) redriveOne(ctx context.Context, e Entry) error {
	if o.reset != nil {
		// No record (expired, or the delivery never got to an attempt) is a
		// counter that starts at 1 anyway.
		if err := o.reset.ResetAttempts(ctx, e.Delivery.DeliveryID); err != nil && !errors.Is(err, deliverylog.ErrNotFound) {
			return fmt.Errorf("reset attempts of %s: %w", e.Delivery.DeliveryID, err)
		}
	}
	if err := o.q.Send(ctx, o.delivery.For(e.Delivery.OrgID), queue.Message{Body: e.Raw, Group: e.Delivery.OrgID}); err != nil {
		return fmt.Errorf("send %s to the delivery queue: %w", e.MessageID, err)
	}
	// Sent: the delete must happen even if the run is cancelled now, or a
	// resumed redrive would send the delivery a second time.
	dctx, cancel := detach.Bookkeeping(ctx)
	defer cancel()
	if err := o.q.Delete(dctx, o.dlqURL, e.receipt); err != nil {
		return fmt.Errorf("delete %s from the DLQ (already sent: a resumed redrive sends it again): %w", e.MessageID, err)
	}
	return nil
}
