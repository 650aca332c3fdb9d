package dlq

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// floodOf puts n dead letters of one webhook of another organization on
// the DLQ, each with its index item, as deliver does: what a tenant whose
// endpoint answers 400 to everything leaves there.
func (f *fixture) floodOf(t *testing.T, org, webhook string, n int) {
	t.Helper()
	ctx := context.Background()
	var msgs []queue.Message
	for i := range n {
		d := message.Delivery{DeliveryID: fmt.Sprintf("dlv_flood%04d", i), EventID: fmt.Sprintf("evt_flood%04d", i), OrgID: org, WebhookID: webhook,
			EventName: "emailClick", Envelope: fmt.Sprintf(`{"id":"evt_flood%04d","event_name":"emailClick","organization_id":%q,"timestamp":1745000000,"data":{}}`, i, org)}
		body, err := d.Encode()
		if err != nil {
			t.Fatal(err)
		}
		dead := deliverylog.DeadLetter{OrgID: org, WebhookID: webhook, DeliveryID: d.DeliveryID, At: f.base, Message: body}
		if err := f.idx.Add(ctx, dead); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, queue.Message{Body: body, Attributes: map[string]string{
			message.AttrReason: message.ReasonPermanentStatus, message.AttrLastStatus: "400", message.AttrAttempts: "1",
			message.AttrOrgID: org, message.AttrWebhookID: webhook, message.AttrLastAttempt: f.base.Format(time.RFC3339),
			message.AttrDeadLetterID: dead.ID(),
		}})
	}
	for len(msgs) > 0 {
		k := min(len(msgs), queue.MaxBatch)
		if _, err := f.q.SendBatch(ctx, f.dlqURL, msgs[:k]); err != nil {
			t.Fatal(err)
		}
		msgs = msgs[k:]
	}
}

// Review finding N3: one tenant flooding the shared DLQ past the recover's
// bound (10,000 letters, here 25) made every other tenant's recover report
// its dead letters incomplete, for as long as the DLQ kept the flood. A
// recover reads its own webhook's index: it sends back all of its letters
// and says it is complete, whatever the DLQ holds.
func TestAnotherTenantsFloodDoesNotCountAgainstARecover(t *testing.T) {
	f := newFixture(t, 30)
	f.withIndex(t)
	f.floodOf(t, "org_z", "wh_orgz0", 60)
	ops := f.ops(nil)
	ops.RecoverMax = 25 // stands for 10,000: the flood alone is larger
	ctx := context.Background()
	want := f.indexed("org_a", "wh_orga0")
	n, err := ops.RedriveWebhook(ctx, "org_a", "wh_orga0", f.base.Add(-24*time.Hour), queue.Pace{})
	if err != nil || n != len(want) {
		t.Fatalf("recover beside a flood of 60 of org_z's letters: %d sent, %v; want its %d and complete", n, err, len(want))
	}
	sameSet(t, "delivery queue", count(drain(t, f.q, f.deliveryURL)), want)
}

// A recover sends back at most RecoverMax letters and says there are more
// (the API's dead_letters_incomplete); the next sends the rest, not again
// what the first sent (its items are closed).
func TestARecoverSendsItsBoundAndTheNextTheRest(t *testing.T) {
	f := newFixture(t, 1)
	f.withIndex(t)
	f.floodOf(t, "org_z", "wh_orgz0", 5)
	ops := f.ops(nil)
	ops.RecoverMax = 3
	ctx := context.Background()
	if n, err := ops.RedriveWebhook(ctx, "org_z", "wh_orgz0", f.base.Add(-time.Hour), queue.Pace{}); !errors.Is(err, ErrMoreDeadLetters) || n != 3 {
		t.Fatalf("first recover of 5 with a bound of 3: %d, %v; want 3 and ErrMoreDeadLetters", n, err)
	}
	if n, err := ops.RedriveWebhook(ctx, "org_z", "wh_orgz0", f.base.Add(-time.Hour), queue.Pace{}); err != nil || n != 2 {
		t.Fatalf("second recover: %d, %v; want the other 2, complete", n, err)
	}
	if got := drain(t, f.q, f.deliveryURL); len(got) != 5 {
		t.Fatalf("%d deliveries sent by the two recovers, want each of the 5 once", len(got))
	}
	// since is in whole seconds, as the DLQ's filter: a letter dead in the
	// second since falls in (the floods died at base).
	if n, err := ops.RedriveWebhook(ctx, "org_z", "wh_orgz0", f.base.Add(time.Second), queue.Pace{}); err != nil || n != 0 {
		t.Fatalf("recover since after the letters died: %d, %v; want none", n, err)
	}
}

