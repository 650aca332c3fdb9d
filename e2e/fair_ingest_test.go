package e2e

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/devbus"
	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// TestABusBurstDoesNotHoldBackAnotherTenant: tenant A puts 300 events on
// the bus at once, then tenant B one, while fan-out (one batch at a time)
// is held on A's first batch. The ingest queue is fair by organization
// (the ingest rule's target sets each message's group from bus.GroupPath;
// goaws-loopback models SQS fair queues), so B's event is
// fanned out within the next batches, not after A's whole backlog.
func TestABusBurstDoesNotHoldBackAnotherTenant(t *testing.T) {
	t.Parallel()
	const burst = 300
	const orgA, orgB = "org_fair_burst", "org_fair_quiet"
	gate := make(chan struct{})
	var mu sync.Mutex
	var order []string // the organization of each record fan-out was given, in order
	wrap := func(next queue.Handler) queue.Handler {
		return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			<-gate // hold fan-out until B's event is on the queue
			mu.Lock()
			for _, r := range ev.Records {
				_, d, _ := bus.ParseRecord([]byte(r.Body))
				order = append(order, d.OrgID)
			}
			mu.Unlock()
			return next(ctx, ev)
		}
	}
	s := startTestStack(t, devrun.Options{FanoutConcurrency: 1, WrapFanout: wrap})
	producer := devbus.NewLocal(s.SQS, s.State.IngestQueueURL)
	ctx := context.Background()
	put := func(org string, n int) {
		batch := make([]bus.Event, 0, bus.MaxEntries)
		for i := range n {
			batch = append(batch, bus.Event{OrgID: org, EventName: "emailClick", EventID: ids.New(ids.EventPrefix), Data: clickData, Source: bus.DefaultSource})
			if len(batch) == bus.MaxEntries || i == n-1 {
				if err := producer.Put(ctx, batch); err != nil {
					close(gate)
					t.Fatalf("put %s's events: %v", org, err)
				}
				batch = batch[:0]
			}
		}
	}
	put(orgA, burst)
	put(orgB, 1)
	close(gate)

	testenv.WaitFor(t, 3*time.Minute, "fan-out to take every record", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(order) >= burst+1
	})
	mu.Lock()
	defer mu.Unlock()
	// Before B: A's held batch, and at most one more the poller may have
	// received before B's event was put (B lands 11th here). In queue
	// order B's event would come after all of A's.
	at := slices.Index(order, orgB)
	if at < 0 || at > 3*bus.MaxEntries {
		t.Errorf("B's event was fanned out after %d of A's %d (want at most %d)", at, burst, 3*bus.MaxEntries)
	}
}
