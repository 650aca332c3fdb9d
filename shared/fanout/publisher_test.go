package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/ids"
)

func TestPublishDeduplicatesProducerIDsPerOrg(t *testing.T) {
	e := newEnv(t, testCatalog)
	data := json.RawMessage(`{"a":1}`)
	first, err := e.pub.Publish(e.ctx, "org_a", "emailClick", data, "order-42")
	if err != nil {
		t.Fatal(err)
	}
	dup, err := e.pub.Publish(e.ctx, "org_a", "emailClick", data, "order-42")
	if err != nil || dup != first {
		t.Fatalf("duplicate returned %q (%v), want the original %q", dup, err, first)
	}
	other, err := e.pub.Publish(e.ctx, "org_b", "emailClick", data, "order-42")
	if err != nil || other == first || !ids.Valid(ids.EventPrefix, other) {
		t.Fatalf("same producer id in another org: %q (%v)", other, err)
	}
	// Only the two distinct events reached the bus, carrying the returned ids.
	got := map[string]bool{}
	for _, m := range e.drain(t, e.ingest, 2) {
		_, d, err := bus.ParseRecord([]byte(m.Body))
		if err != nil {
			t.Fatal(err)
		}
		got[d.ID] = true
	}
	if !got[first] || !got[other] {
		t.Fatalf("bus carried %v, want %s and %s", got, first, other)
	}
}

// flakyBus fails its first Put, then delegates.
type flakyBus struct {
	bus.Bus
	failures int
}

func (f *flakyBus) Put(ctx context.Context, evs []bus.Event) error {
	if f.failures > 0 {
		f.failures--
		return errors.New("bus down")
	}
	return f.Bus.Put(ctx, evs)
}

func TestPublishReleasesTheProducerIDWhenTheBusFails(t *testing.T) {
	e := newEnv(t, testCatalog)
	p := NewPublisher(&flakyBus{Bus: e.bus, failures: 1}, e.idem)
	if id, err := p.Publish(e.ctx, "org_a", "emailClick", json.RawMessage(`{}`), "order-7"); err == nil {
		t.Fatalf("Publish on a failing bus returned %q without error", id)
	}
	e.drain(t, e.ingest, 0)
	id, err := p.Publish(e.ctx, "org_a", "emailClick", json.RawMessage(`{}`), "order-7")
	if err != nil {
		t.Fatalf("retry after a failed publish: %v", err)
	}
	_, d, _ := bus.ParseRecord([]byte(e.drain(t, e.ingest, 1)[0].Body))
	if d.ID != id {
		t.Fatalf("retry was not published: bus carried %q, returned %q", d.ID, id)
	}
}
