package dlq

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"

	"github.com/hookrelay/hookrelay/shared/detach"
)

func TestRedriveFilteredSubset(t *testing.T) {
	f := newFixture(t, 100)
	rec := &recorder{}
	ops := f.ops(rec)
	ctx := context.Background()
	// org_b spans both tiers: its endpoint failures and its attribute-less
	// poison (valid bodies) are redriven; malformed bodies carry no org.
	want := f.bodies(func(s seed) bool { return s.org == "org_b" })

	var calls []int
	res, err := ops.Redrive(ctx, Filter{OrgID: "org_b"}, false, func(done, total int) {
		if total != len(want) {
			t.Errorf("progress total %d, want %d", total, len(want))
		}
		calls = append(calls, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Matched != len(want) || res.Eligible != len(want) || res.Redriven != len(want) || len(res.Skipped) != 0 {
		t.Fatalf("result %+v, want %d redriven", res, len(want))
	}
	if len(calls) != len(want)+1 || calls[0] != 0 || calls[len(calls)-1] != len(want) {
		t.Errorf("progress calls %v", calls)
	}

	// Exactly those bodies, unchanged (same delivery ids), on the delivery queue.
	sent := drain(t, f.q, f.deliveryURL)
	sameSet(t, "delivery queue", count(sent), want)
	for _, b := range sent {
		if _, err := message.Decode(b); err != nil {
			t.Errorf("redriven body does not decode: %v", err)
		}
	}
	// Every redriven delivery had its attempt counter reset.
	wantIDs := deliveryIDs(t, want)
	gotIDs := rec.ids()
	slices.Sort(gotIDs)
	if !slices.Equal(gotIDs, wantIDs) {
		t.Errorf("attempts reset for %v, want %v", gotIDs, wantIDs)
	}
	// The rest is untouched in the DLQ.
	sameSet(t, "DLQ", count(drain(t, f.q, f.dlqURL)), f.bodies(func(s seed) bool { return s.org != "org_b" }))
}

func TestRedrivePipelineTierSkipsUndecodableBodies(t *testing.T) {
	f := newFixture(t, 20)
	rec := &recorder{}
	ops := f.ops(rec)
	ctx := context.Background()
	malformed := f.bodies(func(s seed) bool { return s.reason == message.ReasonMalformed })
	redrivable := f.bodies(func(s seed) bool { return s.reason == message.ReasonMaxReceive })

	dry, err := ops.Redrive(ctx, Filter{Tier: TierPipeline}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !dry.DryRun || dry.Matched != 8 || dry.Eligible != 4 || dry.Redriven != 4 || len(dry.Skipped) != 4 {
		t.Fatalf("dry run %+v", dry)
	}
	if got := drain(t, f.q, f.deliveryURL); len(got) != 0 || len(rec.ids()) != 0 {
		t.Fatalf("dry run sent %d messages and reset %v", len(got), rec.ids())
	}

	res, err := ops.Redrive(ctx, Filter{Tier: TierPipeline}, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Redriven != len(redrivable) || len(res.Skipped) != len(malformed) {
		t.Fatalf("result %+v", res)
	}
	sameSet(t, "delivery queue", count(drain(t, f.q, f.deliveryURL)), redrivable)
	// Malformed bodies stay in the DLQ with the whole endpoint tier.
	sameSet(t, "DLQ", count(drain(t, f.q, f.dlqURL)), f.bodies(func(s seed) bool { return s.reason != message.ReasonMaxReceive }))
}

// failingDelete lets the first ok deletes through, then fails one delete
// after its message was sent: the crash window redrive must survive.
type failingDelete struct {
	Queue
	ok      int
	deletes atomic.Int64
}

func (q *failingDelete) Delete(ctx context.Context, url, handle string) error {
	if int(q.deletes.Add(1)) > q.ok {
		return errors.New("injected: process killed before the delete")
	}
	return q.Queue.Delete(ctx, url, handle)
}

func TestRedriveCrashBetweenSendAndDeleteLosesNothing(t *testing.T) {
	f := newFixture(t, 100)
	want := f.bodies(func(s seed) bool { return s.tier == TierEndpoint })
	ctx := context.Background()

	crashing := f.opsOver(&failingDelete{Queue: f.q, ok: 7}, nil)
	res, err := crashing.Redrive(ctx, Filter{Tier: TierEndpoint}, false, nil)
	if err == nil || res.Redriven != 7 {
		t.Fatalf("crashing redrive: %+v, %v; want an error after 7", res, err)
	}
	// Resumed at once: what the crashed run held was handed back.
	res, err = f.ops(nil).Redrive(ctx, Filter{Tier: TierEndpoint}, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Redriven != len(want)-7 {
		t.Fatalf("resumed redrive moved %d, want %d", res.Redriven, len(want)-7)
	}
	sent := count(drain(t, f.q, f.deliveryURL))
	dups := 0
	for b, n := range sent {
		dups += n - 1
		if !want[b] {
			t.Errorf("unexpected body on the delivery queue: %q", b)
		}
	}
	for b := range want {
		if sent[b] == 0 {
			t.Errorf("lost: %q", b)
		}
	}
	// The one message sent before the failed delete went out twice; the
	// receivers deduplicate it by its delivery id.
	if dups != 1 {
		t.Errorf("%d duplicates, want exactly 1", dups)
	}
	sameSet(t, "DLQ", count(drain(t, f.q, f.dlqURL)), f.bodies(func(s seed) bool { return s.tier != TierEndpoint }))
}

func TestRedriveCancelledMidwayThenResumed(t *testing.T) {
	f := newFixture(t, 100)
	want := f.bodies(func(s seed) bool { return s.org == "org_a" && s.deliveryID != "" })
	ctx, cancel := context.WithCancel(context.Background())
	ops := f.ops(nil)

	res, err := ops.Redrive(ctx, Filter{OrgID: "org_a"}, false, func(done, _ int) {
		if done == 5 {
			cancel() // the operator hits Ctrl-C
		}
	})
	if !errors.Is(err, context.Canceled) || res.Redriven != 5 {
		t.Fatalf("cancelled redrive: %+v, %v", res, err)
	}
	res, err = ops.Redrive(context.Background(), Filter{OrgID: "org_a"}, false, nil)
	if err != nil || res.Redriven != len(want)-5 {
		t.Fatalf("resumed redrive: %+v, %v; want %d", res, err, len(want)-5)
	}
	// Cancellation is checked between messages: nothing lost, nothing twice.
	sameSet(t, "delivery queue", count(drain(t, f.q, f.deliveryURL)), want)
	sameSet(t, "DLQ", count(drain(t, f.q, f.dlqURL)), f.bodies(func(s seed) bool { return !want[s.body] }))
}

// cancelAfterSends cancels the run as its n-th send returns: Ctrl-C
// landing between a send and its delete.
// cancelAfterSends cancels the run at its nth send, once SQS has the
// message. With onTheWire the send then answers the cancellation, as the
// SDK does when a Ctrl-C lands while the request is out: the message was
// sent all the same.
type cancelAfterSends struct {
	Queue
	n         int
	onTheWire bool
	sends     atomic.Int64
	cancel    context.CancelFunc
}

func (q *cancelAfterSends) Send(ctx context.Context, url string, m queue.Message) error {
	err := q.Queue.Send(context.WithoutCancel(ctx), url, m)
	if int(q.sends.Add(1)) == q.n {
		q.cancel()
		if q.onTheWire {
			return ctx.Err()
		}
	}
	return err
}

// deadlineSpy records whether any send was given a deadline.
type deadlineSpy struct {
	Queue
	bounded atomic.Bool
}

func (q *deadlineSpy) Send(ctx context.Context, url string, m queue.Message) error {
	if _, ok := ctx.Deadline(); ok {
		q.bounded.Store(true)
	}
	return q.Queue.Send(ctx, url, m)
}

// A send of a run nobody cancels takes as long as SQS does: the grace a
// cancelled run leaves its letter is no bound of its own (every letter had
// 5 s, and a slow send that reached SQS failed the
// run and was sent again by the next).
func TestRedriveAndRecoverSendsHaveNoDeadlineOfTheirOwn(t *testing.T) {
	f := newFixture(t, 20)
	f.withIndex(t)
	q := &deadlineSpy{Queue: f.q}
	if res, err := f.opsOver(q, nil).Redrive(context.Background(), Filter{Tier: TierEndpoint}, false, nil); err != nil || res.Redriven == 0 {
		t.Fatalf("redrive: %+v, %v", res, err)
	}
	f.floodOf(t, "org_z", "wh_orgz0", 3)
	if n, err := f.opsOver(q, nil).RedriveWebhook(context.Background(), "org_z", "wh_orgz0", f.base.Add(-time.Hour), queue.Pace{}); err != nil || n != 3 {
		t.Fatalf("recover: %d, %v", n, err)
	}
	if q.bounded.Load() {
		t.Fatal("a send of an uncancelled run had a deadline")
	}
}

// Under a deadline (the api function's), a redrive starts no letter it
// could not finish, grace and cleanup included, before the deadline.
func TestProcessStartsNoLetterTooCloseToTheDeadline(t *testing.T) {
	f := newFixture(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTime+detach.BookkeepingTimeout-time.Second)
	defer cancel()
	done, err := f.ops(nil).process(ctx, []Entry{{MessageID: "m1"}}, func(context.Context, Entry) error {
		t.Error("a letter was started")
		return nil
	}, nil)
	if done != 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("process with less time left than a letter needs: %d, %v", done, err)
	}
}

// A redrive cancelled as it sends a letter (Ctrl-C) finishes that letter:
// sent, it is deleted from the DLQ and counted, so no later redrive or
// recover sends it twice (cancelled on the wire, it was
// sent and left in the DLQ).
func TestRedriveCancelledAtASendStillDeletesIt(t *testing.T) {
	for _, onTheWire := range []bool{false, true} {
		f := newFixture(t, 20)
		want := f.bodies(func(s seed) bool { return s.deliveryID != "" })
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()

		q := &cancelAfterSends{Queue: f.q, n: 5, onTheWire: onTheWire, cancel: cancel}
		res, err := f.opsOver(q, nil).Redrive(ctx, Filter{}, false, nil)
		if !errors.Is(err, context.Canceled) || res.Redriven != 5 {
			t.Fatalf("cancelled (on the wire %v) redrive: %+v, %v; want 5 redriven, the 5th deleted after the cancel", onTheWire, res, err)
		}
		res, err = f.ops(nil).Redrive(context.Background(), Filter{}, false, nil)
		if err != nil || res.Redriven != len(want)-5 {
			t.Fatalf("resumed redrive (on the wire %v): %+v, %v; want %d", onTheWire, res, err, len(want)-5)
		}
		// The 5th message left the DLQ although the run ended as it was
		// sent: the resumed run did not send it again.
		sameSet(t, "delivery queue", count(drain(t, f.q, f.deliveryURL)), want)
	}
}

func TestConcurrentRedrivesSendEachMessageOnce(t *testing.T) {
	f := newFixture(t, 100)
	want := f.bodies(func(s seed) bool { return s.deliveryID != "" })
	var wg sync.WaitGroup
	results := make([]Result, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = f.ops(nil).Redrive(context.Background(), Filter{}, false, nil)
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	if n := results[0].Redriven + results[1].Redriven; n != len(want) {
		t.Fatalf("redriven %d + %d, want %d in total", results[0].Redriven, results[1].Redriven, len(want))
	}
	// What one run holds the other cannot receive: each body exactly once.
	sameSet(t, "delivery queue", count(drain(t, f.q, f.deliveryURL)), want)
}

func TestRedriveStopsWhenAttemptResetFails(t *testing.T) {
	f := newFixture(t, 5)
	res, err := f.ops(failingReset{}).Redrive(context.Background(), Filter{Tier: TierEndpoint}, false, nil)
	if err == nil || res.Redriven != 0 {
		t.Fatalf("redrive with a failing store: %+v, %v", res, err)
	}
	// Nothing sent with a stale counter; everything back in the DLQ.
	if got := drain(t, f.q, f.deliveryURL); len(got) != 0 {
		t.Fatalf("%d messages sent although the reset failed", len(got))
	}
	if got := drain(t, f.q, f.dlqURL); len(got) != 5 {
		t.Fatalf("%d of 5 in the DLQ", len(got))
	}
}

func TestRedriveTreatsAMissingDeliveryRecordAsReset(t *testing.T) {
	f := newFixture(t, 5)
	res, err := f.ops(missingRecords{}).Redrive(context.Background(), Filter{Tier: TierEndpoint}, false, nil)
	if err != nil || res.Redriven != 3 {
		t.Fatalf("redrive without delivery records: %+v, %v", res, err)
	}
}

type missingRecords struct{}

func (missingRecords) ResetAttempts(_ context.Context, id string) error {
	return fmt.Errorf("delivery %s: %w", id, deliverylog.ErrNotFound)
}

type failingReset struct{}

func (failingReset) ResetAttempts(context.Context, string) error {
	return errors.New("table unavailable")
}

func count(bodies []string) map[string]int {
	out := map[string]int{}
	for _, b := range bodies {
		out[b]++
	}
	return out
}

func deliveryIDs(t *testing.T, bodies map[string]bool) []string {
	t.Helper()
	var ids []string
	for b := range bodies {
		d, err := message.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.DeliveryID)
	}
	slices.Sort(ids)
	return ids
}
