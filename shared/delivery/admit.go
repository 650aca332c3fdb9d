package delivery

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
)

// admit asks the endpoint gate whether j may POST now; when it may not,
// wait is how long to defer it (deferDelivery). A delivery deferred often
// enough, or whose deferral would outlive its retry budget, is admitted
// whatever the endpoint's state. The wait is drawn once, jitter included,
// so the deferral set is the one checked against the budget. Every
// admitted job must be followed by gate.done.
func (h *Handler) admit(j *job) (wait time.Duration, admitted bool) {
	now := h.now()
	wait = h.deferralWait(j.m, j.received, now)
	force := mustAttempt(j.m) || wait > newBudget(j.received, sentAt(j.m, deliverylog.DeliveryRecord{}, now), now).left
	return wait, h.gate.admit(j.d.WebhookID, now, force)
}

// deferralWait is how long the gate would defer m now: its deferral plus
// up to 10 % jitter, within what SQS accepts from this receipt.
func (h *Handler) deferralWait(m events.SQSMessage, received, now time.Time) time.Duration {
	wait := h.gate.deferral(receivesOf(m))
	return min(wait+h.jitter(wait/10), newBudget(received, now, now).maxDelay)
}

// deferDelivery puts a delivery to an endpoint that keeps timing out back
// on the queue without an attempt, for wait (deferralWait's, the one the
// force check compared with the retry budget); it is a batch item failure
// either way.
func (h *Handler) deferDelivery(ctx context.Context, m events.SQSMessage, d message.Delivery, wait time.Duration) bool {
	if err := h.d.Queue.ChangeVisibility(ctx, h.laneOf(ctx, m), m.ReceiptHandle, wait); err != nil {
		h.log.ErrorContext(ctx, "defer delivery", "org_id", d.OrgID, "webhook_id", d.WebhookID, "delivery_id", d.DeliveryID, "error", err)
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "delivery deferred: the endpoint keeps timing out",
		slog.String("org_id", d.OrgID), slog.String("webhook_id", d.WebhookID), slog.String("delivery_id", d.DeliveryID),
		slog.Duration("retry_in", wait))
	return false
}

// loadSecrets reads the webhook's active signing secrets into j. Without
// them there is nothing to sign with: false leaves the message for SQS to
// bring back, nothing attempted, nothing counted.
func (h *Handler) loadSecrets(ctx context.Context, j *job) bool {
	var err error
	if j.active, err = h.d.Secrets.Active(ctx, j.w, h.now()); err != nil || len(j.active) == 0 {
		h.log.ErrorContext(ctx, "load signing secrets", "org_id", j.d.OrgID, "webhook_id", j.d.WebhookID, "delivery_id", j.d.DeliveryID, "error", err)
		return false
	}
	return true
}
