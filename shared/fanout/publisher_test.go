package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/ids"
)

func TestPublishDeduplicatesProducerIDsPerOrg(t *testing.T) {
	t.Parallel() // its own emulators
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

// failingBus fails its first Put, then delegates.
type failingBus struct {
	bus.Bus
	failures int
}

func (f *failingBus) Put(ctx context.Context, evs []bus.Event) error {
	if f.failures > 0 {
		f.failures--
		return errors.New("bus down")
	}
	return f.Bus.Put(ctx, evs)
}

// hangingBus blocks every Put until its context ends or the test lets go:
// a publish that never returns, like a Lambda killed at its timeout.
type hangingBus struct {
	entered chan struct{}
	release chan struct{}
}

func (h *hangingBus) Put(ctx context.Context, _ []bus.Event) error {
	h.entered <- struct{}{}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-h.release:
		return errors.New("killed")
	}
}

// publishedIDs drains the ingest queue and returns the event ids on it.
func (e *env) publishedIDs(t *testing.T, want int) []string {
	t.Helper()
	var out []string
	for _, m := range e.drain(t, e.ingest, want) {
		_, d, err := bus.ParseRecord([]byte(m.Body))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d.ID)
	}
	return out
}

func TestPublishRetryAfterAFailedBusPublishes(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, testCatalog)
	p := NewPublisher(&failingBus{Bus: e.bus, failures: 1}, e.idem)
	if id, err := p.Publish(e.ctx, "org_a", "emailClick", json.RawMessage(`{}`), "order-7"); err == nil {
		t.Fatalf("Publish on a failing bus returned %q without error", id)
	}
	e.drain(t, e.ingest, 0)
	id, err := p.Publish(e.ctx, "org_a", "emailClick", json.RawMessage(`{}`), "order-7")
	if err != nil {
		t.Fatalf("retry after a failed publish: %v", err)
	}
	if got := e.publishedIDs(t, 1); got[0] != id {
		t.Fatalf("retry was not published: bus carried %q, returned %q", got[0], id)
	}
}

func TestPublishRetryAfterATimedOutPublishPublishes(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, testCatalog)
	hang := &hangingBus{entered: make(chan struct{}, 1), release: make(chan struct{})}
	ctx, cancel := context.WithTimeout(e.ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := NewPublisher(hang, e.idem).Publish(ctx, "org_a", "emailClick", json.RawMessage(`{}`), "order-8"); err == nil {
		t.Fatal("a publish that timed out reported success")
	}
	id, err := e.pub.Publish(e.ctx, "org_a", "emailClick", json.RawMessage(`{}`), "order-8")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.publishedIDs(t, 1); got[0] != id {
		t.Fatalf("the retry returned %s but the bus carried %v", id, got)
	}
}

// The first publish is killed mid-call (it never returns, never releases
// anything): another instance's retry must publish, under the same event
// id, and later retries get that id without publishing again.
func TestPublishRetryWhileTheFirstPublishHangsPublishesTheSameEvent(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, testCatalog)
	hang := &hangingBus{entered: make(chan struct{}, 1), release: make(chan struct{})}
	var firstErr error
	firstDone := make(chan struct{})
	go func() {
		defer close(firstDone)
		_, firstErr = NewPublisher(hang, e.idem).Publish(e.ctx, "org_a", "emailClick", json.RawMessage(`{"n":1}`), "order-9")
	}()
	var kill sync.Once
	killFirst := func() { kill.Do(func() { close(hang.release) }); <-firstDone }
	t.Cleanup(killFirst) // joined however the test ends
	<-hang.entered       // claimed, and stuck in the bus

	id, err := e.pub.Publish(e.ctx, "org_a", "emailClick", json.RawMessage(`{"n":1}`), "order-9")
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if got := e.publishedIDs(t, 1); got[0] != id {
		t.Fatalf("the retry returned %s but the bus carried %v: the event was swallowed", id, got)
	}
	again, err := e.pub.Publish(e.ctx, "org_a", "emailClick", json.RawMessage(`{"n":1}`), "order-9")
	if err != nil || again != id {
		t.Fatalf("a retry after the confirmed publish: %q (%v), want %q", again, err, id)
	}
	e.drain(t, e.ingest, 0) // confirmed: not published a second time
	killFirst()
	if firstErr == nil {
		t.Fatal("the killed publish reported success")
	}
}

// idemDown confirms nothing: the store fails right after the publish.
type idemDown struct{ Idempotency }

func (idemDown) Published(context.Context, string, string, string) error {
	return errors.New("dynamodb unreachable")
}

func TestPublishAnUnconfirmedClaimRepublishesTheSameEventID(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, testCatalog)
	id, err := NewPublisher(e.bus, idemDown{e.idem}).Publish(e.ctx, "org_a", "emailClick", json.RawMessage(`{}`), "order-10")
	if err != nil {
		t.Fatalf("the event is on the bus, the confirmation is not: %v", err)
	}
	retry, err := e.pub.Publish(e.ctx, "org_a", "emailClick", json.RawMessage(`{}`), "order-10")
	if err != nil || retry != id {
		t.Fatalf("retry: %q (%v), want %q", retry, err, id)
	}
	// Published twice under one event id: the same delivery ids, which
	// endpoints deduplicate on.
	if got := e.publishedIDs(t, 2); got[0] != id || got[1] != id {
		t.Fatalf("bus carried %v, want %s twice", got, id)
	}
}

// An empty producer id is none (README, OpenAPI): every publish is an
// event of its own, published with an id of its own.
func TestPublishAnEmptyProducerIDIsNone(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, testCatalog)
	data := json.RawMessage(`{"a":1}`)
	first, err := e.pub.Publish(e.ctx, "org_a", "emailClick", data, "")
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.pub.Publish(e.ctx, "org_a", "emailClick", data, "")
	if err != nil || second == first {
		t.Fatalf("second publish with an empty id returned %q (%v), want an event of its own (first %q)", second, err, first)
	}
	got := e.publishedIDs(t, 2)
	if len(got) != 2 || got[0] == got[1] {
		t.Fatalf("bus carried %v, want two events", got)
	}
}
