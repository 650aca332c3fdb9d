package bus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/shared/plainjson"
	"github.com/hookrelay/hookrelay/shared/strictjson"
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

// GroupPath is the JSON path, in the EventBridge event, of its
// organization: the ingest rule's SQS target takes each message's
// MessageGroupId from it (an EventBridge dynamic path parameter), which
// makes the standard ingest queue an SQS fair queue by organization. The
// local bus sets the same group.
const GroupPath = "$.detail.organization_id"

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

// ParseRecord reads an ingest message body. Every error says which part
// is wrong (it becomes the dead letter's last_error) and wraps
// ErrInvalidOrgID or ErrInvalidProducerID when detail.organization_id or
// detail.id breaks its rule, else ErrMalformed.
func ParseRecord(body []byte) (Record, Detail, error) {
	var r Record
	if err := json.Unmarshal(body, &r); err != nil {
		return Record{}, Detail{}, fmt.Errorf("%w: body is not an EventBridge event: %v", ErrMalformed, err)
	}
	switch {
	case r.ID == "":
		return r, Detail{}, fmt.Errorf("%w: missing id", ErrMalformed)
	case r.DetailType == "":
		return r, Detail{}, fmt.Errorf("%w: missing detail-type (the event name)", ErrMalformed)
	case r.Time.IsZero():
		return r, Detail{}, fmt.Errorf("%w: missing time", ErrMalformed)
	case len(r.Detail) == 0 || bytes.Equal(r.Detail, []byte("null")):
		return r, Detail{}, fmt.Errorf("%w: missing detail", ErrMalformed)
	}
	d, err := parseDetail(r.Detail)
	return r, d, err
}

// ErrInvalidOrgID and ErrInvalidProducerID mark a detail.organization_id
// or detail.id that breaks its rule before it is decoded (not a string, an
// unpaired surrogate escape); ids.ValidOrg and ids.ValidProducerID check
// the decoded strings.
var (
	ErrInvalidOrgID      = errors.New("not a valid organization id")
	ErrInvalidProducerID = errors.New("not a valid producer id")
)

// parseDetail reads the contract's keys of a record's detail exactly as
// written (strictjson.Members): encoding/json alone would read an ignored
// "ID" or "Organization_Id" as the contract's key. A contract key given
// twice is malformed: which one the producer's pipeline (a filter, a
// proxy checking organization_id) saw cannot be told.
func parseDetail(detail json.RawMessage) (Detail, error) {
	m, err := strictjson.Members(detail, "organization_id", "data", "id")
	switch {
	case errors.Is(err, strictjson.ErrRepeatedKey):
		return Detail{}, fmt.Errorf("%w: detail %v", ErrMalformed, err)
	case err != nil:
		return Detail{}, fmt.Errorf("%w: detail is not an object: %v", ErrMalformed, err)
	}
	d := Detail{Data: m["data"]}
	if err := readString(m, "organization_id", &d.OrgID); err != nil {
		return Detail{}, fmt.Errorf("%w: %v", ErrInvalidOrgID, err)
	}
	switch {
	case d.OrgID == "":
		return d, fmt.Errorf("%w: missing detail.organization_id", ErrMalformed)
	case len(d.Data) == 0 || bytes.Equal(d.Data, []byte("null")):
		return d, fmt.Errorf("%w: missing detail.data", ErrMalformed)
	}
	// The schema checks one value of a repeated key, an endpoint's parser
	// may read the other: refused as the API refuses it.
	if err := strictjson.CheckRepeatedKeys(d.Data); err != nil {
		return d, fmt.Errorf("%w: detail.data %v", ErrMalformed, err)
	}
	// encoding/json decodes every unpaired surrogate escape to U+FFFD, so
	// distinct ids would become one idempotency key; the API refuses
	// them with the same check.
	if strictjson.CheckText(m["id"]) != nil {
		return d, fmt.Errorf("detail.id is %w: it holds an unpaired surrogate escape (half of a UTF-16 pair), which decodes to U+FFFD", ErrInvalidProducerID)
	}
	if err := readString(m, "id", &d.ID); err != nil {
		return d, fmt.Errorf("%w: %v", ErrInvalidProducerID, err)
	}
	return d, nil
}

// readString decodes detail's key, when it is there and not null, into dst,
// and says what it is when it is not a string.
func readString(m map[string]json.RawMessage, key string, dst *string) error {
	raw := bytes.TrimSpace(m[key])
	if len(raw) == 0 || json.Unmarshal(raw, dst) == nil {
		return nil
	}
	kind := map[byte]string{'{': "an object", '[': "an array", 't': "a boolean", 'f': "a boolean"}[raw[0]]
	if kind == "" {
		kind = "a number"
	}
	return fmt.Errorf("detail.%s must be a string, not %s", key, kind)
}
