package delivery

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// retryMoved brings back a delivery whose 410 came from a URL the webhook
// no longer has, or from one its tenant disabled since the read (the
// Remover's webhook.ErrMoved): that endpoint is not the webhook's any
// more, so the webhook stays and the attempt is not counted. The message
// returns after the schedule's first step, as after any retryable
// failure, and at least the webhook cache's TTL, so no container still
// holds the old copy; its next receive reads the webhook again and POSTs
// to it as it is now, or skips it (disabled, deleted).
func (h *Handler) retryMoved(ctx context.Context, m events.SQSMessage, d message.Delivery, w webhook.Webhook, b budget) {
	h.forget(w)
	step := h.cfg.RetrySchedule[0]
	wait := min(max(step+h.jitter(step/10), DefaultWebhookCacheTTL), b.maxDelay)
	if err := h.d.Queue.ChangeVisibility(ctx, h.laneOf(ctx, m), m.ReceiptHandle, wait); err != nil {
		// It returns after the queue's own visibility timeout instead.
		h.log.ErrorContext(ctx, "set retry backoff", "org_id", d.OrgID, "webhook_id", d.WebhookID, "delivery_id", d.DeliveryID, "error", err)
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "webhook not removed: the 410 came from a URL it no longer has or the tenant disabled it",
		slog.String("org_id", d.OrgID), slog.String("webhook_id", d.WebhookID), slog.String("delivery_id", d.DeliveryID),
		slog.Duration("retry_in", wait))
}
