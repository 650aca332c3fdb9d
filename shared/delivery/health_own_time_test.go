package delivery

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/detach"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// slowDelete is a queue whose delete after a dead letter answers only once
// the context its DLQ send ran under has ended (a throttled queue whose SDK
// retries back off): the bookkeeping time of the index write and the send
// is then spent whatever the machine's speed, with no wall-clock margin to
// miss on a loaded one.
type slowDelete struct {
	Queue
	sendCtx context.Context // Send and Delete run one after the other, in one goroutine
}

func (s *slowDelete) Send(ctx context.Context, url string, m queue.Message) error {
	s.sendCtx = ctx
	return s.Queue.Send(ctx, url, m)
}

func (s *slowDelete) Delete(ctx context.Context, url, receipt string) error {
	if s.sendCtx != nil {
		select {
		case <-s.sendCtx.Done():
		case <-ctx.Done():
		}
	}
	return s.Queue.Delete(ctx, url, receipt)
}

// A dead letter whose DLQ delete was slow, outlasting the bookkeeping
// time its index write and send shared, is still counted in the endpoint's
// health: the message is gone, nothing would count it later.
func TestASlowDeadLetterIsStillCountedInHealth(t *testing.T) {
	rc := newReceiver(t, false)
	he := newHealthEnv(t, time.Hour, 20, func(d *Deps) {
		d.Queue = &slowDelete{Queue: d.Queue}
	})
	he.create(t, "wh_bad", rc.srv.URL+"/status/400", true)
	start := time.Now()
	he.handle(t, sqsMessage(t, "org_a", "wh_bad", "evt_1"))
	if he.dlqSends() != 1 {
		t.Fatalf("%d dead letters, want 1", he.dlqSends())
	}
	// Else the delete did not wait, and this proves nothing.
	if took := time.Since(start); took < detach.BookkeepingTimeout {
		t.Fatalf("handled in %v: the delete did not outlast the send's bookkeeping time", took)
	}
	if w := he.get(t, "wh_bad"); w.Health.ConsecutiveFailures != 1 || w.Health.FailingSince.IsZero() {
		t.Fatalf("health after the dead letter: consecutive_failures=%d failing_since=%v; want 1 and its first attempt",
			w.Health.ConsecutiveFailures, w.Health.FailingSince)
	}
}
