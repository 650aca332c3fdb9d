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
	seen map[[2]string]destination
}

func (o *Ops) destinations() *destinations {
	return &destinations{r: o.Webhooks, seen: map[[2]string]destination{}}
}

// of says where e goes. Without a reader, or for a body that names no
// webhook, it is toDelivery: the run sends it, as it always did.
func (d *destinations) of(ctx context.Context, e Entry) (destination, error) {
	if d.r == nil || e.Delivery == nil {
		return toDelivery, nil
	}
	key := [2]string{e.Delivery.OrgID, e.Delivery.WebhookID}
	if dest, ok := d.seen[key]; ok {
		return dest, nil
	}
	w, err := d.r.Get(ctx, key[0], key[1])
	dest := toDelivery
	switch {
	case errors.Is(err, webhook.ErrNotFound):
		dest = toDeletedWebhook
	case err != nil:
		return 0, fmt.Errorf("read webhook %s of %s: %w", key[1], e.MessageID, err)
	case w.Parks():
		dest = toParked
	case !w.Enabled:
		dest = toDisabledWebhook
	}
	d.seen[key] = dest
	return dest, nil
}

// count adds a letter that went (or, on a dry run, would go) to dest to
// the result.
func (r *Result) count(dest destination, e Entry) {
	switch dest {
	case toParked:
		r.Parked++
		r.ParkedWebhooks = addSorted(r.ParkedWebhooks, e.Delivery.WebhookID)
	case toDeletedWebhook:
		r.WebhookDeleted++
		r.DeletedWebhooks = addSorted(r.DeletedWebhooks, e.Delivery.WebhookID)
	case toDisabledWebhook:
		r.WebhookDisabled++
		r.DisabledWebhooks = addSorted(r.DisabledWebhooks, e.Delivery.WebhookID)
	}
}

func addSorted(ids []string, id string) []string {
	i, found := slices.BinarySearch(ids, id)
	if found {
		return ids
	}
	return slices.Insert(ids, i, id)
}
