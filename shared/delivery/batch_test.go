package delivery

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

func TestMixedBatchReportsExactlyTheFailures(t *testing.T) {
	rc := newReceiver(t, false)
	e := newEnv(t, testConfig(), nil)
	for id, path := range map[string]string{"wh_ok": "/status/200", "wh_500": "/status/500", "wh_400": "/status/400",
		"wh_gone": "/status/410", "wh_429": "/status/429", "wh_panic": "/status/200"} {
		e.webhooks.put(webhook.Webhook{ID: id, OrgID: "org_a", URL: rc.srv.URL + path, Enabled: true})
	}
	e.webhooks.put(webhook.Webhook{ID: "wh_off", OrgID: "org_a", URL: rc.srv.URL + "/status/200", Enabled: false})

	malformed := events.SQSMessage{MessageId: "m-bad", ReceiptHandle: "rh-bad", Body: `{"v":1,"delivery_id":""}`}
	batch := []events.SQSMessage{
		sqsMessage(t, "org_a", "wh_ok", "evt_1"),
		sqsMessage(t, "org_a", "wh_500", "evt_1"),
		sqsMessage(t, "org_a", "wh_400", "evt_1"),
		sqsMessage(t, "org_a", "wh_gone", "evt_1"),
		sqsMessage(t, "org_a", "wh_429", "evt_1"),
		sqsMessage(t, "org_a", "wh_deleted", "evt_1"),
		sqsMessage(t, "org_a", "wh_off", "evt_1"),
		sqsMessage(t, "org_a", "wh_panic", "evt_1"),
		malformed,
		sqsMessage(t, "org_a", "wh_ok", "evt_2"),
	}
	resp, err := e.h.Handle(context.Background(), events.SQSEvent{Records: batch})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range resp.BatchItemFailures {
		got = append(got, f.ItemIdentifier)
	}
	slices.Sort(got)
	want := []string{batch[1].MessageId, batch[4].MessageId, batch[7].MessageId} // 500, 429, panic
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("batch item failures %v, want %v", got, want)
	}

	reasons := map[string]string{}
	for _, s := range e.queue.sent {
		reasons[s.msg.Body] = s.msg.Attributes[message.AttrReason]
	}
	if len(reasons) != 2 || reasons[batch[2].Body] != message.ReasonPermanentStatus || reasons[malformed.Body] != message.ReasonMalformed {
		t.Fatalf("DLQ reasons %v", reasons)
	}
	deleted := slices.Sorted(slices.Values(e.queue.deleted))
	if !slices.Equal(deleted, slices.Sorted(slices.Values([]string{batch[2].ReceiptHandle, malformed.ReceiptHandle}))) {
		t.Fatalf("deleted %v: only dead-lettered messages are deleted by the handler", deleted)
	}
	outcomes := map[string]string{}
	for _, a := range e.attempts.list() {
		outcomes[a.WebhookID+"/"+a.EventID] = a.Outcome
	}
	for k, v := range map[string]string{
		"wh_ok/evt_1": deliverylog.OutcomeDelivered, "wh_ok/evt_2": deliverylog.OutcomeDelivered, "wh_500/evt_1": deliverylog.OutcomeRetrying,
		"wh_400/evt_1": deliverylog.OutcomeDeadLettered, "wh_gone/evt_1": deliverylog.OutcomeRemoved, "wh_429/evt_1": deliverylog.OutcomeRetrying,
		"wh_deleted/evt_1": deliverylog.OutcomeSkipped, "wh_off/evt_1": deliverylog.OutcomeSkipped,
	} {
		if outcomes[k] != v {
			t.Errorf("%s: outcome %q, want %q", k, outcomes[k], v)
		}
	}
	if len(outcomes) != 8 {
		t.Errorf("attempts %v: panicked and malformed messages record none", outcomes)
	}
	if rc.hits.Load() != 6 {
		t.Errorf("%d POSTs, want 6 (skipped, panicked and malformed messages are not POSTed)", rc.hits.Load())
	}
}

// If the DLQ cannot take the message, it stays on the delivery queue.
func TestDeadLetterSendFailureKeepsMessage(t *testing.T) {
	rc := newReceiver(t, false)
	e := newEnv(t, testConfig(), nil)
	e.queue.failSend = true
	e.webhooks.put(webhook.Webhook{ID: "wh_400", OrgID: "org_a", URL: rc.srv.URL + "/status/400", Enabled: true})
	m := sqsMessage(t, "org_a", "wh_400", "evt_1")
	bad := events.SQSMessage{MessageId: "m-bad", ReceiptHandle: "rh-bad", Body: "not json"}
	resp, _ := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m, bad}})
	if len(resp.BatchItemFailures) != 2 || len(e.queue.deleted) != 0 {
		t.Fatalf("failures %+v, deleted %v: nothing may be lost", resp.BatchItemFailures, e.queue.deleted)
	}
}

// Without secrets nothing is POSTed unsigned and no attempt is counted.
func TestMissingSecretIsTransient(t *testing.T) {
	rc := newReceiver(t, false)
	e := newEnv(t, testConfig(), nil)
	e.secrets.active = nil
	e.webhooks.put(webhook.Webhook{ID: "wh_1", OrgID: "org_a", URL: rc.srv.URL + "/status/200", Enabled: true})
	resp, _ := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{sqsMessage(t, "org_a", "wh_1", "evt_1")}})
	if len(resp.BatchItemFailures) != 1 || rc.hits.Load() != 0 || len(e.attempts.list()) != 0 {
		t.Fatalf("failures %+v, hits %d, attempts %v", resp.BatchItemFailures, rc.hits.Load(), e.attempts.list())
	}
}

