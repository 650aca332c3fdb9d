package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// roomy is a budget that constrains nothing the schedules in tests ask for.
var roomy = budget{maxDelay: 12*time.Hour - receiptMargin, left: config.RetryBudget}

func TestDecideStaysWithinTheBudget(t *testing.T) {
	sched := []time.Duration{time.Minute, 10 * time.Hour}
	noJitter := func(time.Duration) time.Duration { return 0 }
	fullJitter := func(max time.Duration) time.Duration { return max }
	tooMany := result{status: 429, retryAfter: 12 * time.Hour, hasRetry: true}
	cases := []struct {
		name   string
		r      result
		n      int
		jitter func(time.Duration) time.Duration
		b      budget
		want   decision
	}{
		{"Retry-After of 12 h asks for less than 12 h from the receipt", tooMany, 1, noJitter,
			budget{maxDelay: 12*time.Hour - receiptMargin - 30*time.Second, left: 72 * time.Hour},
			decision{act: actRetry, delay: 12*time.Hour - receiptMargin - 30*time.Second}},
		{"the largest step with its jitter fits a fresh receipt", result{status: 500}, 2, fullJitter, roomy,
			decision{act: actRetry, delay: 11 * time.Hour}},
		{"a retry that would end past the budget is dead-lettered", tooMany, 1, noJitter,
			budget{maxDelay: roomy.maxDelay, left: 11 * time.Hour},
			decision{act: actDeadLetter, reason: message.ReasonRetryBudget}},
		{"a step that would end past the budget is dead-lettered", result{class: ClassTimeout}, 2, noJitter,
			budget{maxDelay: roomy.maxDelay, left: 9 * time.Hour},
			decision{act: actDeadLetter, reason: message.ReasonRetryBudget}},
		{"a spent budget does not stop a delivery", result{status: 200}, 2, noJitter,
			budget{maxDelay: roomy.maxDelay, left: -time.Hour}, decision{act: actDelivered}},
		{"nor turn a permanent failure into a budget one", result{status: 400}, 1, noJitter,
			budget{left: -time.Hour}, decision{act: actDeadLetter, reason: message.ReasonPermanentStatus}},
		{"spent retries stay retries_exhausted", result{class: ClassRetriesSpent}, 4, noJitter, roomy,
			decision{act: actDeadLetter, reason: message.ReasonRetriesExhausted}},
	}
	for _, c := range cases {
		if got := decide(c.r, c.n, sched, c.jitter, c.b); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestBudgetCountsFromReceiptAndSend(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	b := newBudget(now.Add(-10*time.Minute), now.Add(-71*time.Hour), now)
	if b.maxDelay != 12*time.Hour-10*time.Minute-receiptMargin || b.left != config.RetryBudget-71*time.Hour {
		t.Fatalf("budget %+v", b)
	}
	sqsSent := events.SQSMessage{Attributes: map[string]string{"SentTimestamp": strconv.FormatInt(now.Add(-2*time.Hour).UnixMilli(), 10)}}
	first := deliverylog.DeliveryRecord{FirstAttemptAt: now.Add(-3 * time.Hour)}
	for _, c := range []struct {
		m    events.SQSMessage
		rec  deliverylog.DeliveryRecord
		want time.Time
	}{
		{sqsSent, deliverylog.DeliveryRecord{}, now.Add(-2 * time.Hour)},
		{sqsSent, first, now.Add(-3 * time.Hour)}, // goaws: SentTimestamp is the receive
		{events.SQSMessage{}, deliverylog.DeliveryRecord{}, now},
	} {
		if got := sentAt(c.m, c.rec, now); !got.Equal(c.want) {
			t.Errorf("sentAt = %v, want %v", got, c.want)
		}
	}
}

// A message whose next retry would outlive the retry budget (and, a day
// later, the queue's retention) is dead-lettered with the reason, not
// retried into oblivion.
func TestRetryPastTheBudgetIsDeadLettered(t *testing.T) {
	rc := newReceiver(t, false)
	e := newEnv(t, testConfig(), nil)
	e.webhooks.put(webhook.Webhook{ID: "wh_500", OrgID: "org_a", URL: rc.srv.URL + "/status/500", Enabled: true})
	m := sqsMessage(t, "org_a", "wh_500", "evt_1")
	m.Attributes = map[string]string{"SentTimestamp": strconv.FormatInt(time.Now().Add(-config.RetryBudget+20*time.Second).UnixMilli(), 10)}
	resp, _ := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m}})
	if len(resp.BatchItemFailures) != 0 || len(e.queue.visibility) != 0 {
		t.Fatalf("failures %v, visibility %v: want no retry", resp.BatchItemFailures, e.queue.visibility)
	}
	if len(e.queue.sent) != 1 || e.queue.sent[0].msg.Attributes[message.AttrReason] != message.ReasonRetryBudget ||
		e.queue.sent[0].msg.Attributes[message.AttrAttempts] != "1" {
		t.Fatalf("DLQ %+v, want one retry_budget_exhausted after attempt 1", e.queue.sent)
	}
	// A first attempt that ends in the DLQ leaves no record behind (never
	// one in flight forever): its attempt entry keeps the body.
	if _, err := e.records.Get(context.Background(), deliveryIDOf(t, m)); !errors.Is(err, deliverylog.ErrNotFound) || e.attempts.message(deliveryIDOf(t, m)) != m.Body {
		t.Fatalf("record lookup %v; entry body kept: %v", err, e.attempts.message(deliveryIDOf(t, m)) == m.Body)
	}
}

func deliveryIDOf(t *testing.T, m events.SQSMessage) string {
	t.Helper()
	d, err := message.Decode(m.Body)
	if err != nil {
		t.Fatal(err)
	}
	return d.DeliveryID
}

