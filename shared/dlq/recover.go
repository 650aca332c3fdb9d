package dlq

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/detach"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// RecoverMax bounds the dead letters one recover sends back (Ops.RecoverMax
// by default): a webhook with more is told so (ErrMoreDeadLetters), and its
// next recover continues. Only the webhook's own letters count: a recover
// reads its webhook's index, never the shared DLQ.
const RecoverMax = 10_000

// ErrMoreDeadLetters means a recover sent back what one call may, and the
// webhook has more dead letters since the time: the next recover sends them.
var ErrMoreDeadLetters = errors.New("more dead letters than one recover sends back: recover again")

// RedriveWebhook sends one endpoint's dead letters since a time back to its
// organization's delivery lane (a tenant's recover call), the i-th delayed
// pace.Delay(i) so the endpoint is not hit by them all at once (a zero
// pace sends them undelayed), reading them from
// the webhook's index of dead letters (deliverylog.DeadLetterIndex), not
// from the shared DLQ, so no other tenant's dead letters, however many,
// count against it or keep it waiting. Per letter, oldest first: reset the
// attempt counter, send the unchanged body (same delivery id, so receivers
// deduplicate), then close its index item (the tombstone). A crash between
// send and close sends it again on the next recover: one extra delivery at
// most, never a loss. The letter's copy stays in the DLQ, where an
// operator's redrive finds the tombstone and deletes it instead of sending
// it. A test the tenant sent (POST …/test) is not indexed: its dead letter
// stays in the DLQ for the operators, while a producer's webhook.test is an
// event like any other, and is recovered.
//
// An organization's recovers read its letters at most once per
// RecoverInterval (ErrRecentScan): each call sends up to RecoverMax of them,
// fewer if its deadline comes first (ErrMoreDeadLetters either way).
func (o *Ops) RedriveWebhook(ctx context.Context, orgID, webhookID string, since time.Time, pace queue.Pace) (int, error) {
	switch {
	case o.Index == nil:
		return 0, ErrNoIndex
	case len(o.delivery) == 0:
		return 0, ErrNoDeliveryQueue
	}
	giveBack, err := o.claimRecoverScan(ctx, orgID)
	if err != nil {
		return 0, err
	}
	letters, more, err := o.Index.Open(ctx, orgID, webhookID, since, o.RecoverMax)
	if err != nil {
		giveBack() // nothing was sent
		return 0, err
	}
	// Under the api function's deadline, the sends stop short of it, and
	// the call answers what it sent: the next one sends the rest.
	work, stop := withLetterTime(ctx)
	defer stop()
	for i, d := range letters {
		switch {
		case ctx.Err() != nil:
			return i, ctx.Err()
		case work.Err() != nil:
			return i, ErrMoreDeadLetters
		}
		if err := o.recoverOne(work, d, pace.Delay(i)); err != nil {
			return i, err
		}
	}
	if more {
		return len(letters), ErrMoreDeadLetters
	}
	return len(letters), nil
}

// recoverOne sends one letter back and closes its index item. A letter once
// started is finished: the call's end (the loop checks it before each
// letter) leaves its send the grace of detach.Grace, since a send
// cancelled on the wire may have reached SQS all the same, and the
// tombstone, with a bound of its own, must follow a send, or the next
// recover or an operator's redrive would send the delivery again.
func (o *Ops) recoverOne(ctx context.Context, d deliverylog.DeadLetter, delay time.Duration) error {
	sctx, cancel := detach.Grace(ctx)
	defer cancel()
	if err := o.resetAttempts(sctx, d.DeliveryID); err != nil {
		return err
	}
	if err := o.q.Send(sctx, o.delivery.For(d.OrgID), queue.Message{Body: d.Message, Delay: delay, Group: d.OrgID}); err != nil {
		return fmt.Errorf("send dead letter %s to the delivery queue: %w", d.DeliveryID, err)
	}
	ctx, done := detach.Bookkeeping(ctx)
	defer done()
	if err := o.Index.Close(ctx, d.Ref(), deliverylog.ClosedByRecover, o.Now()); err != nil {
		return fmt.Errorf("dead letter %s sent back, but not marked so (the next recover or an operator's redrive sends it once more): %w", d.DeliveryID, err)
	}
	return nil
}
