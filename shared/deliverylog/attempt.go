// Package deliverylog is what hookrelay remembers of its deliveries: each
// delivery's record (attempt counter, status, the queue message for a
// resend) and the attempt log, one entry per POST made, listed per webhook
// newest first. The DynamoDB adapter (package dynamo) stores both.
package deliverylog

import (
	"context"
	"errors"
	"time"
)

// Outcome of one attempt.
const (
	OutcomeDelivered    = "delivered"
	OutcomeRetrying     = "retrying"      // failed, will be retried
	OutcomeDeadLettered = "dead_lettered" // failed, sent to the DLQ
	OutcomeRemoved      = "removed"       // 410 Gone: webhook deleted
	OutcomeSkipped      = "skipped"       // webhook deleted, disabled or unsubscribed meanwhile
	// OutcomeFailed: a test event at an endpoint disabled for failing
	// failed its one attempt; it is neither retried nor dead-lettered.
	OutcomeFailed = "failed"
)

// Attempt is one POST to an endpoint (or a skip).
type Attempt struct {
	DeliveryID string    `json:"delivery_id"`
	EventID    string    `json:"event_id"`
	EventName  string    `json:"event_name"`
	OrgID      string    `json:"organization_id"`
	WebhookID  string    `json:"webhook_id"`
	Attempt    int       `json:"attempt"`
	At         time.Time `json:"at"`
	Outcome    string    `json:"outcome"`
	StatusCode int       `json:"status_code,omitempty"`
	ErrorClass string    `json:"error_class,omitempty"` // timeout, connection_reset, tls, blocked_address, ...
	LatencyMS  int64     `json:"latency_ms"`
	Response   string    `json:"response_excerpt,omitempty"` // at most 1 KB
	// Test marks an attempt of the tenant's own test (POST …/test, or a
	// resend of it), as its queue message is marked (message.Delivery.Test).
	Test bool `json:"test,omitempty"`
}

// Log lists recorded attempts.
type Log interface {
	// List returns the webhook's attempts newest first, paginated by an opaque cursor.
	List(ctx context.Context, orgID, webhookID string, limit int, cursor string) ([]Attempt, string, error)
}

// ErrNotFound means no delivery with that id exists for that webhook.
var ErrNotFound = errors.New("delivery not found")
