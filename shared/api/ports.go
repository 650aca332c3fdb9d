package api

import (
	"context"
	"encoding/json"

	"github.com/hookrelay/hookrelay/shared/webhook"
)

// Publisher puts a tenant's event on the bus (the same path producers use).
type Publisher interface {
	Publish(ctx context.Context, orgID, eventName string, data json.RawMessage, producerID string) (eventID string, err error)
}

// Deliveries starts deliveries on a tenant's request.
type Deliveries interface {
	// Resend queues a delivery to w again; errors.Is(err, deliverylog.ErrNotFound)
	// when w has no such delivery, a *webhook.NotSubscribedError when w no
	// longer subscribes to its event type.
	Resend(ctx context.Context, w webhook.Webhook, deliveryID string) error
	// SendTest queues a webhook.test event to w alone.
	SendTest(ctx context.Context, w webhook.Webhook) (deliveryID string, err error)
}
