package deliverylog

import (
	"context"
	"time"
)

// OutcomeParked: the endpoint was disabled for failing; the delivery is
// kept (Parked) for a recover instead of being POSTed or dead-lettered.
const OutcomeParked = "parked"

// Parked is one delivery kept for an endpoint disabled for failing, with
// the exact delivery queue body a recover sends again.
type Parked struct {
	OrgID      string
	WebhookID  string
	DeliveryID string
	// ParkedAt orders a webhook's parked deliveries; it is the delivery
	// message's send time, so parking the same message twice (a crash
	// before the queue delete) writes the same item.
	ParkedAt time.Time
	Message  string
}

// ParkedStore keeps parked deliveries until a recover or their TTL.
type ParkedStore interface {
	Park(ctx context.Context, p Parked) error
	// Since returns up to limit of the webhook's parked deliveries parked at
	// or after since, oldest first, starting after the one named by after
	// (its ParkedAt and DeliveryID; zero Parked for the first page).
	Since(ctx context.Context, orgID, webhookID string, since time.Time, after Parked, limit int) ([]Parked, error)
	// Unpark removes one once it is back on the delivery queue.
	Unpark(ctx context.Context, p Parked) error
}
