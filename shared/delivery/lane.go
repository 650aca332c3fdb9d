package delivery

import (
	"context"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// laneOf is the delivery queue m was received from: its retry backoff,
// deferral and delete act on that queue's receipt. A source that is none of
// the configured lanes (a misconfigured stack) gives "": the call fails,
// is logged, and the message returns after its visibility timeout.
func (h *Handler) laneOf(ctx context.Context, m events.SQSMessage) string {
	u, ok := h.cfg.DeliveryQueues.Source(m.EventSourceARN)
	if !ok {
		h.log.ErrorContext(ctx, "message from a queue that is not a delivery lane", "message_id", m.MessageId,
			"error", "event source "+strconv.Quote(m.EventSourceARN)+" is none of the configured delivery queues")
	}
	return u
}
