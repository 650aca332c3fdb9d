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
	// that can be redriven, Redriven those sent and deleted from the DLQ (on
	// a dry run, those the run would send, so that the counts below are
	// parts of it either way).
	Matched  int `json:"matched"`
	Eligible int `json:"eligible"`
	Redriven int `json:"redriven"`
	// Closed counts eligible letters deleted without being sent (on a dry
	// run, to be): their index item says their tenant's recover sent them
	// back already (or an earlier run did, or purged them, and stopped
	// before the delete).
	Closed int `json:"closed,omitempty"`
	// Parked counts the letters of Redriven (on a dry run, to be sent) that
	// went to endpoints disabled for failing: delivery parks them until
	// their tenant recovers, so nothing was delivered. ParkedWebhooks
	// names those endpoints. Counted only with a webhook reader (Ops.Webhooks).
	Parked         int      `json:"parked,omitempty"`
	ParkedWebhooks []string `json:"parked_webhooks,omitempty"`
	// WebhookDeleted counts the letters of Redriven (on a dry run, to be
	// sent) whose webhooks this run found deleted: delivery drops them
	// (webhook_deleted), so nothing was delivered, and a purge would have
	// done the same. They are sent all the same: a webhook read from
	// another stack's table (an operator's stray --table) is "deleted" too,
	// and a redrive must not throw away letters on such a read.
	// DeletedWebhooks names those webhooks.
	WebhookDeleted  int      `json:"webhook_deleted,omitempty"`
	DeletedWebhooks []string `json:"deleted_webhooks,omitempty"`
	// WebhookDisabled counts the letters of Redriven (on a dry run, to be
	// sent) whose endpoints their tenants disabled: delivery skips them
	// (webhook_disabled), so nothing was delivered, unless the tenant
	// enables the endpoint before they arrive, which is why they are sent.
	// DisabledWebhooks names those webhooks.
	WebhookDisabled  int      `json:"webhook_disabled,omitempty"`
	DisabledWebhooks []string `json:"disabled_webhooks,omitempty"`
	// Unsubscribed counts the letters of Redriven (on a dry run, to be
	// sent) whose webhooks no longer subscribe to their event: delivery
	// skips them (unsubscribed), so nothing was delivered.
	// UnsubscribedWebhooks names those webhooks.
	Unsubscribed         int       `json:"unsubscribed,omitempty"`
	UnsubscribedWebhooks []string  `json:"unsubscribed_webhooks,omitempty"`
	Skipped              []Skipped `json:"skipped,omitempty"`
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
// delivery lanes. Per message: claim its index item for Ops.LetterClaim (a
// letter whose item is closed, which its tenant recovered already, is only
// deleted; one whose item another caller holds, its tenant's recover
// sending it at this moment, is skipped and stays in the DLQ), reset the
// attempt counter, send the unchanged body (same delivery id, so receivers
// deduplicate), close the item, then delete it from the DLQ. A crash
// between send and delete leaves a duplicate, never a loss. Selected
// messages are held invisible while the run lasts, so a concurrent redrive
// cannot send them too. Bodies that are not delivery messages are skipped
// and stay in the DLQ. With dryRun nothing is held, sent or deleted; the
// index items are read, to count what would be deleted unsent.
// With a webhook reader (Ops.Webhooks) each letter's webhook is read, once
// per webhook, and the result counts the letters sent to deleted webhooks,
// which delivery drops, to endpoints disabled for failing, which delivery
// parks, and to endpoints their tenants disabled, which delivery skips.
// progress, if set, is called after each message with (done, total).
func (o *Ops) Redrive(ctx context.Context, f Filter, dryRun bool, progress func(done, total int)) (Result, error) {
	return o.redrive(ctx, f, dryRun, progress, o.operatorScan())
}

