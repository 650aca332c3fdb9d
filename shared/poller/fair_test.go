package poller

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

func groupOfID(m events.SQSMessage) string { return m.MessageId[:1] }

func msgs(group string, n int) []events.SQSMessage {
	out := make([]events.SQSMessage, n)
	for i := range out {
		out[i] = events.SQSMessage{MessageId: fmt.Sprintf("%s%03d", group, i)}
	}
	return out
}

// A tenant with a backlog does not make another wait behind it: the next
// invocation goes to the group with the fewest messages in flight, then
// to the one served longest ago.
func TestFairPoolServesTheQuietTenantBetweenTheNoisyOnesBatches(t *testing.T) {
	f := newFairPool()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	f.add(msgs("a", 40), groupOfID, now)
	f.add(msgs("b", 5), groupOfID, now.Add(time.Millisecond))
	take := func() (string, int) {
		g, batch := f.take(10, time.Minute, clock)
		for _, m := range batch {
			if groupOfID(m) != g {
				t.Fatalf("batch of group %s holds %s", g, m.MessageId)
			}
		}
		return g, len(batch)
	}
	if g, n := take(); g != "a" || n != 10 {
		t.Fatalf("first batch %s×%d, want a×10 (waiting longest)", g, n)
	}
	if g, n := take(); g != "b" || n != 5 {
		t.Fatalf("second batch %s×%d, want b×5: b has nothing in flight", g, n)
	}
	f.finish("b", 5)
	f.finish("a", 10)
	f.add(msgs("b", 1), groupOfID, now)
	// Nothing in flight: turns alternate, a (served longer ago) first.
	if g, _ := take(); g != "a" {
		t.Fatalf("third batch %s, want a", g)
	}
	if g, n := take(); g != "b" || n != 1 {
		t.Fatalf("fourth batch %s×%d, want b×1 before a's rest", g, n)
	}
}

func TestFairPoolDropsStaleMessagesAndCloses(t *testing.T) {
	f := newFairPool()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	f.add(msgs("a", 3), groupOfID, now)
	f.add(msgs("b", 2), groupOfID, now.Add(50*time.Second))
	g, batch := f.take(10, 30*time.Second, func() time.Time { return now.Add(60 * time.Second) })
	if g != "b" || len(batch) != 2 || f.size != 0 {
		t.Fatalf("took %s×%d (pool %d), want a's stale messages dropped and b's 2", g, len(batch), f.size)
	}
	if !f.waitRoom(1) {
		t.Fatal("an open, empty pool has no room")
	}
	f.close()
	if _, batch := f.take(10, 0, time.Now); batch != nil || f.waitRoom(1) {
		t.Fatal("a closed pool still serves")
	}
}

// On the local stack's goaws (a fair queue for messages with a group, as
// SQS is), tenant b's one message, sent after tenant a's sixty, is handled
// in the second batch, not after a's backlog: the queue hands it out in
// the first receive and the pool serves b (nothing in flight) next.
func TestFairDispatchOnGoawsServesTheQuietTenantBeforeTheBacklog(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 30)
	var sends []queue.Message
	for i := range 60 {
		sends = append(sends, queue.Message{Body: fmt.Sprintf("a%02d", i), Group: "a"})
	}
	sends = append(sends, queue.Message{Body: "b00", Group: "b"})
	if _, err := f.q.SendBatch(context.Background(), f.url, sends); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var batches [][]string
	start(t, &Poller{Name: "test", Queue: f.q, QueueURL: f.url, Wait: time.Second, Concurrency: 1,
		Group: func(m events.SQSMessage) string { return m.Body[:1] },
		Handler: func(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			var bodies []string
			for _, m := range ev.Records {
				bodies = append(bodies, m.Body)
			}
			mu.Lock()
			batches = append(batches, bodies)
			mu.Unlock()
			return events.SQSEventResponse{}, nil
		}})
	handled := func() (n int) {
		mu.Lock()
		defer mu.Unlock()
		for _, b := range batches {
			n += len(b)
		}
		return n
	}
	// At least: on a machine loaded past the queue's 30 s visibility a
	// message comes back and is handled twice, which is not what this
	// test is about.
	testenv.WaitFor(t, time.Minute, "every message handled", func() bool { return handled() >= len(sends) })
	mu.Lock()
	defer mu.Unlock()
	for i, b := range batches {
		if slices.Contains(b, "b00") {
			if i > 1 {
				t.Errorf("b's message was handled in batch %d, behind a's backlog: %v", i+1, batches)
			}
			return
		}
	}
	t.Fatalf("b's message was never handled: %v", batches)
}
