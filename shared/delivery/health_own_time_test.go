package delivery

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// slowIndex is the dead-letter index answering after delay (a throttled
// table whose SDK retries back off), then correctly.
type slowIndex struct {
	deliverylog.DeadLetterIndex
	delay time.Duration
}

func (s slowIndex) Add(ctx context.Context, d deliverylog.DeadLetter) error {
	time.Sleep(s.delay)
	return s.DeadLetterIndex.Add(ctx, d)
}

// slowSends is a queue whose sends answer after delay and deletes after
// half of it, then correctly.
type slowSends struct {
	Queue
	delay time.Duration
}

func (s slowSends) Delete(ctx context.Context, url, receipt string) error {
	time.Sleep(s.delay / 2)
	return s.Queue.Delete(ctx, url, receipt)
}

func (s slowSends) Send(ctx context.Context, url string, m queue.Message) error {
	time.Sleep(s.delay)
	return s.Queue.Send(ctx, url, m)
}

// A dead letter whose index write, DLQ send and delete were slow but
// succeeded, together longer than one bookkeeping timeout, is still
// counted in the endpoint's health: the message is gone, nothing would
// count it later.
func TestASlowDeadLetterIsStillCountedInHealth(t *testing.T) {
	rc := newReceiver(t, false)
	he := newHealthEnv(t, time.Hour, 20, func(d *Deps) {
		d.DeadLetters = slowIndex{d.DeadLetters, 2200 * time.Millisecond}
		d.Queue = slowSends{d.Queue, 2200 * time.Millisecond}
	})
	he.create(t, "wh_bad", rc.srv.URL+"/status/400", true)
	he.handle(t, sqsMessage(t, "org_a", "wh_bad", "evt_1"))
	if he.dlqSends() != 1 {
		t.Fatalf("%d dead letters, want 1", he.dlqSends())
	}
	if w := he.get(t, "wh_bad"); w.Health.ConsecutiveFailures != 1 || w.Health.FailingSince.IsZero() {
		t.Fatalf("health after the dead letter: consecutive_failures=%d failing_since=%v; want 1 and its first attempt",
			w.Health.ConsecutiveFailures, w.Health.FailingSince)
	}
}
