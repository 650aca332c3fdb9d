package delivery

import (
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// wants reports whether w still subscribes to d's event type: a change of
// its event_types reaches queued deliveries (retries, resends, redrives,
// recovers) as a change of its URL or enabled state does. Fan-out sends
// every event, hookrelay's own notices included, only to webhooks that
// subscribe to it (webhook.Subscribes; all_events covers every type), so
// this check never drops what it sent on purpose. The one delivery sent
// whatever w subscribes to is the tenant's own test (POST …/test, and a
// resend of it): it is addressed to w alone, and is always wanted.
func wants(w webhook.Webhook, d message.Delivery) bool {
	return d.Test || w.Subscribes(d.EventName)
}
