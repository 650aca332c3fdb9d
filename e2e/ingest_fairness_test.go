package e2e

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/devbus"
	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// A producer's burst for one organization on the bus does not hold another
// organization's event behind it in the ingest queue, which is a fair queue
// by organization (bus.OrgPath is the rule target's message group). With
// fan-out busy while A's 100 events and then B's one arrive, B's event is
// in the first invocation after the busy one; in one group it would wait
// for the ten batches of A's ahead of it.
func TestABusBurstDoesNotHoldAnotherOrganizationsEvent(t *testing.T) {
	const burst = 100
	inv := &heldInvocations{release: make(chan struct{})}
	s := startTestStack(t, devrun.Options{Env: testEnv(), FanoutConcurrency: 1, WrapFanout: inv.wrap})
	t.Cleanup(inv.releaseFirst) // before the stack stops, which waits for the invocation

	put := devbus.NewLocal(s.SQS, s.Config.IngestQueueURL)
	ctx := context.Background()
	event := func(org string) bus.Event {
		return bus.Event{OrgID: org, EventName: "emailClick", Data: clickData}
	}
	if err := put.Put(ctx, []bus.Event{event("org_ingest_a")}); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, lambdaPatience, "fan-out busy with A's first event", func() bool { return inv.count() == 1 })
	for range burst / 10 {
		batch := make([]bus.Event, 10)
		for i := range batch {
			batch[i] = event("org_ingest_a")
		}
		if err := put.Put(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := put.Put(ctx, []bus.Event{event("org_ingest_b")}); err != nil {
		t.Fatal(err)
	}
	inv.releaseFirst()

	testenv.WaitFor(t, lambdaPatience, "every event fanned out", func() bool { return inv.records() >= burst+2 })
	at := inv.firstWith("org_ingest_b")
	if at != 1 {
		t.Fatalf("B's event was in fan-out invocation %d of %d, want the first after the busy one (1)", at, inv.count())
	}
}

// heldInvocations notes the organizations of each fan-out invocation, in
// order, and holds the first one until released.
type heldInvocations struct {
	mu      sync.Mutex
	orgs    [][]string
	release chan struct{}
	once    sync.Once
}

func (h *heldInvocations) wrap(next queue.Handler) queue.Handler {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		orgs := make([]string, 0, len(ev.Records))
		for _, m := range ev.Records {
			_, d, _ := bus.ParseRecord([]byte(m.Body))
			orgs = append(orgs, d.OrgID)
		}
		h.mu.Lock()
		h.orgs = append(h.orgs, orgs)
		first := len(h.orgs) == 1
		h.mu.Unlock()
		if first {
			select {
			case <-h.release:
			case <-ctx.Done():
			}
		}
		return next(ctx, ev)
	}
}

func (h *heldInvocations) releaseFirst() { h.once.Do(func() { close(h.release) }) }

func (h *heldInvocations) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.orgs)
}

func (h *heldInvocations) records() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, o := range h.orgs {
		n += len(o)
	}
	return n
}

// firstWith is the index of the first invocation holding org's event (-1:
// none).
func (h *heldInvocations) firstWith(org string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.IndexFunc(h.orgs, func(o []string) bool { return slices.Contains(o, org) })
}
