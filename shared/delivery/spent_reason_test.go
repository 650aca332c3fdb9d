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

// A last attempt dead-lettered for the endpoint's address, not for an
// answer, keeps its reason when its dead letter fails once and the next
// receive finishes it: blocked_address (a loopback target with the
// loopback allowance off) and invalid_url (http outside dev mode), never
// retries_exhausted, and still without a POST.
func TestALastAttemptsAddressReasonSurvivesAFailedDeadLetter(t *testing.T) {
	tlsRc, plain := newReceiver(t, true), newReceiver(t, false)
	for _, c := range []struct {
		name, url, class, reason string
	}{
		{"blocked address", tlsRc.srv.URL + "/status/200", ClassBlockedAddress, message.ReasonBlockedAddress},
		{"invalid url", plain.srv.URL + "/status/200", ClassInvalidURL, message.ReasonInvalidURL},
	} {
		for _, step := range []struct {
			name string
			fail func(e *env, failing bool)
		}{
			{"dlq send fails", func(e *env, failing bool) { e.queue.failSend = failing }},
			{"index write fails", func(e *env, failing bool) {
				e.h.d.DeadLetters = nil
				if failing {
					e.h.d.DeadLetters = failingIndex{}
				}
			}},
		} {
			t.Run(c.name+"/"+step.name, func(t *testing.T) {
				cfg := testConfig()
				cfg.AllowLoopback = false
				cfg.RetrySchedule = []time.Duration{time.Second}
				e := newEnv(t, cfg, nil)
				e.webhooks.put(webhook.Webhook{ID: "wh_x", OrgID: "org_a", URL: c.url, Enabled: true})
				m := sqsMessage(t, "org_a", "wh_x", "evt_1")
				seedFirstAttempt(t, e, m)
				handle := func(receive int) int {
					t.Helper()
					resp, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{received(m, receive)}})
					if err != nil {
						t.Fatal(err)
					}
					return len(resp.BatchItemFailures)
				}
				step.fail(e, true)
				if kept := handle(2); kept != 1 || len(e.queue.sent) != 0 {
					t.Fatalf("setup: the last attempt's dead letter did not fail (%d kept, %d letters)", kept, len(e.queue.sent))
				}
				step.fail(e, false)
				if kept := handle(3); kept != 0 {
					t.Fatalf("the receive after the failed dead letter kept the message")
				}
				if hits := tlsRc.hits.Load() + plain.hits.Load(); hits != 0 {
					t.Fatalf("%d POSTs to an address the guard refuses", hits)
				}
				if len(e.queue.sent) != 1 {
					t.Fatalf("%d dead letters, want 1", len(e.queue.sent))
				}
				attrs := e.queue.sent[0].msg.Attributes
				if attrs[message.AttrReason] != c.reason || attrs[message.AttrLastError] != c.class || attrs[message.AttrAttempts] != "2" {
					t.Fatalf("dead letter reason=%s last_error=%s attempts=%s; want %s, %s, 2",
						attrs[message.AttrReason], attrs[message.AttrLastError], attrs[message.AttrAttempts], c.reason, c.class)
				}
				as := e.attempts.list()
				final := as[len(as)-1]
				if final.Attempt != 2 || final.Outcome != deliverylog.OutcomeDeadLettered || final.ErrorClass != c.class {
					t.Fatalf("last attempt entry %+v; want attempt 2 dead_lettered with class %s", final, c.class)
				}
			})
		}
	}
}

// seedFirstAttempt stores the record m's first attempt left: a 500,
// retried (the schedule has one step), so its next receive is the last
// attempt. With the loopback allowance off no endpoint of a test can
// answer, so the record is written as that attempt would have.
func seedFirstAttempt(t *testing.T, e *env, m events.SQSMessage) {
	t.Helper()
	d, err := message.Decode(m.Body)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Second)
	rec := deliverylog.DeliveryRecord{
		DeliveryID: d.DeliveryID, OrgID: d.OrgID, WebhookID: d.WebhookID, EventID: d.EventID, EventName: d.EventName,
		Message: m.Body, Attempts: 1, FirstAttemptAt: at, LastAttemptAt: at, Status: deliverylog.StatusInFlight, LastStatusCode: 500,
	}
	if err := e.records.Save(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
}
