package dlq

import (
	"context"
	"errors"
	"testing"

	"github.com/hookrelay/hookrelay/shared/queue"
)

// ingestLetter is a producer event as fan-out dead-letters it to the
// ingest DLQ: the EventBridge event as the body, the reason as attributes.
var ingestLetter = queue.Message{
	Body:       `{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"emailClik","source":"hookrelay","account":"000000000000","time":"2026-12-02T09:00:00Z","region":"us-east-1","resources":[],"detail":{"organization_id":"org_a","data":{}}}`,
	Attributes: map[string]string{"reason": "unknown_event_type", "organization_id": "org_a", "event_name": "emailClik"},
}

// The ingest DLQ has no RedrivePolicy, as the delivery DLQ has none, so
// only its letters tell it apart. Given as the DLQ, every operation fails
// naming it and leaves every letter where it was: a purge of the pipeline
// tier used to delete the producer events, their only copy.
func TestTheIngestDLQGivenAsTheDLQIsRefused(t *testing.T) {
	f := newFixture(t, 5)
	if err := f.q.Send(context.Background(), f.dlqURL, ingestLetter); err != nil {
		t.Fatal(err)
	}
	ops := f.ops(nil)
	ctx := context.Background()
	_, listErr := ops.List(ctx, Filter{}, 100, "")
	_, purgeErr := ops.Purge(ctx, Filter{Tier: TierPipeline})
	_, redriveErr := ops.Redrive(ctx, Filter{Tier: TierPipeline}, false, nil)
	_, dryErr := ops.Redrive(ctx, Filter{Tier: TierPipeline}, true, nil)
	for name, err := range map[string]error{"list": listErr, "purge": purgeErr, "redrive": redriveErr, "dry run": dryErr} {
		if !errors.Is(err, ErrProducerEvents) {
			t.Errorf("%s: %v, want ErrProducerEvents", name, err)
		}
	}
	want := f.bodies(func(seed) bool { return true })
	want[ingestLetter.Body] = true
	sameSet(t, "DLQ", count(drain(t, f.q, f.dlqURL)), want)
	if got := drain(t, f.q, f.deliveryURL); len(got) != 0 {
		t.Fatalf("%d messages sent to the delivery queue", len(got))
	}
}

func TestProducerEventTellsEventBridgeEventsFromDeliveries(t *testing.T) {
	f := newFixture(t, 5)
	for _, s := range f.seeds {
		if producerEvent(s.body) {
			t.Errorf("a delivery letter taken for a producer event: %s", s.body)
		}
	}
	for _, body := range []string{`{"detail-type":"x","source":"y"}`, `{"detail-type":"x","detail":{}}`, `not json`, `[]`} {
		if producerEvent(body) {
			t.Errorf("%s taken for a producer event", body)
		}
	}
	if !producerEvent(ingestLetter.Body) {
		t.Error("the ingest DLQ's letter not recognised")
	}
}
