package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// budgetClock is the handler's clock in these tests: it stands still at
// the invocation's start until expire, then jumps past the deadline, so
// where the budget cuts a record is exact, not a race with the wall clock.
type budgetClock struct {
	mu      sync.Mutex
	start   time.Time
	expired bool
}

func (c *budgetClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.expired {
		return c.start.Add(time.Hour)
	}
	return c.start
}

func (c *budgetClock) expire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expired = true
}

// cuttingQueue sends (records) every SendBatch call until cutAfter calls
// went, then expires the clock: the budget refuses the calls after those.
// failCall fails that 1-based call instead of sending it; Send records the
// continuations put back on the ingest queue, or fails with failSend.
type cuttingQueue struct {
	clock    *budgetClock
	cutAfter int // 0: never
	failCall int
	failSend bool

	mu            sync.Mutex
	calls         int
	sent          []message.Delivery
	continuations []queue.Message
	sendURLs      []string
}

func (q *cuttingQueue) SendBatch(_ context.Context, _ string, msgs []queue.Message) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls++
	if q.calls == q.cutAfter {
		defer q.clock.expire()
	}
	if q.calls == q.failCall {
		return 1, errors.New("sqs unavailable")
	}
	for _, m := range msgs {
		d, err := message.Decode(m.Body)
		if err != nil {
			return 1, err
		}
		q.sent = append(q.sent, d)
	}
	return 1, nil
}

func (q *cuttingQueue) Send(_ context.Context, url string, m queue.Message) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.failSend {
		return errors.New("sqs unavailable")
	}
	q.continuations = append(q.continuations, m)
	q.sendURLs = append(q.sendURLs, url)
	return nil
}

// cutHandler fans out to n webhooks per organization (wh_00000 …, in id
// order, as the store queries them) on a clock that q expires.
func cutHandler(q *cuttingQueue, n int) *Handler {
	h := NewHandler(Deps{
		Webhooks: pagedStore{pages: []int{n}}, Queue: q, KnownEvent: func(string) bool { return true },
		DeliveryQueues: lanes.Lanes{"delivery"}, IngestQueueURL: "ingest", IngestDLQURL: "dlq",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	h.now = q.clock.now
	return h
}

// handleBefore runs h on records with a deadline a minute after the
// clock's start: only the clock's expiry reaches the budget's margin.
func handleBefore(t *testing.T, h *Handler, clock *budgetClock, records ...events.SQSMessage) events.SQSEventResponse {
	t.Helper()
	ctx, cancel := context.WithDeadline(context.Background(), clock.start.Add(time.Minute))
	defer cancel()
	resp, err := h.Handle(ctx, events.SQSEvent{Records: records})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func orgRecord(t *testing.T, messageID, org string) events.SQSMessage {
	return record(t, messageID, bus.Record{ID: "u-" + messageID, DetailType: "emailClick", Time: time.Now().UTC(),
		Detail: json.RawMessage(fmt.Sprintf(`{"organization_id":%q,"data":{}}`, org))})
}

// received is message m as the ingest queue's consumer gets it back.
func received(messageID string, m queue.Message) events.SQSMessage {
	attrs := map[string]events.SQSMessageAttribute{}
	for k, v := range m.Attributes {
		attrs[k] = events.SQSMessageAttribute{StringValue: &v, DataType: "String"}
	}
	return events.SQSMessage{MessageId: messageID, Body: m.Body, MessageAttributes: attrs}
}

// webhooksOf lists the webhooks sent org's deliveries went to, in order,
// checking each delivery's id is the event's for that webhook.
func webhooksOf(t *testing.T, sent []message.Delivery, org string) []string {
	t.Helper()
	var out []string
	for _, d := range sent {
		if d.OrgID != org {
			continue
		}
		if d.DeliveryID != ids.Delivery(d.EventID, d.WebhookID) {
			t.Errorf("delivery %s to %s is not the event's id for that webhook", d.DeliveryID, d.WebhookID)
		}
		out = append(out, d.WebhookID)
	}
	return out
}

func hookRange(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("wh_%05d", i))
	}
	return out
}

func failedIDs(resp events.SQSEventResponse) []string {
	var out []string
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

// A record whose deliveries do not fit one invocation goes back to the
// ingest queue with its progress once the budget stops it, and the next
// receive sends exactly the rest: without it the record is cut at the same
// point on every receive and ends in the ingest DLQ, its later endpoints
// never getting the event. Records share calls, so progress is per record:
// b's first 5 deliveries were in the call that also carried a's last 5.
func TestARecordTooLargeForOneInvocationIsContinued(t *testing.T) {
	clock := &budgetClock{start: time.Now()}
	q := &cuttingQueue{clock: clock, cutAfter: 3} // 30 of the 50 deliveries go
	a, b := orgRecord(t, "a", "org_a"), orgRecord(t, "b", "org_b")
	resp := handleBefore(t, cutHandler(q, 25), clock, a, b)
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures %v: a is done and b continued, neither comes back whole", failedIDs(resp))
	}
	if got := webhooksOf(t, q.sent, "org_a"); !slices.Equal(got, hookRange(0, 25)) {
		t.Fatalf("org_a's deliveries %v, want all 25", got)
	}
	if got := webhooksOf(t, q.sent, "org_b"); !slices.Equal(got, hookRange(0, 5)) {
		t.Fatalf("org_b's deliveries %v, want the first 5 before the cut", got)
	}
	if len(q.continuations) != 1 || q.sendURLs[0] != "ingest" {
		t.Fatalf("continuations %v to %v, want b's one on the ingest queue", q.continuations, q.sendURLs)
	}
	next := q.continuations[0]
	if next.Body != b.Body || next.Attributes[message.AttrResumeAfter] != "wh_00004" {
		t.Fatalf("continuation %v %.60s, want b's body resuming after wh_00004", next.Attributes, next.Body)
	}

	// The continuation's receive sends the other 20 of b, under the same
	// event (and so the same delivery ids), and nothing of a again.
	again := &cuttingQueue{clock: &budgetClock{start: time.Now()}}
	if resp := handleBefore(t, cutHandler(again, 25), again.clock, received("b2", next)); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("continuation failed: %v", failedIDs(resp))
	}
	if got := webhooksOf(t, again.sent, "org_b"); !slices.Equal(got, hookRange(5, 25)) {
		t.Fatalf("the continuation sent to %v, want wh_00005 to wh_00024", got)
	}
	if len(again.continuations) != 0 || len(webhooksOf(t, again.sent, "org_a")) != 0 {
		t.Fatalf("the continuation went on again (%v) or re-sent org_a", again.continuations)
	}
	if q.sent[0].EventID == "" || again.sent[0].EventID != q.sent[len(q.sent)-1].EventID {
		t.Fatalf("the continuation fanned out event %s, the first part %s", again.sent[0].EventID, q.sent[len(q.sent)-1].EventID)
	}
}

