package delivery

import (
	"context"

	"github.com/hookrelay/hookrelay/shared/message"
)

// logAttempt writes the one line per attempt, keyed as docs/internals.md's
// log schema says: who (org, webhook, delivery, event) first, so an
// operator filters a tenant's attempts by org_id, then what happened.
func (h *Handler) logAttempt(ctx context.Context, d message.Delivery, attempt int, outcome string, what ...any) {
	args := append([]any{
		"org_id", d.OrgID, "webhook_id", d.WebhookID, "delivery_id", d.DeliveryID,
		"event_id", d.EventID, "event_name", d.EventName, "attempt", attempt, "outcome", outcome,
	}, what...)
	h.log.InfoContext(ctx, "delivery attempt", args...)
}
