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
	// SentAt orders a webhook's parked deliveries; it is the delivery
	// message's send time, so parking the same message twice (a crash
	// before the queue delete) writes the same item.
	SentAt time.Time
	// ParkedAt is when it was parked: what a recover's since compares. A
	// delivery sent before its endpoint's failure run began (a retry due
	// after the disable) is parked after it all the same, and must come
	// back with the run's recover.
	ParkedAt time.Time
	Message  string
}

// ParkedStore keeps parked deliveries until a recover or their TTL.
type ParkedStore interface {
	Park(ctx context.Context, p Parked) error
	// Since returns up to limit of the webhook's parked deliveries parked at
	// or after since (ParkedAt), oldest sent first. A recover unparks what
	// it queued, so calling again with the same since gets the next ones.
	// Each call reads a bounded amount: more says it stopped there, before
	// limit, or that a delivery was parked behind it meanwhile; the next
	// call with the same since continues.
	Since(ctx context.Context, orgID, webhookID string, since time.Time, limit int) (ps []Parked, more bool, err error)
	// Unpark removes one once its recover put it back on the delivery
	// queue. removed says it was still there.
	Unpark(ctx context.Context, p Parked) (removed bool, err error)
	// TakeBack removes one for deliver, whose park came too late (the
	// endpoint was enabled meanwhile), unless a recover's claim on it
	// stands: that recover is sending it. removed says it was there
	// unclaimed and is gone now; otherwise claimedFor > 0 is how long the
	// standing claim has left, and 0 says it was gone already (a recover
	// queued it).
	TakeBack(ctx context.Context, p Parked) (removed bool, claimedFor time.Duration, err error)
	// Claim reserves p for one recover for d before it sends it, so a
	// second recover at the same time (a double click) skips it. claimed
	// is false while another's claim stands, or once p is unparked.
	Claim(ctx context.Context, p Parked, d time.Duration) (claimed bool, err error)
	// Release ends a claim whose recover could not send p, so the
	// tenant's next recover sends it at once (not after the claim).
	Release(ctx context.Context, p Parked) error
}
