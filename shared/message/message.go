// Package message defines what travels on the delivery queue and the DLQ.
// Version 1 is a contract between fan-out, delivery, resend and redrive:
// add fields, never change the meaning of one.
package message

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Version is the current delivery message version.
const Version = 1

// Delivery is one event to one endpoint. Envelope holds the exact bytes
// POSTed to the endpoint, built once at fan-out; retries resend them as-is.
type Delivery struct {
	V          int    `json:"v"`
	DeliveryID string `json:"delivery_id"`
	EventID    string `json:"event_id"`
	OrgID      string `json:"organization_id"`
	WebhookID  string `json:"webhook_id"`
	EventName  string `json:"event_name"`
	// Envelope is a string, not json.RawMessage, so encoding never
	// re-formats the bytes the signature covers.
	Envelope string `json:"envelope"`
}

// ErrMalformed marks a message that can never be delivered (poison).
var ErrMalformed = errors.New("malformed delivery message")

// Encode returns the queue message body.
func (d Delivery) Encode() (string, error) {
	d.V = Version
	b, err := json.Marshal(d)
	return string(b), err
}

// Decode parses and checks a queue message body. Bodies in Encode's exact
// form take a hand-written fast path (decodeCanonical); everything else,
// including every malformed body, goes through encoding/json.
func Decode(body string) (Delivery, error) {
	if d, ok := decodeCanonical(body); ok {
		return d, nil
	}
	return decodeGeneral(body)
}

// decodeGeneral is the encoding/json path (and the fast path's reference in tests).
func decodeGeneral(body string) (Delivery, error) {
	var d Delivery
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return Delivery{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if d.V != Version {
		return Delivery{}, fmt.Errorf("%w: unsupported version %d", ErrMalformed, d.V)
	}
	if d.DeliveryID == "" || d.EventID == "" || d.OrgID == "" || d.WebhookID == "" || d.EventName == "" || d.Envelope == "" {
		return Delivery{}, fmt.Errorf("%w: missing field", ErrMalformed)
	}
	return d, nil
}

// Envelope is the JSON body POSTed to endpoints (design.md). Field order is
// the order of the contract.
type Envelope struct {
	ID        string          `json:"id"`
	EventName string          `json:"event_name"`
	OrgID     string          `json:"organization_id"`
	Timestamp int64           `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// DLQ message attribute names: the reason a delivery was dead-lettered.
// Operators' tooling filters on these.
const (
	AttrReason       = "reason"
	AttrLastStatus   = "last_status"
	AttrLastError    = "last_error"
	AttrAttempts     = "attempts"
	AttrOrgID        = "organization_id"
	AttrWebhookID    = "webhook_id"
	AttrEventName    = "event_name"
	AttrFirstAttempt = "first_attempt_at" // RFC 3339
	AttrLastAttempt  = "last_attempt_at"  // RFC 3339
)

// Reason codes. Endpoint failures are the tenant's to fix; pipeline poison
// is the operator's.
const (
	ReasonRetriesExhausted = "retries_exhausted"
	ReasonPermanentStatus  = "permanent_status" // a 4xx other than 410 and 429
	ReasonBlockedAddress   = "blocked_address"
	ReasonInvalidURL       = "invalid_url"
	ReasonMalformed        = "malformed_message"
	ReasonMaxReceive       = "max_receive_exceeded" // SQS redrive moved it: no attributes
)

// PipelinePoison reports whether a reason is the operator's tier.
func PipelinePoison(reason string) bool {
	switch reason {
	case ReasonMalformed, ReasonMaxReceive, "":
		return true
	}
	return false
}

// BuildEnvelope returns the exact bytes POSTed to endpoints. It is built
// once per event (fan-out, test sends); data must be valid JSON.
func BuildEnvelope(eventID, eventName, orgID string, timestamp int64, data json.RawMessage) ([]byte, error) {
	if !json.Valid(data) {
		return nil, fmt.Errorf("%w: data is not valid JSON", ErrMalformed)
	}
	// No HTML escaping: receivers see the producer's text as sent.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Envelope{ID: eventID, EventName: eventName, OrgID: orgID, Timestamp: timestamp, Data: data}); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