func TestDecide(t *testing.T) {
	sched := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}
	noJitter := func(time.Duration) time.Duration { return 0 }
	cases := []struct {
		r    result
		n    int
		want decision
	}{
		{result{status: 200}, 9, decision{act: actDelivered}},
		{result{status: 299}, 1, decision{act: actDelivered}},
		{result{status: 410}, 1, decision{act: actRemove}},
		{result{status: 404}, 1, decision{act: actDeadLetter, reason: message.ReasonPermanentStatus}},
		{result{status: 500}, 1, decision{act: actRetry, delay: time.Second}},
		{result{status: 302}, 3, decision{act: actRetry, delay: 3 * time.Second}},
		{result{status: 500}, 4, decision{act: actDeadLetter, reason: message.ReasonRetriesExhausted}},
		{result{status: 429, retryAfter: 10 * time.Second, hasRetry: true}, 4, decision{act: actDeadLetter, reason: message.ReasonRetriesExhausted}},
		{result{status: 429, retryAfter: 10 * time.Second, hasRetry: true}, 2, decision{act: actRetry, delay: 10 * time.Second}},
		{result{status: 500, retryAfter: 10 * time.Second, hasRetry: true}, 2, decision{act: actRetry, delay: 2 * time.Second}},
		{result{class: ClassTimeout}, 2, decision{act: actRetry, delay: 2 * time.Second}},
		{result{class: ClassBlockedAddress}, 1, decision{act: actDeadLetter, reason: message.ReasonBlockedAddress}},
		{result{class: ClassInvalidURL}, 1, decision{act: actDeadLetter, reason: message.ReasonInvalidURL}},
		{result{status: 600}, 1, decision{act: actRetry, delay: time.Second}},
	}
	for _, c := range cases {
		if got := decide(c.r, c.n, sched, noJitter, roomy); got != c.want {
			t.Errorf("decide(%+v, n=%d) = %+v, want %+v", c.r, c.n, got, c.want)
		}
	}
	// Jitter is at most 10 % of the step.
	var asked time.Duration
	decide(result{status: 500}, 2, sched, func(max time.Duration) time.Duration { asked = max; return max }, roomy)
	if asked != 200*time.Millisecond {
		t.Fatalf("jitter bound %v, want 10%% of 2s", asked)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"0": 0, "120": 2 * time.Minute, "99999999999": 12 * time.Hour,
		// delay-seconds (1*DIGIT) has no bound: past int64 it is as long
		// as any other huge value.
		"9223372036854775807": 12 * time.Hour, "9223372036854775808": 12 * time.Hour, "99999999999999999999": 12 * time.Hour,
		"Fri, 18 Apr 2025 12:05:00 GMT": 5 * time.Minute, "Fri, 18 Apr 2025 11:00:00 GMT": 0,
	}
	for v, want := range cases {
		if got, ok := parseRetryAfter(v, now); !ok || got != want {
			t.Errorf("%q: %v %v, want %v", v, got, ok, want)
		}
	}
	// A sign is not delay-seconds, whatever follows it.
	for _, v := range []string{"", "-5", "soon", "1.5", "+120", "+99999999999999999999", "-99999999999999999999", " 120"} {
		if _, ok := parseRetryAfter(v, now); ok {
			t.Errorf("%q accepted", v)
		}
	}
}

func TestWebhookCacheMissesOfABatchShareOneRead(t *testing.T) {
	store := &memWebhooks{hooks: map[string]webhook.Webhook{}}
	store.put(webhook.Webhook{ID: "wh_1", OrgID: "org_a", URL: "https://a.example/", Enabled: true})
	c := NewWebhookCache(store, 10*time.Second)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if w, err := c.Get(context.Background(), "org_a", "wh_1"); err != nil || w.ID != "wh_1" {
				t.Error(w, err)
			}
		})
	}
	wg.Wait()
	if store.gets != 1 {
		t.Errorf("%d store reads for ten concurrent misses, want 1", store.gets)
	}
}

func TestWebhookCache(t *testing.T) {
	store := &memWebhooks{hooks: map[string]webhook.Webhook{}}
	store.put(webhook.Webhook{ID: "wh_1", OrgID: "org_a", URL: "https://a.example/", Enabled: true})
	c := NewWebhookCache(store, 10*time.Second)
	now := time.Unix(1000, 0)
	c.Now = func() time.Time { return now }
	ctx := context.Background()
	for range 3 {
		if w, err := c.Get(ctx, "org_a", "wh_1"); err != nil || w.URL != "https://a.example/" {
			t.Fatal(w, err)
		}
	}
	if store.gets != 1 {
		t.Fatalf("%d store reads within the TTL, want 1", store.gets)
	}
	store.put(webhook.Webhook{ID: "wh_1", OrgID: "org_a", URL: "https://b.example/", Enabled: true})
	now = now.Add(10 * time.Second)
	if w, _ := c.Get(ctx, "org_a", "wh_1"); w.URL != "https://b.example/" || store.gets != 2 {
		t.Fatalf("after TTL: %s (%d reads)", w.URL, store.gets)
	}
	c.Forget("org_a", "wh_1")
	_ = store.DeleteGone(ctx, webhook.Webhook{ID: "wh_1", OrgID: "org_a", URL: "https://b.example/"})
	for range 2 {
		if _, err := c.Get(ctx, "org_a", "wh_1"); err != webhook.ErrNotFound {
			t.Fatalf("after Forget: %v", err)
		}
	}
	if store.gets != 4 {
		t.Fatalf("%d reads: errors must not be cached", store.gets)
	}
	if _, err := c.Get(ctx, "org_b", "wh_1"); err != webhook.ErrNotFound {
		t.Fatal("cache key ignores the org")
	}
}
