package poller

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
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
