package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/detach"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/wait"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// throttledAppend, throttledSend and throttledHealth answer after d, or
// fail when ctx ends first, as a throttled SDK call whose retries back off.
type throttledAppend struct {
	AttemptRecorder
	d time.Duration
}

func (s throttledAppend) Append(ctx context.Context, a deliverylog.Attempt, m string) error {
	if err := wait.Sleep(ctx, s.d); err != nil {
		return err
	}
	return s.AttemptRecorder.Append(ctx, a, m)
}

type throttledSend struct {
	Queue
	d time.Duration
}

func (s throttledSend) Send(ctx context.Context, url string, m queue.Message) error {
	if err := wait.Sleep(ctx, s.d); err != nil {
		return err
	}
	return s.Queue.Send(ctx, url, m)
}

// throttledHealth counts a dead letter after d (only RecordFailure is
// called on this path).
type throttledHealth struct {
	HealthStore
	d       time.Duration
	counted atomic.Bool
}

func (s *throttledHealth) RecordFailure(ctx context.Context, org, id string, first, dl time.Time) (webhook.Health, error) {
	if err := wait.Sleep(ctx, s.d); err != nil {
		return webhook.Health{}, err
	}
	s.counted.Store(true)
	return webhook.Health{ConsecutiveFailures: 1, FailingSince: first, FirstDeadLetterAt: dl}, nil
}

// A POST the deadline check lets through, answered with a 400 within
// the delivery timeout, whose dead-letter bookkeeping meets a throttled
// store (DLQ send, attempt entry and health count each slow, together far
// more than the reserve): the handler still returns before the
// invocation's deadline, since on Lambda the invocation would otherwise
// end and its whole batch, delivered messages too, come back. What the
// cut steps did not do is not lost: the message is either a dead letter
// or a batch item failure that comes back.
func TestDeadLetterBookkeepingEndsBeforeTheInvocationDeadline(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer srv.Close()
	cfg := testConfig()
	cfg.DeliveryTimeout = time.Second
	hs := &throttledHealth{d: 1200 * time.Millisecond}
	e := newEnv(t, cfg, func(d *Deps) {
		d.Queue = throttledSend{d.Queue, 1200 * time.Millisecond}
		d.Attempts = throttledAppend{d.Attempts, 1200 * time.Millisecond}
		d.Health = hs
	})
	e.webhooks.put(webhook.Webhook{ID: "wh_x", OrgID: "org_a", URL: srv.URL + "/hook", Enabled: true})
	m := sqsMessage(t, "org_a", "wh_x", "evt_1")
	// The reads before the POST have 800 ms before the check would refuse it.
	ctx, cancel := context.WithTimeout(context.Background(), cfg.DeliveryTimeout+e.h.reserve+800*time.Millisecond)
	defer cancel()
	dl, _ := ctx.Deadline()
	resp, err := e.h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{m}})
	if late := time.Since(dl); late > 0 {
		t.Fatalf("Handle returned %v after the invocation's deadline: on Lambda its whole batch would come back", late.Round(10*time.Millisecond))
	}
	if err != nil {
		t.Fatal(err)
	}
	if posts.Load() != 1 {
		t.Fatalf("%d POSTs, want 1 (the check must let it through, else this proves nothing)", posts.Load())
	}
	failed := len(resp.BatchItemFailures) == 1
	e.queue.mu.Lock()
	sends := len(e.queue.sent)
	e.queue.mu.Unlock()
	if !failed && sends != 1 {
		t.Fatalf("message done with but %d dead letters: a delivery lost", sends)
	}
}

// A step given time of its own under a bookkeeping context keeps the
// invocation's cap, and without an invocation deadline gets
// detach.Bookkeeping's full time, as before the cap: the outer bookkeeping
// context's own deadline is not the invocation's.
func TestNestedBookkeepingKeepsTheInvocationsCapOnly(t *testing.T) {
	deadline := func(ctx context.Context) time.Time {
		dl, ok := ctx.Deadline()
		if !ok {
			t.Fatal("a bookkeeping context without a deadline")
		}
		return dl
	}
	outer, cancel := bookkeeping(context.Background())
	defer cancel()
	inner, cancelInner := bookkeeping(outer)
	defer cancelInner()
	// Taking the outer step's deadline for the invocation's would end the
	// inner one deadlineMargin before it; a fresh one ends at or after it.
	if in, out := deadline(inner), deadline(outer); in.Before(out) || time.Until(in) > detach.BookkeepingTimeout {
		t.Fatalf("without an invocation deadline a nested step ends at %v (outer %v), want a fresh %v", in, out, detach.BookkeepingTimeout)
	}

	inv, cancelInv := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancelInv()
	dl, _ := inv.Deadline()
	outer, cancel = bookkeeping(inv)
	defer cancel()
	inner, cancelInner = bookkeeping(outer)
	defer cancelInner()
	for _, c := range []context.Context{outer, inner} {
		if got, _ := c.Deadline(); !got.Equal(dl.Add(-deadlineMargin)) {
			t.Fatalf("bookkeeping under an invocation ending at %v ends at %v, want %v before it", dl, got, deadlineMargin)
		}
	}
}
