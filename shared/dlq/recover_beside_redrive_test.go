package dlq

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/queue"
)

// holdFirstSend blocks the first Send to url until release closes: the
// ordinary scheduling of two callers, one of them slower on its first letter.
type holdFirstSend struct {
	Queue
	url     string
	once    sync.Once
	held    chan struct{}
	release chan struct{}
}

func newHoldFirstSend(q Queue, url string) *holdFirstSend {
	return &holdFirstSend{Queue: q, url: url, held: make(chan struct{}), release: make(chan struct{})}
}

func (h *holdFirstSend) Send(ctx context.Context, url string, m queue.Message) error {
	first := false
	if url == h.url {
		h.once.Do(func() { first = true })
	}
	if first {
		close(h.held)
		<-h.release
	}
	return h.Queue.Send(ctx, url, m)
}

// recoverResult is what a RedriveWebhook run in a goroutine answered.
type recoverResult struct {
	n   int
	err error
}

// README: a delivery is never sent back twice, except after a crash. A
// tenant's recover and an operator's redrive of the same webhook's letters
// at once, whichever sends first, send each letter once: each claims a
// letter before it sends it, and skips one the other holds or closed.
func TestARecoverBesideARedriveSendsEachLetterOnce(t *testing.T) {
	t.Run("recover first", func(t *testing.T) {
		f := newFixture(t, 15)
		f.withIndex(t)
		want := f.indexed("org_a", "wh_orga0")
		hold := newHoldFirstSend(f.q, f.deliveryURL)
		got := f.startRecover(f.opsOver(hold, nil))
		<-hold.held // the recover has claimed its first letter and is sending it
		res, err := f.ops(nil).Redrive(context.Background(), Filter{OrgID: "org_a", WebhookID: "wh_orga0"}, false, nil)
		close(hold.release)
		r := <-got
		if err != nil || r.err != nil {
			t.Fatalf("redrive: %v; recover: %v", err, r.err)
		}
		f.requireEachSentOnce(t, want)
		// The letter the recover held stays in the DLQ for a later run.
		if res.Redriven != len(want)-1 || len(res.Skipped) != 1 || r.n != 1 {
			t.Fatalf("redrive %+v, recover sent %d; want the redrive to send %d and skip the recover's one", res, r.n, len(want)-1)
		}
		// A later redrive finds its tombstone and only deletes it.
		if res, err := f.ops(nil).Redrive(context.Background(), Filter{OrgID: "org_a", WebhookID: "wh_orga0"}, false, nil); err != nil || res.Closed != 1 || res.Redriven != 0 {
			t.Fatalf("later redrive: %+v, %v; want the recovered letter deleted unsent", res, err)
		}
		if sent := drain(t, f.q, f.deliveryURL); len(sent) != 0 {
			t.Fatalf("the later redrive sent %d letters", len(sent))
		}
	})
	t.Run("redrive first", func(t *testing.T) {
		f := newFixture(t, 15)
		f.withIndex(t)
		want := f.indexed("org_a", "wh_orga0")
		hold := newHoldFirstSend(f.q, f.deliveryURL)
		redrive := make(chan error, 1)
		var res Result
		go func() {
			var err error
			res, err = f.opsOver(hold, nil).Redrive(context.Background(), Filter{OrgID: "org_a", WebhookID: "wh_orga0"}, false, nil)
			redrive <- err
		}()
		<-hold.held // the redrive has claimed its first letter and is sending it
		r := <-f.startRecover(f.ops(nil))
		close(hold.release)
		if err := <-redrive; err != nil {
			t.Fatal(err)
		}
		f.requireEachSentOnce(t, want)
		// The recover sent the others and says more: one is in other hands.
		if !errors.Is(r.err, ErrMoreDeadLetters) || r.n != len(want)-1 {
			t.Fatalf("recover: %d, %v; want %d sent and ErrMoreDeadLetters", r.n, r.err, len(want)-1)
		}
		// The redrive deleted the copies of what the recover closed.
		if res.Redriven != 1 || res.Closed != len(want)-1 || len(res.Skipped) != 0 {
			t.Fatalf("redrive %+v; want 1 sent, %d deleted as closed", res, len(want)-1)
		}
	})
}

// startRecover runs the recover of org_a's wh_orga0 in a goroutine; the
// channel answers once it returned.
func (f *fixture) startRecover(o *Ops) <-chan recoverResult {
	got := make(chan recoverResult, 1)
	go func() {
		n, err := o.RedriveWebhook(context.Background(), "org_a", "wh_orga0", f.base.Add(-24*time.Hour), queue.Pace{})
		got <- recoverResult{n, err}
	}()
	return got
}

// requireEachSentOnce fails unless the delivery queue holds each of want
// exactly once, and nothing else.
func (f *fixture) requireEachSentOnce(t *testing.T, want map[string]bool) {
	t.Helper()
	sent := count(drain(t, f.q, f.deliveryURL))
	for b := range want {
		if sent[b] != 1 {
			t.Errorf("dead letter %.60s… sent back %d times, want once", b, sent[b])
		}
	}
	for b, n := range sent {
		if !want[b] {
			t.Errorf("%.60s… sent %d times, not one of the webhook's letters", b, n)
		}
	}
}
