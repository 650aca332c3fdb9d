package dlq

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/wait"
)

// slowLink adds a round trip to every SQS call, as an operator's laptop
// far from the queue's region does, and records how long each receipt
// handle was hidden for, to catch a delete that lands after its timeout
// ran out (the message was up for grabs, and its delete may fail).
type slowLink struct {
	Queue
	rtt time.Duration
	// refuseRenewals answers every visibility change that hides (not a
	// release) with an error, as throttling would.
	refuseRenewals bool

	mu     sync.Mutex
	until  map[string]time.Time // receipt handle -> its timeout ends at the earliest
	lapsed []string
}

func newSlowLink(q Queue, rtt time.Duration) *slowLink {
	return &slowLink{Queue: q, rtt: rtt, until: map[string]time.Time{}}
}

// call waits out the round trip around the queue's answer, half each way,
// and checks that receipt (if any) is still hidden when the call lands.
// A renewal that lands late fails on its own (goaws, like AWS, refuses a
// message no longer in flight), so only deletes pass a receipt.
func (s *slowLink) call(ctx context.Context, receipt string, do func() error) error {
	if err := wait.Sleep(ctx, s.rtt/2); err != nil {
		return err
	}
	if receipt != "" {
		s.mu.Lock()
		if end, ok := s.until[receipt]; ok && time.Now().After(end) {
			s.lapsed = append(s.lapsed, receipt)
		}
		s.mu.Unlock()
	}
	err := do()
	if err := wait.Sleep(ctx, s.rtt/2); err != nil {
		return err
	}
	return err
}

func (s *slowLink) hidden(receipt string, since time.Time, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.until[receipt] = since.Add(d)
}

func (s *slowLink) ReceiveOnce(ctx context.Context, url string, max int, w, vis time.Duration) (msgs []events.SQSMessage, err error) {
	err = s.call(ctx, "", func() error {
		since := time.Now()
		msgs, err = s.Queue.ReceiveOnce(ctx, url, max, w, vis)
		for _, m := range msgs {
			s.hidden(m.ReceiptHandle, since, vis.Truncate(time.Second))
		}
		return err
	})
	return msgs, err
}

func (s *slowLink) ChangeVisibilityBatch(ctx context.Context, url string, changes []queue.VisibilityChange) (errs []error) {
	if err := s.call(ctx, "", func() error {
		if s.refuseRenewals && changes[0].Timeout > 0 {
			errs = slices.Repeat([]error{errors.New("throttled")}, len(changes))
			return nil
		}
		since := time.Now()
		errs = s.Queue.ChangeVisibilityBatch(ctx, url, changes)
		for i, ch := range changes {
			if errs[i] == nil {
				s.hidden(ch.ReceiptHandle, since, ch.Timeout.Round(time.Second))
			}
		}
		return nil
	}); err != nil {
		return slices.Repeat([]error{err}, len(changes))
	}
	return errs
}

func (s *slowLink) Delete(ctx context.Context, url, receipt string) error {
	return s.call(ctx, receipt, func() error { return s.Queue.Delete(ctx, url, receipt) })
}

func (s *slowLink) Send(ctx context.Context, url string, m queue.Message) error {
	return s.call(ctx, "", func() error { return s.Queue.Send(ctx, url, m) })
}

// lapses returns the handles deleted after their timeout ran out.
func (s *slowLink) lapses() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lapsed...)
}

// Scaled down: a 1 s peek (SQS's least; goaws makes a message visible
// again at its next 1 s tick after that) against 300 letters at 100 ms a
// call, three seconds of receives alone: without renewals every peek runs
// out before the scan ends, as 2 s do an ocean away from the queue, or on
// `make dev`'s goaws with about 10,000 letters.
const (
	slowLetters = 300
	slowRTT     = 100 * time.Millisecond
)

// A scan slower than its peek must still see every dead letter: the
// listing is whole (no cursor, since all fit its page).
func TestASlowLinkListsEveryDeadLetter(t *testing.T) {
	f := newFixture(t, slowLetters)
	ops := f.opsOver(newSlowLink(f.q, slowRTT), nil)
	ops.PeekVisibility = time.Second

	page, err := ops.List(context.Background(), Filter{}, MaxPageLimit, "")
	if err != nil {
		t.Fatalf("a slow listing: %v", err)
	}
	if len(page.Entries) != slowLetters || page.NextCursor != "" {
		t.Fatalf("a slow listing: %d of %d dead letters, cursor %q", len(page.Entries), slowLetters, page.NextCursor)
	}
	sameSet(t, "slow listing", entryBodies(page.Entries), f.bodies(func(seed) bool { return true }))
	// Everything is visible again: a listing over a fast link sees it all.
	if page, err := f.ops(nil).List(context.Background(), Filter{}, MaxPageLimit, ""); err != nil || len(page.Entries) != slowLetters {
		t.Fatalf("after the slow scan: %d entries, %v; want every letter released", len(page.Entries), err)
	}
}

// A scan that cannot keep what it has seen hidden fails, and says so,
// instead of answering part of the DLQ as all of it.
func TestASlowScanThatCannotKeepItsPeeksFailsLoudly(t *testing.T) {
	f := newFixture(t, slowLetters)
	link := newSlowLink(f.q, slowRTT)
	link.refuseRenewals = true
	ops := f.opsOver(link, nil)
	ops.PeekVisibility = time.Second

	page, err := ops.List(context.Background(), Filter{}, MaxPageLimit, "")
	if !errors.Is(err, ErrScanIncomplete) {
		t.Fatalf("a scan whose peeks run out: %d entries, cursor %q, err %v; want ErrScanIncomplete", len(page.Entries), page.NextCursor, err)
	}
	if page, err := f.ops(nil).List(context.Background(), Filter{}, MaxPageLimit, ""); err != nil || len(page.Entries) != slowLetters {
		t.Fatalf("after the failed scan: %d entries, %v; want every letter released", len(page.Entries), err)
	}
}

// A redrive over a slow link, long beside its holds, renews each hold
// before it runs out, from when that message was held: nothing it sends
// and deletes is ever visible to another receiver meanwhile.
func TestALongRedriveKeepsItsHolds(t *testing.T) {
	// 32 redrivable, a send and a delete each: over 3 s at 50 ms a call,
	// beside holds of 2 s. Holding them one by one, as a scan did, took
	// longer than a hold; the first were renewed only once all were held.
	const letters, rtt = 40, 50 * time.Millisecond
	f := newFixture(t, letters)
	link := newSlowLink(f.q, rtt)
	ops := f.opsOver(link, &recorder{})
	ops.PeekVisibility, ops.HoldVisibility = time.Second, 2*time.Second

	res, err := ops.Redrive(context.Background(), Filter{}, false, nil)
	if err != nil {
		t.Fatalf("a long redrive: %+v, %v", res, err)
	}
	want := f.bodies(func(s seed) bool { return s.reason != message.ReasonMalformed })
	if res.Redriven != len(want) {
		t.Fatalf("a long redrive: %+v, want %d redriven", res, len(want))
	}
	if lapsed := link.lapses(); len(lapsed) > 0 {
		t.Fatalf("%d deletes landed after their hold had run out, the first of %s", len(lapsed), lapsed[0])
	}
	sent := map[string]int{}
	for _, b := range drain(t, f.q, f.deliveryURL) {
		sent[b]++
	}
	sameSet(t, "sent by the redrive", sent, want)
	if left := drain(t, f.q, f.dlqURL); len(left) != letters-len(want) {
		t.Fatalf("the DLQ after the redrive holds %d letters, want the %d malformed ones", len(left), letters-len(want))
	}
}
