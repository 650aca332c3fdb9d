package fanout

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// A continuation on the real ingest queue (goaws, received through
// sqsqueue with its message attributes) fans out only to the webhooks
// after its mark, in the store's (dynalite's) id order, under the event's
// own delivery ids.
func TestAContinuationFansOutOnlyToTheWebhooksAfterItsMark(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, testCatalog)
	var hooks []string
	for range 5 {
		hooks = append(hooks, e.webhook(t, "org_a", true, "*"))
	}
	e.webhook(t, "org_b", true, "*")
	slices.Sort(hooks) // ids made in one millisecond are in random order
	eventID, err := e.pub.Publish(e.ctx, "org_a", "emailClick", json.RawMessage(`{"a":1}`), "")
	if err != nil {
		t.Fatal(err)
	}
	first := e.drain(t, e.ingest, 1)[0]
	if err := e.q.Send(e.ctx, e.ingest, queue.Message{Body: first.Body, Attributes: map[string]string{message.AttrResumeAfter: hooks[1]}}); err != nil {
		t.Fatal(err)
	}
	next := e.drain(t, e.ingest, 1)
	if got := queue.AttributesOf(next[0])[message.AttrResumeAfter]; got != hooks[1] {
		t.Fatalf("received the continuation with %s = %q, want %s", message.AttrResumeAfter, got, hooks[1])
	}
	e.handle(t, next...)
	deliveredAs(t, e.drain(t, e.delivery, 3), eventID, hooks[2:]...)
	e.drain(t, e.ingest, 0)
	e.drain(t, e.dlq, 0)
}

// expiringQueue is the emulators' queue whose clock expires after cutAfter
// SendBatch calls went: the budget refuses the ones after.
type expiringQueue struct {
	Queue
	clock    *budgetClock
	cutAfter int
	mu       sync.Mutex
	calls    int
}

func (q *expiringQueue) SendBatch(ctx context.Context, url string, msgs []queue.Message) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls++
	if q.calls == q.cutAfter {
		defer q.clock.expire()
	}
	return q.Queue.SendBatch(ctx, url, msgs)
}

// The whole way on the emulators: a producer's direct put of an API
// publish that was never confirmed, to 25 endpoints, of which one
// invocation sends 10. The record goes back to the ingest queue and its
// next receive delivers the other 15, all under the API's event id, and
// only then is the claim confirmed.
func TestAFanOutTooLargeForOneInvocationEndsDelivered(t *testing.T) {
	t.Parallel() // its own emulators
	f := newFallback(t, "order-25", "25252525-b491-4cf7-a9f1-bf3703467718")
	hooks := []string{f.hook}
	for len(hooks) < 25 {
		hooks = append(hooks, f.webhook(t, "org_a", true, "*"))
	}
	clock := &budgetClock{start: time.Now()}
	d := f.deps(testCatalog)
	d.Queue = &expiringQueue{Queue: f.q, clock: clock, cutAfter: 1}
	cut := NewHandler(d)
	cut.now = clock.now
	ctx, cancel := context.WithDeadline(f.ctx, clock.start.Add(time.Minute))
	defer cancel()
	resp, err := cut.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{f.direct}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("first part: %v %v, want the record continued, not failed", err, resp.BatchItemFailures)
	}
	msgs := f.drain(t, f.delivery, 10)
	if owner, published, err := f.idem.Claim(f.ctx, "org_a", "order-25", "evt_other"); err != nil || owner != f.owner || published {
		t.Fatalf("claim after the first part: %s published=%v (%v), want %s still pending", owner, published, err, f.owner)
	}

	f.handle(t, f.drain(t, f.ingest, 1)...)
	msgs = append(msgs, f.drain(t, f.delivery, 15)...)
	deliveredAs(t, msgs, f.owner, hooks...) // each exactly once
	f.drain(t, f.ingest, 0)
	f.drain(t, f.dlq, 0)
	f.confirmed(t, "org_a", "order-25", f.owner)
}
