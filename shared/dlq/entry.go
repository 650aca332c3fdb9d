// Package dlq is the operators' view of the delivery dead-letter queue:
// list and inspect dead letters, redrive them to the delivery queue, purge
// them. SQS has no "peek" and its own redrive cannot filter, so every
// operation here is built from receive, change visibility, send and delete,
// which AWS and goaws both answer.
package dlq

import (
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// Tiers: endpoint failures are the tenant's to fix (redrive once the
// endpoint answers); pipeline poison is the operator's (a bug or a crash).
const (
	TierEndpoint = "endpoint"
	TierPipeline = "pipeline"
)

// Entry is one dead letter as operators see it.
type Entry struct {
	MessageID string `json:"id"`
	// Delivery is the decoded delivery message; nil when the body is not one
	// (such an entry can never be redriven).
	Delivery    *message.Delivery `json:"delivery,omitempty"`
	DecodeError string            `json:"decode_error,omitempty"`
	Raw         string            `json:"body"`
	Reason      string            `json:"reason"`
	Tier        string            `json:"tier"`
	// LastStatus is the endpoint's last HTTP status; 0 when there was none
	// (connection error, timeout, blocked address, poison).
	LastStatus   int       `json:"last_status,omitempty"`
	LastError    string    `json:"last_error,omitempty"`
	Attempts     int       `json:"attempts"`
	OrgID        string    `json:"organization_id,omitempty"`
	WebhookID    string    `json:"webhook_id,omitempty"`
	EventName    string    `json:"event_name,omitempty"`
	FirstAttempt time.Time `json:"first_attempt_at,omitzero"`
	LastAttempt  time.Time `json:"last_attempt_at,omitzero"`
	// SentAt is SQS's SentTimestamp. goaws reports the receive time instead.
	SentAt time.Time `json:"sent_at,omitzero"`
	// ClosedBy and ClosedAt are the tombstone of the letter's item in its
	// webhook's index of dead letters (deliverylog.ClosedBy*), which Show
	// reads: "recover" when its tenant's recover sent it back already, so
	// a redrive deletes this copy instead of sending it (a listing leaves
	// such a letter out); empty when open, or without an item.
	ClosedBy string    `json:"closed_by,omitempty"`
	ClosedAt time.Time `json:"closed_at,omitzero"`
	// WebhookState is what a listing or show read of the letter's webhook
	// (with Ops.Webhooks): WebhookDeleted, WebhookUnsubscribed,
	// WebhookDisabledFailing or WebhookDisabled, where a redrive would not
	// deliver it; empty otherwise.
	WebhookState string `json:"webhook_state,omitempty"`

	// ref names the letter's index item; invalid when it has none (a
	// tenant's test, pipeline poison, an attribute trimmed for size).
	ref deliverylog.Ref

	// receipt is the handle of the latest receive; it never leaves the
	// package because it is a short-lived capability on the message.
	receipt string
	// until is when a held entry's hold ends at the earliest: the run
	// renews it from there, not from when it gets round to the entry.
	until time.Time
}

// DeadAt is when the entry was dead-lettered as far as the DLQ knows: the
// last attempt the delivery Lambda recorded, else (SQS's own redrive moved
// it, without attributes) the message's SentTimestamp.
func (e Entry) DeadAt() time.Time {
	if !e.LastAttempt.IsZero() {
		return e.LastAttempt
	}
	return e.SentAt
}

// TenantTest reports whether the entry is the dead letter of a test the
// tenant sent (POST …/test, message.Delivery.Test), not of a producer's
// webhook.test: deliver indexes none, so a tenant's recover leaves it for
// the operators.
func (e Entry) TenantTest() bool { return e.Delivery != nil && e.Delivery.Test }

// Closed reports whether the letter's index item is closed: sent back by
// its tenant's recover (or by an operator's redrive or purge that stopped
// before deleting this copy), so this copy is not to be delivered.
func (e Entry) Closed() bool { return e.ClosedBy != "" }

// Redrivable reports whether the body is a delivery message the delivery
// Lambda would accept; anything else would only dead-letter again.
func (e Entry) Redrivable() bool { return e.Delivery != nil }

// parseEntry reads a received DLQ message. Attributes win over the body
// because they are what the delivery Lambda recorded; the body fills the
// gaps for pipeline poison, which SQS moved without attributes.
func parseEntry(m events.SQSMessage) Entry {
	a := queue.AttributesOf(m)
	e := Entry{
		MessageID:    m.MessageId,
		receipt:      m.ReceiptHandle,
		Raw:          m.Body,
		Reason:       a[message.AttrReason],
		LastError:    a[message.AttrLastError],
		OrgID:        a[message.AttrOrgID],
		WebhookID:    a[message.AttrWebhookID],
		EventName:    a[message.AttrEventName],
		FirstAttempt: parseTime(a[message.AttrFirstAttempt]),
		LastAttempt:  parseTime(a[message.AttrLastAttempt]),
		SentAt:       parseMillis(m.Attributes["SentTimestamp"]),
	}
	e.LastStatus, _ = strconv.Atoi(a[message.AttrLastStatus])
	e.Attempts, _ = strconv.Atoi(a[message.AttrAttempts])

	d, err := message.Decode(m.Body)
	if err == nil {
		e.Delivery = &d
		e.OrgID = firstNonEmpty(e.OrgID, d.OrgID)
		e.WebhookID = firstNonEmpty(e.WebhookID, d.WebhookID)
		e.EventName = firstNonEmpty(e.EventName, d.EventName)
		// The body's organization and webhook: the item is deliver's, keyed
		// by the delivery it dead-lettered.
		e.ref = deliverylog.Ref{OrgID: d.OrgID, WebhookID: d.WebhookID, ID: a[message.AttrDeadLetterID]}
	} else {
		e.DecodeError = err.Error()
	}
	if e.Reason == "" {
		// No reason attribute: SQS's maxReceiveCount redrive moved it, most
		// likely because the body made the delivery Lambda fail every time.
		e.Reason = message.ReasonMaxReceive
		if err != nil {
			e.Reason = message.ReasonMalformed
		}
	}
	e.Tier = TierEndpoint
	if message.PipelinePoison(e.Reason) || err != nil {
		e.Tier = TierPipeline
	}
	return e
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func parseMillis(s string) time.Time {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
