package bus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/shared/plainjson"
)

// Record is an EventBridge event as the EventBridge → SQS target writes it
// into the ingest queue's message body.
type Record struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"` // EventBridge's event id (a UUID)
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       time.Time       `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// Detail is the producer contract's detail (README, "Putting an event"): the organization,
// the event data, and an optional id — a hookrelay "evt_" id when hookrelay
// published the event (Record.FromHookrelay), otherwise a producer
// idempotency key.
type Detail struct {
	OrgID string          `json:"organization_id"`
	Data  json.RawMessage `json:"data"`
	ID    string          `json:"id,omitempty"`
}

// FromHookrelay reports whether hookrelay itself put the event (through
// the API, or a health notice), by its source: producers use their own.
func (r Record) FromHookrelay() bool { return r.Source == DefaultSource }

// ErrMalformed marks an ingest message that can never be fanned out:
// retrying it cannot help, so fan-out dead-letters it.
var ErrMalformed = errors.New("malformed event")

// EncodeDetail returns the Detail JSON of e.
func EncodeDetail(e Event) ([]byte, error) {
	if !json.Valid(e.Data) {
		return nil, fmt.Errorf("bus: %s for %s: data is not valid JSON", e.EventName, e.OrgID)
	}
	return plainjson.Marshal(Detail{OrgID: e.OrgID, Data: e.Data, ID: e.EventID})
}

// EncodeRecord returns the message body EventBridge's SQS target writes for r.
func EncodeRecord(r Record) ([]byte, error) { return plainjson.Marshal(r) }

// ParseRecord reads an ingest message body. Every error wraps ErrMalformed
// and says which part is wrong (it becomes the dead letter's last_error).
func ParseRecord(body []byte) (Record, Detail, error) {
	var r Record
	if err := json.Unmarshal(body, &r); err != nil {
		return Record{}, Detail{}, fmt.Errorf("%w: body is not an EventBridge event: %v", ErrMalformed, err)
	}
	var d Detail
	switch {
	case r.ID == "":
		return r, d, fmt.Errorf("%w: missing id", ErrMalformed)
	case r.DetailType == "":
		return r, d, fmt.Errorf("%w: missing detail-type (the event name)", ErrMalformed)
	case r.Time.IsZero():
		return r, d, fmt.Errorf("%w: missing time", ErrMalformed)
	case len(r.Detail) == 0 || bytes.Equal(r.Detail, []byte("null")):
		return r, d, fmt.Errorf("%w: missing detail", ErrMalformed)
	}
	if err := json.Unmarshal(r.Detail, &d); err != nil {
		return r, d, fmt.Errorf("%w: detail is not an object: %v", ErrMalformed, err)
	}
	switch {
	case d.OrgID == "":
		return r, d, fmt.Errorf("%w: missing detail.organization_id", ErrMalformed)
	case len(d.Data) == 0 || bytes.Equal(d.Data, []byte("null")):
		return r, d, fmt.Errorf("%w: missing detail.data", ErrMalformed)
	}
	return r, d, nil
}
