package fanout

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/message"
)

// eventIdentity picks the event id endpoints will see, and the producer
// idempotency key to claim ("" when there is none to claim).
//
//   - hookrelay published the event with its own event id as detail.id: the
//     API already claimed the producer's key, and it is the id the API
//     returned.
//   - otherwise the id derives from EventBridge's event id, so a re-run of
//     the same SQS record yields the same event id and delivery ids; a
//     non-empty detail.id is then the producer's idempotency key, whatever
//     its form (a producer's own "evt_..." keys are keys too).
func eventIdentity(r bus.Record, d bus.Detail) (eventID, producerID string) {
	if r.FromHookrelay() && ids.Valid(ids.EventPrefix, d.ID) {
		return d.ID, ""
	}
	return derivedEventID(r.ID), d.ID
}

// derivedEventID is deterministic in EventBridge's id (a UUID, unique per
// PutEvents entry). 128 bits of SHA-256 keep it collision-free in practice
// and within ids.Valid's alphabet.
func derivedEventID(bridgeID string) string {
	sum := sha256.Sum256([]byte("eventbridge\x00" + bridgeID))
	return ids.EventPrefix + hex.EncodeToString(sum[:16])
}

// deliveryFor is the delivery of tmpl's event to one webhook; its id is the
// same for every re-run of the event.
func deliveryFor(tmpl message.Delivery, webhookID string) message.Delivery {
	d := tmpl
	d.WebhookID = webhookID
	d.DeliveryID = ids.Delivery(tmpl.EventID, webhookID)
	return d
}
