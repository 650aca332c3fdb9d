package dlq

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hookrelay/hookrelay/shared/webhook"
)

// WebhookReader reads one webhook (webhook.Store's Get), so a redrive can
// say what delivery will do with each letter it sends back.
type WebhookReader interface {
	Get(ctx context.Context, orgID, id string) (webhook.Webhook, error)
}

// destination is what delivery does with a redriven letter, by the state
// of its webhook.
type destination int

const (
	// toDelivery: delivery attempts it (or decides otherwise, per event).
	toDelivery destination = iota
	// toParked: the endpoint is disabled for failing; delivery parks the
	// letter until its tenant recovers, which only a tenant token can.
	toParked
	// toDeletedWebhook: the webhook is gone (as far as the reader's table
	// says); delivery drops the letter (webhook_deleted).
	toDeletedWebhook
	// toDisabledWebhook: its tenant disabled the endpoint; delivery skips
	// the letter (webhook_disabled) unless the tenant enables it first.
	toDisabledWebhook
	// toUnsubscribed: the webhook no longer subscribes to the letter's
	// event; delivery skips it (unsubscribed), before it would park it.
	toUnsubscribed
)

// Entry.WebhookState values.
const (
	// WebhookDeleted: a redrive sends it, and delivery drops it.
	WebhookDeleted = "deleted"
	// WebhookDisabledFailing: a redrive sends it, and delivery parks it
	// until its tenant recovers.
	WebhookDisabledFailing = "disabled_failing"
	// WebhookDisabled: its tenant disabled it; a redrive sends it, and
	// delivery skips it unless the tenant enables the endpoint first.
	WebhookDisabled = "disabled"
	// WebhookUnsubscribed: the webhook no longer subscribes to the
	// letter's event; a redrive sends it, and delivery skips it.
	WebhookUnsubscribed = "unsubscribed"
)

// state is the Entry.WebhookState of a letter going to d.
func (d destination) state() string {
	switch d {
	case toParked:
		return WebhookDisabledFailing
	case toDeletedWebhook:
		return WebhookDeleted
	case toDisabledWebhook:
		return WebhookDisabled
	case toUnsubscribed:
		return WebhookUnsubscribed
	}
	return ""
}

// markWebhooks sets the entries' WebhookState, reading each webhook once.
func (o *Ops) markWebhooks(ctx context.Context, entries []Entry) error {
	dests := o.destinations()
	for i := range entries {
		dest, err := dests.of(ctx, entries[i])
		if err != nil {
			return err
		}
		entries[i].WebhookState = dest.state()
	}
	return nil
}

// destinations reads each webhook of a run's letters once: the run's
// answer names the webhooks, and a large run reads no webhook twice.
type destinations struct {
	r    WebhookReader
	seen map[[2]string]read
}

// read is one webhook as a run read it: gone, when the table has none.
type read struct {
	w    webhook.Webhook
	gone bool
}

func (o *Ops) destinations() *destinations {
	return &destinations{r: o.Webhooks, seen: map[[2]string]read{}}
}

// of says where e goes, in the order delivery decides it (handler.go):
// a deleted webhook drops it, one that no longer subscribes to its event
// skips it, one disabled for failing parks it, one its tenant disabled
// skips it. Without a reader, or for a body that names no webhook, it is
// toDelivery: the run sends it, as it always did.
func (d *destinations) of(ctx context.Context, e Entry) (destination, error) {
	if d.r == nil || e.Delivery == nil {
		return toDelivery, nil
	}
	key := [2]string{e.Delivery.OrgID, e.Delivery.WebhookID}
	got, ok := d.seen[key]
	if !ok {
		w, err := d.r.Get(ctx, key[0], key[1])
		if err != nil && !errors.Is(err, webhook.ErrNotFound) {
			return 0, fmt.Errorf("read webhook %s of %s: %w", key[1], e.MessageID, err)
		}
		got = read{w: w, gone: err != nil}
		d.seen[key] = got
	}
	switch {
	case got.gone:
		return toDeletedWebhook, nil
	case !got.w.Wants(e.Delivery.EventName, e.Delivery.Test):
		return toUnsubscribed, nil
	case got.w.Parks():
		return toParked, nil
	case !got.w.Enabled:
		return toDisabledWebhook, nil
	}
	return toDelivery, nil
}

// count adds a letter that went (or, on a dry run, would go) to dest to
// the result.
func (r *Result) count(dest destination, e Entry) {
	switch dest {
	case toParked:
		tally(&r.Parked, &r.ParkedWebhooks, e.Delivery.WebhookID)
	case toDeletedWebhook:
		tally(&r.WebhookDeleted, &r.DeletedWebhooks, e.Delivery.WebhookID)
	case toDisabledWebhook:
		tally(&r.WebhookDisabled, &r.DisabledWebhooks, e.Delivery.WebhookID)
	case toUnsubscribed:
		tally(&r.Unsubscribed, &r.UnsubscribedWebhooks, e.Delivery.WebhookID)
	}
}

// tally counts one letter more and names its webhook among ids, sorted.
func tally(n *int, ids *[]string, id string) {
	*n++
	*ids = addSorted(*ids, id)
}

func addSorted(ids []string, id string) []string {
	i, found := slices.BinarySearch(ids, id)
	if found {
		return ids
	}
	return slices.Insert(ids, i, id)
}
