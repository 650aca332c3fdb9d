package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/ids"
)

// Idempotency is the producer-id store (dynamo.IdempotencyStore).
type Idempotency interface {
	Claimer
	// Release drops the claim if eventID still owns it.
	Release(ctx context.Context, orgID, producerID, eventID string) error
}

// Publisher puts tenant events on the bus for the API. Name, schema and
// size are the API's to check before calling it.
type Publisher struct {
	bus  bus.Bus
	idem Idempotency
	Now  func() time.Time
}

// NewPublisher returns a publisher over a bus and the idempotency store.
func NewPublisher(b bus.Bus, idem Idempotency) *Publisher {
	if b == nil || idem == nil {
		panic("fanout: NewPublisher needs a bus and an idempotency store")
	}
	return &Publisher{bus: b, idem: idem, Now: time.Now}
}

// Publish returns the event id endpoints will see in the envelope. With a
// producerID, the same id from the same org within the idempotency window
// is not published again: the original event's id is returned instead.
func (p *Publisher) Publish(ctx context.Context, orgID, eventName string, data json.RawMessage, producerID string) (string, error) {
	now := p.Now()
	eventID := ids.NewAt(ids.EventPrefix, now)
	if producerID != "" {
		owner, err := p.idem.Claim(ctx, orgID, producerID, eventID)
		if err != nil {
			return "", fmt.Errorf("publish %s: %w", eventName, err)
		}
		if owner != eventID {
			return owner, nil
		}
	}
	err := p.bus.Put(ctx, []bus.Event{{OrgID: orgID, EventName: eventName, EventID: eventID, Data: data, Time: now}})
	if err == nil {
		return eventID, nil
	}
	err = fmt.Errorf("publish %s: %w", eventName, err)
	if producerID != "" {
		// Nothing was published, so the producer's retry must publish: give
		// the id back even if the caller's context is what failed.
		if rerr := p.idem.Release(context.WithoutCancel(ctx), orgID, producerID, eventID); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	return "", err
}
