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
// organization's delivery lane (a tenant's recover call), the i-th sent
// delayed pace.Delay(i) so the endpoint is not hit by them all at once (a
// zero pace sends them undelayed), reading them from
// the webhook's index of dead letters (deliverylog.DeadLetterIndex), not
// from the shared DLQ, so no other tenant's dead letters, however many,
// count against it or keep it waiting. Per letter, oldest first: claim its
// index item for Ops.LetterClaim, reset the attempt counter, send the
// unchanged body (same delivery id, so receivers deduplicate), then close
// the item (the tombstone). The claim keeps an operator's redrive of the
// same letter at the same time from sending it too: a letter it finds
// closed was sent back already and is skipped, one another caller holds is
// left to it, and the call says more (ErrMoreDeadLetters), as for a parked
// delivery another recover holds. A crash between send and close sends it
// again on a recover after the claim ran out: one extra delivery at most,
// never a loss. The letter's copy stays in the DLQ, where an
// operator's redrive finds the tombstone and deletes it instead of sending
// it. A test the tenant sent (POST …/test) is not indexed: its dead letter
// stays in the DLQ for the operators, while a producer's webhook.test is an
// event like any other, and is recovered.
//
// An organization's recovers read its letters at most once per
// RecoverInterval (ErrRecentScan): each call sends up to RecoverMax of them,
// fewer if its deadline comes first (ErrMoreDeadLetters either way). The
// count is of the letters it sent.
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
	sent := 0
	for _, d := range letters {
		switch {
		case ctx.Err() != nil:
			return sent, ctx.Err()
		case work.Err() != nil:
			return sent, ErrMoreDeadLetters
		}
		c, err := o.recoverOne(work, d, pace.Delay(sent))
		switch {
		case err != nil:
			return sent, err
		case c == deliverylog.ClaimHeld:
			more = true // the holder sends it, or a recover after its claim ran out
		case c != deliverylog.ClaimClosed:
			sent++
		}
	}
	if more {
		return sent, ErrMoreDeadLetters
	}
	return sent, nil
}

// recoverOne claims one letter, sends it back and closes its index item;
// c is what the claim found: a letter closed meanwhile (an operator's
// redrive sent it) or held by another caller is not sent. A letter once
// started is finished: the call's end (the loop checks it before each
// letter) leaves its send the grace of detach.Grace, since a send
// cancelled on the wire may have reached SQS all the same, and the
// tombstone, with a bound of its own, must follow a send, or the next
// recover or an operator's redrive would send the delivery again.
func (o *Ops) recoverOne(ctx context.Context, d deliverylog.DeadLetter, delay time.Duration) (c deliverylog.Claim, err error) {
	sctx, cancel := detach.Grace(ctx)
	defer cancel()
	c, err = o.claim(sctx, d.Ref())
	if err != nil || c == deliverylog.ClaimHeld || c == deliverylog.ClaimClosed {
		return c, err
	}
	if err := o.underClaim(sctx, c, d.Ref(), func() error {
		if err := o.resetAttempts(sctx, d.DeliveryID); err != nil {
			return err
		}
		if err := o.q.Send(sctx, o.delivery.For(d.OrgID), queue.Message{Body: d.Message, Delay: delay, Group: d.OrgID}); err != nil {
			return fmt.Errorf("send dead letter %s to the delivery queue: %w", d.DeliveryID, err)
		}
		return nil
	}); err != nil {
		return c, err
	}
	ctx, done := detach.Bookkeeping(ctx)
	defer done()
	if err := o.Index.Close(ctx, d.Ref(), deliverylog.ClosedByRecover, o.Now()); err != nil {
		return c, fmt.Errorf("dead letter %s sent back, but not marked so (the next recover or an operator's redrive sends it once more, once its claim ran out): %w", d.DeliveryID, err)
	}
	return c, nil
}
