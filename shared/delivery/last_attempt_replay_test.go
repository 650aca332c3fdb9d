package delivery

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// flakyRemover fails its next fails removals (a throttled DeleteGone).
type flakyRemover struct {
	next  Remover
	fails int
}

func (r *flakyRemover) Remove(ctx context.Context, w webhook.Webhook) error {
	if r.fails > 0 {
		r.fails--
		return errors.New("dynamodb: throttled")
	}
	return r.next.Remove(ctx, w)
}

// The last scheduled attempt's answer decides its outcome even when its
// removal or dead letter failed once and a later receive finishes it: a
// 410 removes the webhook (no dead letter, so no health failure), another
// 4xx is dead-lettered as permanent_status, and only a retryable answer
// ends as retries_exhausted. None is POSTed again.
func TestTheLastAttemptsAnswerDecidesAfterAFailedStep(t *testing.T) {
	rc := newReceiver(t, false)
	for _, c := range []struct {
		code    int
		outcome string
		reason  string // of the dead letter, none for a removal
	}{
		{410, deliverylog.OutcomeRemoved, ""},
		{400, deliverylog.OutcomeDeadLettered, message.ReasonPermanentStatus},
		{408, deliverylog.OutcomeDeadLettered, message.ReasonPermanentStatus},
		{429, deliverylog.OutcomeDeadLettered, message.ReasonRetriesExhausted},
		{503, deliverylog.OutcomeDeadLettered, message.ReasonRetriesExhausted},
	} {
		t.Run(strconv.Itoa(c.code), func(t *testing.T) {
			e, wh, handle := lastAttemptEnv(t, rc, c.code)
			handle(3)
			posts := rc.hits.Load()
			if posts != 0 {
				t.Fatalf("%d POSTs on the receive after the last attempt, want none", posts)
			}
			_, err := e.webhooks.Get(context.Background(), wh.OrgID, wh.ID)
			if removed := errors.Is(err, webhook.ErrNotFound); removed != (c.reason == "") {
				t.Fatalf("webhook removed: %v (%v), want %v", removed, err, c.reason == "")
			}
			switch {
			case c.reason == "" && len(e.queue.sent) != 0:
				t.Fatalf("%d dead letters for a 410, want none", len(e.queue.sent))
			case c.reason != "" && len(e.queue.sent) != 1:
				t.Fatalf("%d dead letters, want 1", len(e.queue.sent))
			case c.reason != "":
				attrs := e.queue.sent[0].msg.Attributes
				if attrs[message.AttrReason] != c.reason || attrs[message.AttrLastStatus] != strconv.Itoa(c.code) || attrs[message.AttrAttempts] != "2" {
					t.Fatalf("dead letter reason=%s last_status=%s attempts=%s; want %s, %d, 2",
						attrs[message.AttrReason], attrs[message.AttrLastStatus], attrs[message.AttrAttempts], c.reason, c.code)
				}
			}
			as := e.attempts.list()
			final := as[len(as)-1]
			if final.Attempt != 2 || final.Outcome != c.outcome || final.StatusCode != c.code {
				t.Fatalf("last attempt entry %+v; want attempt 2 %s with status %d", final, c.outcome, c.code)
			}
		})
	}
}

// A 410 whose removal failed, from a URL the tenant changed before the
// next receive, removes nothing: as for any 410 from a URL the webhook no
// longer has, that attempt does not count and the webhook's URL now gets
// the last attempt.
func TestALastAttemptsGoneFromAnOldURLPostsToTheNewOne(t *testing.T) {
	rc := newReceiver(t, false)
	e, wh, handle := lastAttemptEnv(t, rc, 410)
	wh.URL, wh.UpdatedAt = rc.srv.URL+"/status/200", time.Now()
	e.webhooks.put(wh)
	handle(3)
	if _, err := e.webhooks.Get(context.Background(), wh.OrgID, wh.ID); err != nil {
		t.Fatalf("webhook read after the new URL's answer: %v; want it kept", err)
	}
	if posts := rc.hits.Load(); posts != 1 || len(e.queue.sent) != 0 {
		t.Fatalf("%d POSTs and %d dead letters on the last receive; want 1 and none", posts, len(e.queue.sent))
	}
	as := e.attempts.list()
	final := as[len(as)-1]
	if final.Attempt != 2 || final.Outcome != deliverylog.OutcomeDelivered || final.StatusCode != 200 {
		t.Fatalf("last attempt entry %+v; want attempt 2 delivered with status 200", final)
	}
}

// lastAttemptEnv makes a delivery's last scheduled attempt (the schedule
// has one step) answer code, with its removal (410) or dead letter
// failing once; handle(receive) runs the message's next receive. The
// receiver's POST count starts at 0 after the last attempt.
func lastAttemptEnv(t *testing.T, rc *receiver, code int) (*env, webhook.Webhook, func(receive int)) {
	t.Helper()
	cfg := testConfig()
	cfg.RetrySchedule = []time.Duration{time.Second}
	flaky := &flakyRemover{}
	e := newEnv(t, cfg, func(d *Deps) { flaky.next = d.Remover; d.Remover = flaky })
	wh := webhook.Webhook{ID: "wh_x", OrgID: "org_a", URL: rc.srv.URL + "/status/500", Enabled: true, UpdatedAt: time.Now().Add(-time.Hour)}
	e.webhooks.put(wh)
	m := sqsMessage(t, "org_a", "wh_x", "evt_1")
	handle := func(receive int) {
		t.Helper()
		if _, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{received(m, receive)}}); err != nil {
			t.Fatal(err)
		}
	}
	handle(1) // attempt 1: 500, retried
	wh.URL = rc.srv.URL + "/status/" + strconv.Itoa(code)
	e.webhooks.put(wh)
	flaky.fails = 1
	e.queue.failSend = true
	handle(2) // attempt 2, the last: its removal or dead letter fails
	e.queue.failSend = false
	if flaky.fails != 0 && code == 410 || len(e.queue.sent) != 0 {
		t.Fatalf("setup: the last attempt's removal or dead letter did not fail (%d removals left to fail, %d letters)", flaky.fails, len(e.queue.sent))
	}
	flaky.fails = 0
	rc.hits.Store(0)
	return e, wh, handle
}
