package delivery

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
)

// Every dead letter deliver sends has its item in its webhook's index,
// named on the DLQ message, except a tenant's own test; the tenant's
// recover sends back what the index holds, and an operator's redrive then
// deletes those DLQ copies unsent and sends only the rest (the test).
func TestDeadLettersAreIndexedAndRecoveredOnce(t *testing.T) {
	he, api, dlqURL, queueURL := newSQSHealthEnv(t, 100)
	q := sqsqueue.New(api)
	rc := newReceiver(t, false)
	ctx := context.Background()
	he.create(t, "wh_bad", rc.srv.URL+"/status/400", true)
	since := he.now.Truncate(time.Second)
	he.handle(t, sqsMessage(t, "org_a", "wh_bad", "evt_1"))
	he.handle(t, namedMessage(t, "wh_bad", "ping", catalog.TestEvent, `{"message":"ping"}`)) // a producer's webhook.test
	he.handle(t, tenantTestMessage(t, "wh_bad", "check"))

	open, more, err := he.deadLetters.Open(ctx, "org_a", "wh_bad", since, 10)
	ids := func(ds []deliverylog.DeadLetter) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.DeliveryID)
		}
		slices.Sort(out)
		return out
	}
	if want := []string{"dlv_1bad", "dlv_pingwh_bad"}; err != nil || more || !slices.Equal(ids(open), want) {
		t.Fatalf("index after three dead letters: %v (more %v), %v; want %v, not the tenant's test", ids(open), more, err, want)
	}
	named := map[string]bool{}
	for _, m := range peek(t, q, dlqURL) {
		if id := queue.AttributesOf(m)[message.AttrDeadLetterID]; id != "" {
			named[id] = true
		}
	}
	for _, d := range open {
		if !named[d.ID()] {
			t.Errorf("the DLQ copy of %s does not name its index item %s", d.DeliveryID, d.ID())
		}
	}
	if len(named) != 2 {
		t.Fatalf("%d DLQ letters name an index item, want 2", len(named))
	}

	ops := dlq.New(q, dlqURL, lanes.Lanes{queueURL}, he.records)
	ops.Wait, ops.Index = 0, he.deadLetters
	r := Recovery{Parked: he.parked, Records: he.records, Queue: q, Lanes: lanes.Lanes{queueURL}, DeadLetters: ops}
	res, err := r.Requeue(ctx, he.get(t, "wh_bad"), since)
	if err != nil || res != (RecoverResult{Queued: 2, DeadLettered: 2}) {
		t.Fatalf("recover: %+v, %v; want the 2 indexed dead letters", res, err)
	}
	if got := len(peek(t, q, queueURL)); got != 2 {
		t.Fatalf("%d deliveries queued by the recover, want 2", got)
	}
	// dlq ls leaves out what the recover sent back; dlq show says so.
	page, err := ops.List(ctx, dlq.Filter{WebhookID: "wh_bad"}, 10, "")
	if err != nil || len(page.Entries) != 1 || !page.Entries[0].TenantTest() {
		t.Fatalf("dlq ls after the recover: %d letters, %v; want the tenant's test alone", len(page.Entries), err)
	}
	if e, err := ops.Show(ctx, "dlv_1bad"); err != nil || e.ClosedBy != deliverylog.ClosedByRecover {
		t.Fatalf("dlq show of a recovered letter: closed_by %q, %v", e.ClosedBy, err)
	}
	red, err := ops.Redrive(ctx, dlq.Filter{WebhookID: "wh_bad"}, false, nil)
	if err != nil || red.Redriven != 1 || red.Closed != 2 {
		t.Fatalf("operator redrive after the recover: %+v, %v; want the test sent and the 2 recovered deleted unsent", red, err)
	}
	if got, left := len(peek(t, q, queueURL)), len(peek(t, q, dlqURL)); got != 3 || left != 0 {
		t.Fatalf("after the redrive: %d queued (want 2 + the test), %d left in the DLQ", got, left)
	}
}

// A failed index write sends nothing to the DLQ: the message is kept for
// retry, as when the DLQ send fails, so no letter is in the DLQ that the
// tenant's recover cannot find.
func TestAFailedIndexWriteKeepsTheMessage(t *testing.T) {
	rc := newReceiver(t, false)
	he := newHealthEnv(t, time.Hour, 100)
	he.h.d.DeadLetters = failingIndex{he.deadLetters}
	he.create(t, "wh_bad", rc.srv.URL+"/status/400", true)
	m := sqsMessage(t, "org_a", "wh_bad", "evt_1")
	resp, err := he.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m}})
	if err != nil || len(resp.BatchItemFailures) != 1 {
		t.Fatalf("a dead letter whose index write failed: %+v, %v; want it kept for retry", resp.BatchItemFailures, err)
	}
	if n := he.dlqSends(); n != 0 {
		t.Fatalf("%d sends after a failed index write, want none", n)
	}
	// Back, with the index working: dead-lettered and indexed.
	he.h.d.DeadLetters = he.deadLetters
	he.handle(t, m)
	if open, _, err := he.deadLetters.Open(context.Background(), "org_a", "wh_bad", time.Time{}, 10); err != nil || len(open) != 1 || he.dlqSends() != 1 {
		t.Fatalf("after the retry: %d indexed, %d DLQ sends, %v; want 1 and 1", len(open), he.dlqSends(), err)
	}
}

type failingIndex struct{ deliverylog.DeadLetterIndex }

func (failingIndex) Add(context.Context, deliverylog.DeadLetter) error {
	return errors.New("index unavailable")
}

// peek returns every visible message of url, releasing each at once.
func peek(t *testing.T, q *sqsqueue.Client, url string) []events.SQSMessage {
	t.Helper()
	seen := map[string]bool{}
	var out []events.SQSMessage
	for {
		msgs, err := q.ReceiveOnce(context.Background(), url, queue.MaxBatch, 0, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 0 {
			break
		}
		for _, m := range msgs {
			if !seen[m.MessageId] {
				seen[m.MessageId] = true
				out = append(out, m)
			}
		}
	}
	for _, m := range out {
		if err := q.ChangeVisibility(context.Background(), url, m.ReceiptHandle, 0); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