// A record the budget cut is reported done only once its continuation is
// on the ingest queue: a failed send leaves it a batch item failure, so
// SQS brings it back whole (its deliveries sent again under the same ids).
func TestAFailedContinuationLeavesTheRecordFailed(t *testing.T) {
	clock := &budgetClock{start: time.Now()}
	q := &cuttingQueue{clock: clock, cutAfter: 1, failSend: true}
	resp := handleBefore(t, cutHandler(q, 25), clock, orgRecord(t, "a", "org_a"))
	if got := failedIDs(resp); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("failures %v, want a: its continuation was not sent", got)
	}
	if got := webhooksOf(t, q.sent, "org_a"); !slices.Equal(got, hookRange(0, 10)) {
		t.Fatalf("deliveries %v, want the first call's 10", got)
	}
}

// Without a delivery sent there is no progress to carry: the record comes
// back whole as before. Nor when a call with its deliveries failed before
// the budget ran out: SQS may have taken some of that call's entries and
// not others, so the record is retried whole, not resumed past what may
// be missing.
func TestNoContinuationWithoutProgress(t *testing.T) {
	for _, c := range []struct {
		name               string
		hooks              int
		orgs               []string // a record each, the last one the failure
		cutAfter, failCall int
		sent               int // deliveries that went
	}{
		// a's 10 fill the first call, which b's first delivery sends; the
		// budget then refuses the call with b's 10.
		{name: "none of its calls went", hooks: 10, orgs: []string{"org_a", "org_b"}, cutAfter: 1, sent: 10},
		// The second call fails, then the budget refuses the third.
		{name: "a call failed before the cut", hooks: 25, orgs: []string{"org_a"}, cutAfter: 2, failCall: 2, sent: 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock := &budgetClock{start: time.Now()}
			q := &cuttingQueue{clock: clock, cutAfter: c.cutAfter, failCall: c.failCall}
			var records []events.SQSMessage
			for _, org := range c.orgs {
				records = append(records, orgRecord(t, org, org))
			}
			resp := handleBefore(t, cutHandler(q, c.hooks), clock, records...)
			if got, want := failedIDs(resp), c.orgs[len(c.orgs)-1:]; !slices.Equal(got, want) {
				t.Fatalf("failures %v, want %v", got, want)
			}
			if len(q.continuations) != 0 {
				t.Fatalf("continued %v without a known progress", q.continuations[0].Attributes)
			}
			if len(q.sent) != c.sent {
				t.Fatalf("%d deliveries sent, want %d", len(q.sent), c.sent)
			}
		})
	}
}