// nearLimitV1 is a version 1 message (escaped envelope) of size bytes:
// valid in the queue, too large for the DLQ with every reason attribute.
func nearLimitV1(t *testing.T, webhookID string, size int) events.SQSMessage {
	t.Helper()
	body := func(pad int) string {
		env := `{"id":"evt_1","event_name":"emailClick","organization_id":"org_a","timestamp":1,"data":{"p":"` + strings.Repeat("x", pad) + `"}}`
		b, err := json.Marshal(map[string]any{"v": 1, "delivery_id": "dlv_near", "event_id": "evt_1", "organization_id": "org_a",
			"webhook_id": webhookID, "event_name": "emailClick", "envelope": env})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	b := body(size - len(body(0)))
	if len(b) != size {
		t.Fatalf("body is %d bytes, want %d", len(b), size)
	}
	return events.SQSMessage{MessageId: "m-near", ReceiptHandle: "rh-near", Body: b}
}

func TestNearLimitMessageReachesTheDLQWithItsReason(t *testing.T) {
	rc := newReceiver(t, false)
	e := newEnv(t, testConfig(), nil)
	e.queue.enforceSize = true
	e.webhooks.put(webhook.Webhook{ID: "wh_400", OrgID: "org_a", URL: rc.srv.URL + "/status/400", Enabled: true})
	m := nearLimitV1(t, "wh_400", 256*1024-60)
	resp, _ := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m}})
	if len(resp.BatchItemFailures) != 0 || len(e.queue.sent) != 1 {
		t.Fatalf("failures %v, DLQ %d messages: the dead letter did not fit", resp.BatchItemFailures, len(e.queue.sent))
	}
	got := e.queue.sent[0].msg
	if got.Body != m.Body || got.Attributes[message.AttrReason] != message.ReasonPermanentStatus {
		t.Fatalf("dead letter attributes %v (body changed: %v)", got.Attributes, got.Body != m.Body)
	}
	if rc.hits.Load() != 1 {
		t.Fatalf("%d POSTs, want 1", rc.hits.Load())
	}
}

// A DLQ that refuses the attributes for a reason the handler cannot
// predict still gets the message, with its reason.
func TestRefusedDeadLetterIsSentAgainWithTheReasonOnly(t *testing.T) {
	rc := newReceiver(t, false)
	e := newEnv(t, testConfig(), nil)
	e.queue.maxAttrs = 1
	e.webhooks.put(webhook.Webhook{ID: "wh_400", OrgID: "org_a", URL: rc.srv.URL + "/status/400", Enabled: true})
	resp, _ := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{sqsMessage(t, "org_a", "wh_400", "evt_1")}})
	if len(resp.BatchItemFailures) != 0 || len(e.queue.sent) != 1 ||
		len(e.queue.sent[0].msg.Attributes) != 1 || e.queue.sent[0].msg.Attributes[message.AttrReason] != message.ReasonPermanentStatus {
		t.Fatalf("failures %v, DLQ %+v", resp.BatchItemFailures, e.queue.sent)
	}
}

// When the last attempt's DLQ send fails, the next receive dead-letters
// without POSTing again.
func TestSpentRetriesAreDeadLetteredWithoutAnotherPOST(t *testing.T) {
	rc := newReceiver(t, false)
	cfg := testConfig()
	cfg.RetrySchedule = []time.Duration{time.Second}
	e := newEnv(t, cfg, nil)
	e.webhooks.put(webhook.Webhook{ID: "wh_500", OrgID: "org_a", URL: rc.srv.URL + "/status/500", Enabled: true})
	m := sqsMessage(t, "org_a", "wh_500", "evt_1")
	handle := func() int {
		resp, _ := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m}})
		return len(resp.BatchItemFailures)
	}
	if handle() != 1 { // attempt 1: retry
		t.Fatal("attempt 1 was not retried")
	}
	e.queue.failSend = true
	if handle() != 1 { // attempt 2: exhausted, but the DLQ is down
		t.Fatal("a message the DLQ refused was not kept")
	}
	e.queue.failSend = false
	if handle() != 0 || rc.hits.Load() != 2 {
		t.Fatalf("after the DLQ came back: %d POSTs, want 2 (no POST beyond the schedule)", rc.hits.Load())
	}
	if len(e.queue.sent) != 1 || e.queue.sent[0].msg.Attributes[message.AttrReason] != message.ReasonRetriesExhausted {
		t.Fatalf("DLQ %+v", e.queue.sent)
	}
}

// The event source may hold a message for its whole batching window
// before the handler sees it, and SQS's 12 h counts from its receive: a
// Retry-After near 12 h asks for no more than 12 h less the window and
// the margin, counted from when the handler saw the message.
func TestRetryAfterNear12hLeavesTheBatchWindowOut(t *testing.T) {
	rc := newReceiver(t, false)
	seen := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, window := range []time.Duration{0, time.Second, config.MaxBatchWindow} {
		cfg := testConfig()
		cfg.DeliverBatchWindow = window
		e := newEnv(t, cfg, func(d *Deps) { d.Now = func() time.Time { return seen } })
		e.webhooks.put(webhook.Webhook{ID: "wh_429", OrgID: "org_a", URL: rc.srv.URL + "/retry-after?v=43199", Enabled: true})
		resp, _ := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{sqsMessage(t, "org_a", "wh_429", "evt_1")}})
		want := config.MaxVisibility - window - receiptMargin
		if len(resp.BatchItemFailures) != 1 || len(e.queue.visibility) != 1 || e.queue.visibility[0].delay != want {
			t.Fatalf("window %s: failures %v, visibility %+v; want one retry in %s", window, resp.BatchItemFailures, e.queue.visibility, want)
		}
	}
}
