// Package message defines what travels on the delivery queue and the DLQ.
// The version is a contract between fan-out, delivery, resend and redrive:
// add fields, never change the meaning of one; a new encoding is a new
// version, and Decode keeps reading the old ones.
package message

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hookrelay/hookrelay/shared/plainjson"
)

// Version is the delivery message version Encode writes. Decode also
// reads version 1, which may still sit in queues and DLQs after an upgrade.
const Version = 2

// Delivery is one event to one endpoint. Envelope holds the exact bytes
// POSTed to the endpoint, built once at fan-out; retries resend them as-is.
type Delivery struct {
	V          int    `json:"v"`
	DeliveryID string `json:"delivery_id"`
	EventID    string `json:"event_id"`
	OrgID      string `json:"organization_id"`
	WebhookID  string `json:"webhook_id"`
	EventName  string `json:"event_name"`
	Envelope   string `json:"envelope"`
	// Test marks the tenant's own check of an endpoint (POST …/test, and
	// a resend of it, which re-sends these bytes): at an endpoint disabled
	// for failing it is POSTed once instead of parked, and a recover
	// leaves its dead letter. Only the test send sets it, never fan-out: a
	// producer may publish webhook.test too, and that event is delivered,
	// parked or dead-lettered like any other.
	Test bool `json:"test,omitempty"`
	// Resend counts the tenant's resends of the delivery: 0 from fan-out,
	// n on the message of the n-th resend (and on its retries, parks and
	// dead letters, which keep the body). A resend supersedes the retries
	// still pending: deliver drops a message whose Resend is below its
	// delivery record's, so one delivery id has one retry schedule.
	Resend int `json:"resend,omitempty"`
}

// wire is the queue message. Version 2 carries the envelope as raw JSON,
// byte for byte; version 1 carried it as a JSON string, whose escaping
// grew an envelope of many short strings by half or more (every `"`
// becomes `\"`, and json.Marshal wrote <, > and & as 6-byte escapes), so
// events well under the SQS limit became messages over it.
type wire struct {
	V          int             `json:"v"`
	DeliveryID string          `json:"delivery_id"`
	EventID    string          `json:"event_id"`
	OrgID      string          `json:"organization_id"`
	WebhookID  string          `json:"webhook_id"`
	EventName  string          `json:"event_name"`
	Test       bool            `json:"test,omitempty"` // absent in what fan-out writes and in older messages
	Resend     int             `json:"resend,omitempty"`
	Envelope   json.RawMessage `json:"envelope,omitempty"`
}

// ErrMalformed marks a message that can never be delivered (poison).
var ErrMalformed = errors.New("malformed delivery message")

// Encode returns the queue message body (version 2). The envelope must be
// a JSON object; it is spliced in verbatim rather than re-encoded, because
// encoding/json would compact it and the signed bytes must not change.
func (d Delivery) Encode() (string, error) {
	env := []byte(d.Envelope)
	if !json.Valid(env) || !bytes.HasPrefix(env, []byte("{")) {
		return "", fmt.Errorf("%w: envelope is not a JSON object", ErrMalformed)
	}
	head, err := plainjson.Marshal(wire{V: Version, DeliveryID: d.DeliveryID, EventID: d.EventID, OrgID: d.OrgID, WebhookID: d.WebhookID, EventName: d.EventName, Test: d.Test, Resend: d.Resend})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(len(head) + len(envelopeKey) + len(env) + 1)
	b.Write(head[:len(head)-1]) // drop the closing brace
	b.WriteString(envelopeKey)
	b.Write(env)
	b.WriteByte('}')
	return b.String(), nil
}

const envelopeKey = `,"envelope":`

// Decode parses and checks a queue message body of version 1 or 2.
func Decode(body string) (Delivery, error) {
	var w wire
	if err := json.Unmarshal([]byte(body), &w); err != nil {
		return Delivery{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	d := Delivery{V: w.V, DeliveryID: w.DeliveryID, EventID: w.EventID, OrgID: w.OrgID, WebhookID: w.WebhookID, EventName: w.EventName, Test: w.Test, Resend: w.Resend}
	switch {
	case w.V == 1 && bytes.HasPrefix(w.Envelope, []byte(`"`)):
		if err := json.Unmarshal(w.Envelope, &d.Envelope); err != nil {
			return Delivery{}, fmt.Errorf("%w: envelope: %v", ErrMalformed, err)
		}
	case w.V == 2 && bytes.HasPrefix(w.Envelope, []byte("{")):
		d.Envelope = string(w.Envelope)
	case w.V == 1 || w.V == 2:
		return Delivery{}, fmt.Errorf("%w: envelope of a version %d message must be a JSON %s", ErrMalformed, w.V, map[int]string{1: "string", 2: "object"}[w.V])
	default:
		return Delivery{}, fmt.Errorf("%w: unsupported version %d", ErrMalformed, w.V)
	}
	if d.DeliveryID == "" || d.EventID == "" || d.OrgID == "" || d.WebhookID == "" || d.EventName == "" || d.Envelope == "" {
		return Delivery{}, fmt.Errorf("%w: missing field", ErrMalformed)
	}
	return d, nil
}

// Envelope is the JSON body POSTed to endpoints (README, "The envelope and its
// signatures"). Field order is
// the order of the contract.
type Envelope struct {
	ID        string          `json:"id"`
	EventName string          `json:"event_name"`
	OrgID     string          `json:"organization_id"`
	Timestamp int64           `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// AttrReceiveCount is the SQS system attribute (not a message attribute)
// the event source passes on with every message: how many times it has
// been received, this time included. Delivery takes 1 to mean attempt 1.
const AttrReceiveCount = "ApproximateReceiveCount"

// AttrResumeAfter is the ingest message attribute of a fan-out
// continuation (shared/fanout, continue.go): the webhook id after which
// the record's fan-out resumes.
const AttrResumeAfter = "hookrelay-resume-after"

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
	// AttrDeadLetterID is the letter's id in its webhook's index of dead
	// letters (deliverylog.DeadLetter.ID), which deliver writes before the
	// DLQ send: the operators' tools read the tenant's tombstone by it.
	AttrDeadLetterID = "dead_letter_id"
)

// Reason codes. Endpoint failures are the tenant's to fix; pipeline poison
// is the operator's.
const (
	ReasonRetriesExhausted = "retries_exhausted"
	ReasonRetryBudget      = "retry_budget_exhausted" // the next retry would outlive config.RetryBudget
	ReasonPermanentStatus  = "permanent_status"       // a 4xx other than 410 and 429
	ReasonBlockedAddress   = "blocked_address"
	ReasonInvalidURL       = "invalid_url"
	ReasonMalformed        = "malformed_message"
	ReasonMaxReceive       = "max_receive_exceeded" // SQS redrive moved it: no attributes
)

// DeadLetterReasons are every reason a delivery dead letter can carry, in
// the order operators read them: the endpoint's first, then the pipeline's.
var DeadLetterReasons = []string{
	ReasonRetriesExhausted, ReasonRetryBudget, ReasonPermanentStatus, ReasonBlockedAddress, ReasonInvalidURL,
	ReasonMalformed, ReasonMaxReceive,
}

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
	return plainjson.Marshal(Envelope{ID: eventID, EventName: eventName, OrgID: orgID, Timestamp: timestamp, Data: data})
}
