package delivery

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

type fakeDeadLetters struct {
	n     int
	err   error
	calls []string
}

func (f *fakeDeadLetters) RedriveWebhook(_ context.Context, org, wh string, since time.Time, pace queue.Pace) (int, error) {
	f.calls = append(f.calls, fmt.Sprintf("%s/%s@%s at %d/s", org, wh, since.Format(time.RFC3339), pace.Rate))
	return f.n, f.err
}

func TestRequeueOldestFirstAtABoundedRate(t *testing.T) {
	db, table := testenv.Table(t)
	parked := dynamo.NewParkedStore(db, table, time.Hour)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second)
	var bodies []string
	for i := range 5 {
		m := sqsMessage(t, "org_a", "wh_1", fmt.Sprintf("evt_%d", i))
		bodies = append(bodies, m.Body)
		d, _ := message.Decode(m.Body)
		// Parked newest first: the store orders them. Sent before since
		// (retries due after the disable), parked after it: since counts
		// the park.
		if err := parked.Park(ctx, deliverylog.Parked{OrgID: "org_a", WebhookID: "wh_1", DeliveryID: d.DeliveryID, SentAt: t0.Add(-time.Duration(i) * time.Minute), ParkedAt: t0.Add(time.Hour), Message: m.Body}); err != nil {
			t.Fatal(err)
		}
	}
	records, q, dead := newMemRecords(), &memQueue{}, &fakeDeadLetters{n: 2}
	first, _ := message.Decode(bodies[4])
	records.recs[first.DeliveryID] = deliverylog.DeliveryRecord{DeliveryID: first.DeliveryID, Attempts: 3, FirstAttemptAt: t0}
	r := Recovery{Parked: parked, Records: records, Queue: q, Lanes: lanes.Lanes{testQueue}, DeadLetters: dead, Rate: 2, Max: 3}
	w := webhook.Webhook{ID: "wh_1", OrgID: "org_a", Enabled: true}

	res, err := r.Requeue(ctx, w, t0)
	if err != nil {
		t.Fatal(err)
	}
	if res != (RecoverResult{Queued: 5, Parked: 3, DeadLettered: 2, More: true}) {
		t.Fatalf("result %+v", res)
	}
	if len(dead.calls) != 1 || dead.calls[0] != "org_a/wh_1@"+t0.Format(time.RFC3339)+" at 2/s" {
		t.Fatalf("dead letter redrive %v", dead.calls)
	}
	// Oldest first (evt_4 was parked first), after the 2 dead letters: at
	// 2 per second the delays are 1 s, 1.5 s, 2 s.
	for i, s := range q.sent {
		if s.queue != testQueue || s.msg.Body != bodies[4-i] || s.msg.Delay != time.Duration(2+i)*time.Second/2 {
			t.Errorf("send %d: %s delay %s", i, s.msg.Body[:40], s.msg.Delay)
		}
	}
	if rec := records.get(first.DeliveryID); rec.Attempts != 0 || !rec.FirstAttemptAt.IsZero() {
		t.Fatalf("attempts not reset: %+v", rec)
	}
	left, _, _ := parked.Since(ctx, "org_a", "wh_1", time.Time{}, 10)
	if len(left) != 2 {
		t.Fatalf("%d parked left, want 2", len(left))
	}

	// The next call continues; a DLQ that cannot be scanned does not hold
	// the parked deliveries back.
	dead.n, dead.err = 0, errors.New("dlq_too_large")
	res, err = r.Requeue(ctx, w, t0)
	if err != nil || res.Parked != 2 || res.More || !res.DeadLettersIncomplete || res.Err == nil {
		t.Fatalf("second call %+v, %v", res, err)
	}
	if len(q.sent) != 5 {
		t.Fatalf("%d sent in all, want each of the 5 once", len(q.sent))
	}
}