// A recover cancelled as it sends a letter finishes that letter: its
// index item is closed, so the next recover (or a redrive) does not send
// it again, even when the cancellation answered the send on the wire.
func TestARecoverCancelledAtASendClosesThatLetter(t *testing.T) {
	f := newFixture(t, 1)
	f.withIndex(t)
	f.floodOf(t, "org_z", "wh_orgz0", 5)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	q := &cancelAfterSends{Queue: f.q, n: 3, onTheWire: true, cancel: cancel}
	if n, err := f.opsOver(q, nil).RedriveWebhook(ctx, "org_z", "wh_orgz0", f.base.Add(-time.Hour), queue.Pace{}); !errors.Is(err, context.Canceled) || n != 3 {
		t.Fatalf("recover cancelled at its 3rd send: %d, %v; want 3 sent and context.Canceled", n, err)
	}
	if n, err := f.ops(nil).RedriveWebhook(context.Background(), "org_z", "wh_orgz0", f.base.Add(-time.Hour), queue.Pace{}); err != nil || n != 2 {
		t.Fatalf("the next recover: %d, %v; want the other 2", n, err)
	}
	if got := drain(t, f.q, f.deliveryURL); len(got) != 5 {
		t.Fatalf("%d deliveries sent by the two recovers, want each of the 5 once", len(got))
	}
}

// Under a deadline (the api function's), a recover stops sending short of
// it and says there is more: the process is not stopped mid-send.
func TestARecoverStopsShortOfItsDeadline(t *testing.T) {
	f := newFixture(t, 1)
	f.withIndex(t)
	f.floodOf(t, "org_z", "wh_orgz0", 3)
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTime/2)
	defer cancel()
	if n, err := f.ops(nil).RedriveWebhook(ctx, "org_z", "wh_orgz0", f.base.Add(-time.Hour), queue.Pace{}); !errors.Is(err, ErrMoreDeadLetters) || n != 0 {
		t.Fatalf("recover with less time left than its cleanup: %d, %v; want none sent and ErrMoreDeadLetters", n, err)
	}
	if open, _, err := f.idx.Open(context.Background(), "org_z", "wh_orgz0", time.Time{}, 10); err != nil || len(open) != 3 {
		t.Fatalf("open items after: %d, %v; want all 3", len(open), err)
	}
}

