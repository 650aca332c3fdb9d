package fanout

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/ids"
)

// Idempotency is the producer-id store (dynamo.IdempotencyStore).
type Idempotency interface {
	// Reserve claims the producer id for eventID, pending until Published,
	// and returns the owning event id and whether its publish was confirmed.
	Reserve(ctx context.Context, orgID, producerID, eventID string) (owner string, published bool, err error)
	// Published confirms eventID's claim.
	Published(ctx context.Context, orgID, producerID, eventID string) error
}

// Publisher puts tenant events on the bus for the API. Name, schema and
// size are the API's to check before calling it.
type Publisher struct {
	bus  bus.Bus
	idem Idempotency
	Now  func() time.Time
	Log  *slog.Logger
}

// NewPublisher returns a publisher over a bus and the idempotency store.
func NewPublisher(b bus.Bus, idem Idempotency) *Publisher {
	if b == nil || idem == nil {
		panic("fanout: NewPublisher needs a bus and an idempotency store")
	}
	return &Publisher{bus: b, idem: idem, Now: time.Now, Log: slog.Default()}
}

// Publish returns the event id endpoints will see in the envelope. With a
// producerID, the id is published at most once per org within the
// idempotency window, and a retry never gets an id back unless that event
// was confirmed on the bus: a claim whose publish was not confirmed (the
// bus failed, or the caller timed out or was killed mid-publish) is
// published again under the same event id. The delivery ids derive from
// the event id, so if the first publish did land after all, endpoints see
// the same X-Hookrelay-Delivery twice and deduplicate on it.
func (p *Publisher) Publish(ctx context.Context, orgID, eventName string, data json.RawMessage, producerID string) (string, error) {
	now := p.Now()
	eventID := ids.NewAt(ids.EventPrefix, now)
	if producerID != "" {
		owner, published, err := p.idem.Reserve(ctx, orgID, producerID, eventID)
		if err != nil {
			return "", fmt.Errorf("publish %s: %w", eventName, err)
		}
		if published {
			return owner, nil
		}
		eventID = owner
	}
	if err := p.bus.Put(ctx, []bus.Event{{OrgID: orgID, EventName: eventName, EventID: eventID, Data: data, Time: now}}); err != nil {
		// The claim stays pending: the producer's retry publishes it.
		return "", fmt.Errorf("publish %s: %w", eventName, err)
	}
	if producerID != "" {
		// The event is on the bus whatever happens next; an unconfirmed
		// claim only means a retry would publish it once more.
		if err := p.idem.Published(context.WithoutCancel(ctx), orgID, producerID, eventID); err != nil {
			p.Log.WarnContext(ctx, "published, but the producer id claim was not confirmed", "org_id", orgID,
				"event_name", eventName, "event_id", eventID, "error", err)
		}
	}
	return eventID, nil
}
