package delivery

import (
	"context"
	"log/slog"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
)

// logAttempt writes the one line per attempt, keyed as docs/internals.md's
// log schema says: who (org, webhook, delivery, event) first, so an
// operator filters a tenant's attempts by org_id, then what happened.
//
// A delivered attempt logs at DEBUG: its attempt log entry in DynamoDB
// already records it, and at INFO its line would be a third of a
// delivery's cost in CloudWatch Logs. Every other outcome (retrying, dead
// letter, removal, skip) is one an operator acts on, so it logs at INFO.
func (h *Handler) logAttempt(ctx context.Context, d message.Delivery, attempt int, outcome string, what ...any) {
	args := append([]any{
		"org_id", d.OrgID, "webhook_id", d.WebhookID, "delivery_id", d.DeliveryID,
		"event_id", d.EventID, "event_name", d.EventName, "attempt", attempt, "outcome", outcome,
	}, what...)
	level := slog.LevelInfo
	if outcome == deliverylog.OutcomeDelivered {
		level = slog.LevelDebug
	}
	h.log.Log(ctx, level, "delivery attempt", args...)
}
