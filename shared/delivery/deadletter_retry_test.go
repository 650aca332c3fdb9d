package delivery

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// A dead letter whose DLQ send fails leaves no open index item behind:
// the item written for it is closed (the message is kept), and the
// receive that dead-letters it again writes the only open one, which the
// letter names. An open leftover would let the tenant's recover send the
// delivery twice, or bring back a letter an operator purged.
func TestAFailedDeadLetterSendLeavesNoOpenIndexItem(t *testing.T) {
	rc := newReceiver(t, false)
	he := newHealthEnv(t, time.Hour, 100)
	he.create(t, "wh_bad", rc.srv.URL+"/status/400", true)
	m := sqsMessage(t, "org_a", "wh_bad", "evt_1")
	he.queue.failSend = true
	resp, err := he.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m}})
	if err != nil || len(resp.BatchItemFailures) != 1 {
		t.Fatalf("a dead letter whose send failed: %+v, %v; want it kept for retry", resp.BatchItemFailures, err)
	}
	if open, _, err := he.deadLetters.Open(context.Background(), "org_a", "wh_bad", time.Time{}, 10); err != nil || len(open) != 0 {
		t.Fatalf("after the failed send: %d open index items, %v; want none", len(open), err)
	}

	he.queue.failSend = false
	he.now = he.now.Add(time.Minute)
	he.handle(t, received(m, 2))
	open, _, err := he.deadLetters.Open(context.Background(), "org_a", "wh_bad", time.Time{}, 10)
	if err != nil || len(open) != 1 || he.dlqSends() != 1 {
		t.Fatalf("after the retry: %d open index items, %d DLQ sends, %v; want 1 and 1", len(open), he.dlqSends(), err)
	}
	if named := he.queue.sent[0].msg.Attributes[message.AttrDeadLetterID]; named != open[0].ID() {
		t.Fatalf("the letter names %q, the open item is %q", named, open[0].ID())
	}
}

// The last attempt's dead letter whose send failed is dead-lettered on the
// next receive as that attempt: its count, status and time, with no POST
// and no attempt entry beyond it.
func TestARetriedLastDeadLetterKeepsItsAttempt(t *testing.T) {
	rc := newReceiver(t, false)
	cfg := testConfig()
	cfg.RetrySchedule = []time.Duration{time.Second}
	e := newEnv(t, cfg, nil)
	e.webhooks.put(webhook.Webhook{ID: "wh_500", OrgID: "org_a", URL: rc.srv.URL + "/status/500", Enabled: true})
	m := sqsMessage(t, "org_a", "wh_500", "evt_1")
	handle := func(receive int) {
		t.Helper()
		if _, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{received(m, receive)}}); err != nil {
			t.Fatal(err)
		}
	}
	handle(1) // attempt 1: 500, retried
	e.queue.failSend = true
	handle(2) // attempt 2, the last: 500, dead letter not sent
	e.queue.failSend = false
	posts := rc.hits.Load()
	handle(3)
	if got := rc.hits.Load(); got != posts || posts != 2 {
		t.Fatalf("%d POSTs in all, %d on the last receive; want 2 and none", got, got-posts)
	}
	if len(e.queue.sent) != 1 {
		t.Fatalf("%d dead letters sent, want 1", len(e.queue.sent))
	}
	attrs := e.queue.sent[0].msg.Attributes
	if attrs[message.AttrAttempts] != "2" || attrs[message.AttrLastStatus] != "500" {
		t.Fatalf("dead letter attempts=%s last_status=%s; want 2 and 500", attrs[message.AttrAttempts], attrs[message.AttrLastStatus])
	}
	as := e.attempts.list()
	final := as[len(as)-1]
	if final.Attempt != 2 || final.Outcome != deliverylog.OutcomeDeadLettered || final.StatusCode != 500 || !final.At.Equal(as[1].At) {
		t.Fatalf("last attempt entry %+v; want attempt 2 dead_lettered with status 500 at attempt 2's time %s", final, as[1].At)
	}
	for _, a := range as {
		if a.Attempt > 2 {
			t.Fatalf("an attempt entry numbered %d after 2 POSTs", a.Attempt)
		}
	}
	if got := attrs[message.AttrLastAttempt]; got != as[1].At.UTC().Format(time.RFC3339) {
		t.Fatalf("dead letter last_attempt_at %s, want attempt 2's %s", got, as[1].At.UTC().Format(time.RFC3339))
	}
}