// What a tenant recovered is not delivered again by an operator's redrive,
// which deletes those DLQ copies unsent and sends the rest; `dlq ls`
// leaves them out, `dlq show` says the recover closed them. A purged
// letter is not sent back by a later recover, and a letter without an item
// (SQS's own redrive, or one whose item expired) is redriven normally.
func TestARecoveredLetterIsNotRedrivenAgain(t *testing.T) {
	f := newFixture(t, 30)
	f.withIndex(t)
	ops := f.ops(nil)
	ctx := context.Background()
	since := f.base.Add(-24 * time.Hour)
	recovered := f.indexed("org_a", "wh_orga0")
	if n, err := ops.RedriveWebhook(ctx, "org_a", "wh_orga0", since, queue.Pace{}); err != nil || n != len(recovered) {
		t.Fatalf("recover: %d, %v", n, err)
	}
	sameSet(t, "recovered", count(drain(t, f.q, f.deliveryURL)), recovered)

	// The listing: the webhook's letters its recover did not send (those
	// without an index item), one page of 2 and then the rest, none twice.
	left := f.bodies(func(s seed) bool { return s.org == "org_a" && s.webhook == "wh_orga0" && s.dead == nil })
	var listed []Entry
	for cursor := ""; ; {
		page, err := ops.List(ctx, Filter{OrgID: "org_a", WebhookID: "wh_orga0"}, 2, cursor)
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, page.Entries...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	sameSet(t, "dlq ls after the recover", entryBodies(listed), left)
	// Its endpoint tier is all recovered: an empty page that says how many
	// copies it left out.
	page, err := ops.List(ctx, Filter{OrgID: "org_a", WebhookID: "wh_orga0", Tier: TierEndpoint}, 2, "")
	if err != nil || len(page.Entries) != 0 || page.Closed != len(recovered) {
		t.Fatalf("the recovered tier: %d entries, %d closed left out, %v; want none and %d", len(page.Entries), page.Closed, err, len(recovered))
	}
	for _, s := range f.seeds {
		if !recovered[s.body] {
			continue
		}
		e, err := ops.Show(ctx, s.deliveryID)
		if err != nil || e.ClosedBy != deliverylog.ClosedByRecover || e.ClosedAt.IsZero() || !e.Closed() {
			t.Fatalf("dlq show %s after the recover: closed_by %q at %v, %v", s.deliveryID, e.ClosedBy, e.ClosedAt, err)
		}
	}

	// org_a's purge of one of wh_orga1's letters closes its item first.
	purgeOne := ""
	for b := range f.indexed("org_a", "wh_orga1") {
		purgeOne = b
		break
	}
	var purgeID string
	for _, s := range f.seeds {
		if s.body == purgeOne {
			purgeID = s.deliveryID
		}
	}
	if res, err := ops.Purge(ctx, Filter{IDs: []string{purgeID}}); err != nil || res.Purged != 1 {
		t.Fatalf("purge %s: %+v, %v", purgeID, res, err)
	}
	if n, err := ops.RedriveWebhook(ctx, "org_a", "wh_orga1", since, queue.Pace{}); err != nil || n != len(f.indexed("org_a", "wh_orga1"))-1 {
		t.Fatalf("recover after a purge of one of its letters: %d, %v; want all but the purged", n, err)
	}
	for _, b := range drain(t, f.q, f.deliveryURL) {
		if b == purgeOne {
			t.Fatal("a recover sent back a letter an operator had purged")
		}
	}

	// The operator's redrive of org_a: the recovered copies are deleted
	// unsent; the letters without an item (max_receive_exceeded) are sent.
	// Its dry run says so first (it counted the recovered copies as to
	// be redriven).
	unindexed := f.bodies(func(s seed) bool { return s.org == "org_a" && s.dead == nil && s.deliveryID != "" })
	closedA := len(f.indexed("org_a", "wh_orga0")) + len(f.indexed("org_a", "wh_orga1")) - 1
	dry, err := ops.Redrive(ctx, Filter{OrgID: "org_a"}, true, nil)
	if err != nil || dry.Closed != closedA || dry.Redriven != len(unindexed) {
		t.Fatalf("dry run of the operator's redrive of org_a: %+v, %v; want %d to redrive and %d closed", dry, err, len(unindexed), closedA)
	}
	res, err := ops.Redrive(ctx, Filter{OrgID: "org_a"}, false, nil)
	if err != nil || res.Redriven != len(unindexed) || res.Closed != closedA {
		t.Fatalf("operator redrive of org_a: %+v, %v; want %d redriven (no index item) and %d closed", res, err, len(unindexed), closedA)
	}
	sameSet(t, "the operator's redrive", count(drain(t, f.q, f.deliveryURL)), unindexed)
	if left, err := ops.List(ctx, Filter{OrgID: "org_a", Tier: TierEndpoint}, 100, ""); err != nil || len(left.Entries) != 0 {
		t.Fatalf("org_a's endpoint letters after the redrive: %d, %v; want none", len(left.Entries), err)
	}
}

// The DLQ copy of a tenant's test (POST …/test) has no index item (deliver
// writes none, shared/delivery's tests check it): a recover cannot send
// it, and an operator's redrive sends it.
func TestALetterWithoutAnItemIsRedrivenNormally(t *testing.T) {
	f := newFixture(t, 1)
	f.withIndex(t)
	ctx := context.Background()
	d := message.Delivery{DeliveryID: "dlv_test", EventID: "evt_test", OrgID: "org_a", WebhookID: "wh_orga1", EventName: catalog.TestEvent, Test: true,
		Envelope: `{"id":"evt_test","event_name":"webhook.test","organization_id":"org_a","timestamp":1745000000,"data":{"message":"hi"}}`}
	body, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	// An id naming no item (expired, or never written): redriven normally.
	ghost := deliverylog.DeadLetter{OrgID: "org_a", WebhookID: "wh_orga1", DeliveryID: "dlv_test", At: f.base}
	if err := f.q.Send(ctx, f.dlqURL, queue.Message{Body: body, Attributes: map[string]string{
		message.AttrReason: message.ReasonPermanentStatus, message.AttrDeadLetterID: ghost.ID(),
	}}); err != nil {
		t.Fatal(err)
	}
	ops := f.ops(nil)
	if n, err := ops.RedriveWebhook(ctx, "org_a", "wh_orga1", f.base.Add(-time.Hour), queue.Pace{}); err != nil || n != 0 {
		t.Fatalf("recover: %d, %v; want nothing (the test is not indexed)", n, err)
	}
	res, err := ops.Redrive(ctx, Filter{IDs: []string{"dlv_test"}}, false, nil)
	if err != nil || res.Redriven != 1 || res.Closed != 0 {
		t.Fatalf("redrive of a letter without an item: %+v, %v; want it sent", res, err)
	}
	if got := drain(t, f.q, f.deliveryURL); len(got) != 1 || got[0] != body {
		t.Fatalf("sent: %d, want the test", len(got))
	}
}

// delayRecorder records the delay of each message sent through it.
type delayRecorder struct {
	Queue
	mu     sync.Mutex
	delays []time.Duration
}

func (d *delayRecorder) Send(ctx context.Context, url string, m queue.Message) error {
	d.mu.Lock()
	d.delays = append(d.delays, m.Delay)
	d.mu.Unlock()
	return d.Queue.Send(ctx, url, m)
}

// A recover sends its dead letters at the pace it is given (the tenant's
// recover: 10 per second), oldest first from no delay on, not all at once.
func TestRecoverSendsDeadLettersAtItsPace(t *testing.T) {
	f := newFixture(t, 0)
	f.withIndex(t)
	f.floodOf(t, "org_z", "wh_orgz0", 30)
	rec := &delayRecorder{Queue: f.q}
	n, err := f.opsOver(rec, nil).RedriveWebhook(context.Background(), "org_z", "wh_orgz0", f.base.Add(-time.Hour), queue.Pace{Rate: 10})
	if err != nil || n != 30 {
		t.Fatalf("recover: %d, %v", n, err)
	}
	if len(rec.delays) != 30 {
		t.Fatalf("%d sent, want 30", len(rec.delays))
	}
	for i, d := range rec.delays {
		if want := time.Duration(i) * 100 * time.Millisecond; d != want {
			t.Errorf("dead letter %d delayed %s, want %s", i, d, want)
		}
	}
}