func (o *Ops) redrive(ctx context.Context, f Filter, dryRun bool, progress func(done, total int), lim scanLimits) (Result, error) {
	if len(o.delivery) == 0 && !dryRun {
		return Result{}, ErrNoDeliveryQueue
	}
	res := Result{DryRun: dryRun}
	dests := o.destinations()
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
		// What the run would delete unsent, so that "would be redriven"
		// is what the run sends.
		for _, e := range eligible {
			closed, dest, err := o.fate(ctx, e, dests)
			switch {
			case err != nil:
				return res, err
			case closed:
				res.Closed++
			default:
				res.Redriven++
				res.count(dest, e)
			}
		}
		return res, nil
	}
	if progress != nil {
		progress(0, len(eligible))
	}
	_, err = o.process(ctx, eligible, func(ctx context.Context, e Entry) error {
		c, dest, err := o.redriveOne(ctx, e, dests)
		switch {
		case c == deliverylog.ClaimClosed:
			res.Closed++
		case c == deliverylog.ClaimHeld:
			res.Skipped = append(res.Skipped, Skipped{MessageID: e.MessageID, Reason: heldReason})
			return errLeftInDLQ
		case err == nil:
			res.Redriven++
			res.count(dest, e)
		}
		return err
	}, progress)
	return res, err
}

// heldReason is why a redrive left a letter another caller holds.
const heldReason = "claimed by another caller (its tenant's recover or another redrive is sending it back): " +
	"left in the DLQ; a later run deletes it once that caller closed it, or sends it if the claim ran out (a minute)"

// resetAttempts zeroes a delivery's attempt counter, if there is a store.
// No record (expired, or the delivery never got to an attempt) is a
// counter that starts at 1 anyway.
func (o *Ops) resetAttempts(ctx context.Context, deliveryID string) error {
	if o.reset == nil {
		return nil
	}
	if err := o.reset.ResetAttempts(ctx, deliveryID); err != nil && !errors.Is(err, deliverylog.ErrNotFound) {
		return fmt.Errorf("reset attempts of %s: %w", deliveryID, err)
	}
	return nil
}

// fate is what a redrive does with e: only delete it (closed: its index
// item says its tenant's recover, or an earlier run, sent it back
// already), or send it to dest.
func (o *Ops) fate(ctx context.Context, e Entry, dests *destinations) (closed bool, dest destination, err error) {
	state, err := o.closedState(ctx, e)
	if err != nil {
		return false, toDelivery, err
	}
	if state.By != "" {
		return true, toDelivery, nil
	}
	dest, err = dests.of(ctx, e)
	return false, dest, err
}

// redriveOne claims e's index item, sends e back and deletes it, or only
// deletes it when its item is closed; c is what the claim found: with
// ClaimHeld (another caller is sending it back) it does neither, and the
// letter stays in the DLQ. dest is where it went. A letter once
// started is finished: cancelling the run (process checks it before each
// letter) leaves its send the grace of detach.Grace, since a send
// cancelled on the wire may have reached SQS all the same, and a letter
// sent but left in the DLQ would go out again with every later redrive and
// recover. The tombstone and the delete, after a send,
// get a bound of their own, or a recover or a resumed redrive would send
// the delivery a second time.
func (o *Ops) redriveOne(ctx context.Context, e Entry, dests *destinations) (c deliverylog.Claim, dest destination, err error) {
	sctx, cancel := detach.Grace(ctx)
	defer cancel()
	c, err = o.claimEntry(sctx, e)
	if err != nil || c == deliverylog.ClaimHeld {
		return c, toDelivery, err
	}
	closed := c == deliverylog.ClaimClosed
	if !closed {
		if err := o.underClaim(sctx, c, e.ref, func() (err error) {
			if dest, err = dests.of(sctx, e); err != nil {
				return err
			}
			if err := o.resetAttempts(sctx, e.Delivery.DeliveryID); err != nil {
				return err
			}
			if err := o.q.Send(sctx, o.delivery.For(e.Delivery.OrgID), queue.Message{Body: e.Raw, Group: e.Delivery.OrgID}); err != nil {
				return fmt.Errorf("send %s to the delivery queue: %w", e.MessageID, err)
			}
			return nil
		}); err != nil {
			return c, toDelivery, err
		}
	}
	ctx, done := detach.Bookkeeping(ctx)
	defer done()
	var closeErr error
	if !closed {
		if err := o.closeItem(ctx, e, deliverylog.ClosedByRedrive); err != nil {
			closeErr = fmt.Errorf("%s sent, but its index item not closed (its tenant's recover may send it once more, once its claim ran out): %w", e.MessageID, err)
		}
	}
	if err := o.q.Delete(ctx, o.dlqURL, e.receipt); err != nil {
		return c, dest, errors.Join(closeErr, fmt.Errorf("delete %s from the DLQ (already sent: a resumed redrive sends it again): %w", e.MessageID, err))
	}
	return c, dest, closeErr
}