// A call that stops at the parked store's read bound (many large
// deliveries parked before since lie in the range it looks through)
// answers more, and the next call with the same since gets the rest.
func TestRequeueSaysMoreAtTheReadBound(t *testing.T) {
	db, table := testenv.Table(t)
	parked := dynamo.NewParkedStore(db, table, 7*24*time.Hour)
	ctx := context.Background()
	since := time.Now().UTC().Truncate(time.Second)
	earlier := `{"padding":"` + strings.Repeat("a", 200<<10) + `"}`
	for i := range 50 { // ~10 MB parked by an earlier disable, sent within the 4 days before since
		sent := since.Add(-48*time.Hour + time.Duration(i)*time.Minute)
		if err := parked.Park(ctx, deliverylog.Parked{OrgID: "org_a", WebhookID: "wh_1", DeliveryID: fmt.Sprintf("dlv_earlier%02d", i), SentAt: sent, ParkedAt: sent, Message: earlier}); err != nil {
			t.Fatal(err)
		}
	}
	m := sqsMessage(t, "org_a", "wh_1", "evt_1")
	d, _ := message.Decode(m.Body)
	if err := parked.Park(ctx, deliverylog.Parked{OrgID: "org_a", WebhookID: "wh_1", DeliveryID: d.DeliveryID, SentAt: since.Add(time.Minute), ParkedAt: since.Add(time.Minute), Message: m.Body}); err != nil {
		t.Fatal(err)
	}
	q := &memQueue{}
	r := Recovery{Parked: parked, Records: newMemRecords(), Queue: q, Lanes: lanes.Lanes{testQueue}}
	w := webhook.Webhook{ID: "wh_1", OrgID: "org_a", Enabled: true}
	if res, err := r.Requeue(ctx, w, since); err != nil || res != (RecoverResult{More: true}) {
		t.Fatalf("first call %+v, %v; want nothing queued, and more", res, err)
	}
	if res, err := r.Requeue(ctx, w, since); err != nil || res != (RecoverResult{Queued: 1, Parked: 1}) || len(q.sent) != 1 || q.sent[0].msg.Body != m.Body {
		t.Fatalf("second call %+v, %v, sent %d; want the one parked since", res, err, len(q.sent))
	}
}

// noReceives is a memQueue as dlq.Ops's queue: a recover reads the
// webhook's index, never the DLQ.
type noReceives struct{ *memQueue }

func (noReceives) ChangeVisibilityBatch(_ context.Context, _ string, changes []queue.VisibilityChange) []error {
	return make([]error, len(changes)) // a recover never holds a DLQ message
}

func (noReceives) ReceiveOnce(context.Context, string, int, time.Duration, time.Duration) ([]events.SQSMessage, error) {
	return nil, nil
}

// A recover spreads all it queues at its rate, as the README says: the
// dead letters first, the first of them undelayed, then the parked
// deliveries after them, never two at once at the start.
func TestRecoverSpreadsDeadLettersThenParkedDeliveries(t *testing.T) {
	db, table := testenv.Table(t)
	index, parked := dynamo.NewDeadLetterIndex(db, table), dynamo.NewParkedStore(db, table, time.Hour)
	ctx := context.Background()
	since := time.Now().UTC().Truncate(time.Second)
	var want []string // bodies, in the order they are due
	for i := range 3 {
		m := sqsMessage(t, "org_a", "wh_1", fmt.Sprintf("evt_dead%d", i))
		d, _ := message.Decode(m.Body)
		if err := index.Add(ctx, deliverylog.DeadLetter{OrgID: "org_a", WebhookID: "wh_1", DeliveryID: d.DeliveryID, At: since.Add(time.Duration(i) * time.Minute), Message: m.Body}); err != nil {
			t.Fatal(err)
		}
		want = append(want, m.Body)
	}
	for i := range 2 {
		m := sqsMessage(t, "org_a", "wh_1", fmt.Sprintf("evt_parked%d", i))
		d, _ := message.Decode(m.Body)
		at := since.Add(time.Hour + time.Duration(i)*time.Minute)
		if err := parked.Park(ctx, deliverylog.Parked{OrgID: "org_a", WebhookID: "wh_1", DeliveryID: d.DeliveryID, SentAt: at, ParkedAt: at, Message: m.Body}); err != nil {
			t.Fatal(err)
		}
		want = append(want, m.Body)
	}
	q, records := &memQueue{}, newMemRecords()
	ops := dlq.New(noReceives{q}, testDLQ, lanes.Lanes{testQueue}, records)
	ops.Index = index
	r := Recovery{Parked: parked, Records: records, Queue: q, Lanes: lanes.Lanes{testQueue}, DeadLetters: ops, Rate: 2}
	res, err := r.Requeue(ctx, webhook.Webhook{ID: "wh_1", OrgID: "org_a", Enabled: true}, since)
	if err != nil || res != (RecoverResult{Queued: 5, DeadLettered: 3, Parked: 2}) {
		t.Fatalf("recover: %+v, %v; want the 3 dead letters and the 2 parked", res, err)
	}
	if len(q.sent) != len(want) {
		t.Fatalf("%d sent, want %d", len(q.sent), len(want))
	}
	for i, s := range q.sent { // at 2 per second: 0, 0.5 s, 1 s, 1.5 s, 2 s
		if s.msg.Body != want[i] || s.msg.Delay != time.Duration(i)*time.Second/2 {
			t.Errorf("send %d: %s delayed %s, want %s delayed %s", i, s.msg.Body[:60], s.msg.Delay, want[i][:60], time.Duration(i)*time.Second/2)
		}
	}
}
