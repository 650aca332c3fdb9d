package dlq

import (
	"encoding/json"
	"errors"
)

// ErrProducerEvents means the queue given as the DLQ holds producer
// events, EventBridge events as the ingest queue carries them: it is the
// ingest DLQ, which no delivery lane dead-letters to and which has no
// RedrivePolicy either, so the queue checks cannot tell it from the
// delivery DLQ. Listed, its letters would pass for pipeline poison, and a
// purge of that tier would delete each event's only copy: the scan fails on the first one instead, having changed nothing.
var ErrProducerEvents = errors.New("the queue holds producer events (EventBridge events), as the ingest DLQ does: the dlq commands act on the delivery DLQ only (the stack's DlqUrl output); the ingest DLQ's letters go back to the ingest queue, as the README's IngestDlqNotEmpty row says; nothing was changed")

// producerEvent reports whether body is an EventBridge event: what the
// ingest queue and its DLQ hold, and what no delivery lane ever carries.
func producerEvent(body string) bool {
	var ev struct {
		DetailType *string         `json:"detail-type"`
		Source     *string         `json:"source"`
		Detail     json.RawMessage `json:"detail"`
	}
	return json.Unmarshal([]byte(body), &ev) == nil && ev.DetailType != nil && ev.Source != nil && len(ev.Detail) > 0
}
