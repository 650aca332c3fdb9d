package delivery

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// route decodes m, reads its webhook and decides whether it is attempted.
// It returns the job to attempt, or nil with the message's answer when it
// finished with it: dead-lettered (malformed), skipped (webhook deleted,
// disabled or unsubscribed), parked (endpoint disabled for failing), or
// left for SQS to bring back (the webhook could not be read).
func (h *Handler) route(ctx context.Context, m events.SQSMessage) (*job, bool) {
	d, err := message.Decode(m.Body)
	if err != nil {
		// Poison can never succeed: straight to the DLQ, never a hot loop.
		h.log.WarnContext(ctx, "malformed delivery message", "message_id", m.MessageId, "error", err)
		return nil, h.deadLetter(ctx, m, map[string]string{message.AttrReason: message.ReasonMalformed}, nil)
	}
	w, err := h.webhookOf(ctx, d)
	switch {
	case errors.Is(err, webhook.ErrNotFound):
		return nil, h.skip(ctx, m, d, ClassWebhookDeleted)
	case err != nil:
		// Transient (throttling, network): SQS brings it back after the
		// queue's visibility timeout; nothing was attempted, nothing counted.
		h.log.ErrorContext(ctx, "load webhook", "org_id", d.OrgID, "webhook_id", d.WebhookID, "delivery_id", d.DeliveryID, "error", err)
		return nil, false
	case !w.Wants(d.EventName, d.Test):
		// Before parking: a recover would only send it back here.
		return nil, h.skip(ctx, m, d, ClassUnsubscribed)
	case w.Parks() && d.Test:
		// The tenant checks a fixed endpoint before recovering it: the
		// test is POSTed once and logged, not parked (decision.once). A
		// producer's own webhook.test carries no mark and is parked.
		return &job{m: m, d: d, w: w, once: true}, false
	case w.Parks():
		return nil, h.park(ctx, m, d)
	case !w.Enabled:
		return nil, h.skip(ctx, m, d, ClassWebhookDisabled)
	}
	return &job{m: m, d: d, w: w}, false
}

// webhookOf reads d's webhook through the cache, and again consistently
// when the cached copy would skip or park the delivery, or may be older
// than a disable for failing (confirm, mayBeDisabled).
func (h *Handler) webhookOf(ctx context.Context, d message.Delivery) (webhook.Webhook, error) {
	w, err := h.d.Webhooks.Get(ctx, d.OrgID, d.WebhookID)
	if err == nil && (!w.Enabled || !w.Wants(d.EventName, d.Test) || h.mayBeDisabled(w)) {
		w, err = h.confirm(ctx, w)
	}
	if err == nil && w.Parks() && w.DisabledNoticePending {
		// The disable's notice was not put (or not known to be): each
		// delivery that finds the endpoint parked puts it again.
		h.announceDisabled(ctx, w)
	}
	return w, err
}

// skip consumes a delivery whose webhook was deleted, disabled or
// unsubscribed from its event type after the fan-out: it is not the
// endpoint's failure, so it is not dead-lettered.
func (h *Handler) skip(ctx context.Context, m events.SQSMessage, d message.Delivery, class string) bool {
	n, prior, err := h.attemptOf(ctx, m, d)
	if err != nil {
		return h.attemptUnknown(ctx, d, err)
	}
	// The message is consumed whatever happens now: record it regardless.
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	if d.Resend > 0 {
		// A resend's schedule that ends here supersedes nothing any more:
		// an older copy sent back later is then the delivery's only one.
		// If this fails, the message comes back to try again (a skip POSTs
		// nothing).
		if err := h.d.Records.EndResend(bctx, d.DeliveryID, d.Resend); err != nil {
			h.log.ErrorContext(ctx, "end skipped resend", "org_id", d.OrgID, "webhook_id", d.WebhookID, "delivery_id", d.DeliveryID, "error", err)
			return false
		}
	}
	// The entry is all that is left of a skipped delivery, with its reason:
	// if it fails, the message comes back to write it (a skip POSTs
	// nothing, so repeating it costs nothing).
	recorded := h.record(bctx, prior.next(d, m.Body, n, h.now(), result{}), deliverylog.OutcomeSkipped, result{class: class})
	h.logAttempt(ctx, d, n, deliverylog.OutcomeSkipped, "error_class", class)
	return recorded
}
