package delivery

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/healthnotice"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

type recordingNotifier struct {
	mu       sync.Mutex
	disabled []webhook.Webhook
}

func (n *recordingNotifier) Disabled(_ context.Context, w webhook.Webhook) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.disabled = append(n.disabled, w)
	return nil
}

// healthEnv is a handler whose webhooks, health and parked deliveries are
// the DynamoDB adapters on dynalite, with a clock the test moves.
type healthEnv struct {
	*env
	store  *dynamo.WebhookStore
	parked *dynamo.ParkedStore
	notify *recordingNotifier
	now    time.Time
}

func newHealthEnv(t *testing.T, after time.Duration, minFailures int) *healthEnv {
	db, table := testenv.Table(t)
	he := &healthEnv{
		store: dynamo.NewWebhookStore(db, table), parked: dynamo.NewParkedStore(db, table, time.Hour),
		notify: &recordingNotifier{}, now: time.Now().UTC().Truncate(time.Millisecond),
	}
	he.parked.Now = func() time.Time { return he.now }
	cfg := testConfig()
	cfg.DisableAfter, cfg.DisableMinFailures = after, minFailures
	he.env = newEnv(t, cfg, func(d *Deps) {
		d.Webhooks, d.Health, d.Parked, d.Notify = he.store, he.store, he.parked, he.notify
		d.Now = func() time.Time { return he.now }
	})
	return he
}

func (he *healthEnv) create(t *testing.T, id, url string, enabled bool) {
	t.Helper()
	w := webhook.Webhook{ID: id, OrgID: "org_a", Name: id, URL: url, EventTypes: []string{"emailClick"}, Enabled: enabled, CreatedAt: he.now, UpdatedAt: he.now}
	if err := he.store.Create(context.Background(), w, 100); err != nil {
		t.Fatal(err)
	}
}

func (he *healthEnv) get(t *testing.T, id string) webhook.Webhook {
	t.Helper()
	w, err := he.store.Get(context.Background(), "org_a", id)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// handle runs one message and fails the test if it was reported for retry.
func (he *healthEnv) handle(t *testing.T, m events.SQSMessage) {
	t.Helper()
	resp, err := he.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("handle %s: %+v, %v", m.MessageId, resp.BatchItemFailures, err)
	}
}

func (he *healthEnv) dlqSends() int {
	he.queue.mu.Lock()
	defer he.queue.mu.Unlock()
	return len(he.queue.sent)
}

// noticeMessage is a webhook.disabled delivery to webhookID.
func noticeMessage(t *testing.T, webhookID string) events.SQSMessage {
	return namedMessage(t, webhookID, "notice", healthnotice.Disabled, `{"webhook_id":"wh_x","reason":"failing","disabled_at":"2026-11-28T10:00:00Z"}`)
}

// namedMessage is a delivery of an event of name to org_a's webhookID.
func namedMessage(t *testing.T, webhookID, tag, name, data string) events.SQSMessage {
	t.Helper()
	env, err := message.BuildEnvelope("evt_"+tag, name, "org_a", 1745000000, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	d := message.Delivery{DeliveryID: "dlv_" + tag + webhookID, EventID: "evt_" + tag, OrgID: "org_a", WebhookID: webhookID, EventName: name, Envelope: string(env)}
	body, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return events.SQSMessage{MessageId: "m-" + tag + "-" + webhookID, ReceiptHandle: "rh-" + tag + "-" + webhookID, Body: body}
}

func TestFailingEndpointIsDisabledThenParked(t *testing.T) {
	rc := newReceiver(t, false)
	he := newHealthEnv(t, 2*time.Hour, 3)
	he.create(t, "wh_down", rc.srv.URL+"/status/400", true)
	he.create(t, "wh_off", rc.srv.URL+"/status/204", false)
	start := he.now

	for i, evt := range []string{"evt_1", "evt_2", "evt_3"} {
		he.handle(t, sqsMessage(t, "org_a", "wh_down", evt)) // 400: dead-lettered at once
		w := he.get(t, "wh_down")
		if w.Health.ConsecutiveFailures != i+1 || !w.Health.FailingSince.Equal(start) {
			t.Fatalf("after %d failures: %+v", i+1, w.Health)
		}
		if wantEnabled := i < 2; w.Enabled != wantEnabled {
			t.Fatalf("after %d failures at +%s: enabled %v", i+1, he.now.Sub(start), w.Enabled)
		}
		he.now = he.now.Add(time.Hour)
	}
	w := he.get(t, "wh_down")
	if w.DisabledReason != webhook.DisabledFailing || !w.DisabledAt.Equal(start.Add(2*time.Hour)) {
		t.Fatalf("disabled webhook: %+v", w)
	}
	if len(he.notify.disabled) != 1 || he.notify.disabled[0].ID != "wh_down" || he.notify.disabled[0].Health.ConsecutiveFailures != 3 {
		t.Fatalf("notices: %+v", he.notify.disabled)
	}
	if !strings.Contains(he.logs.String(), `"msg":"`+MsgWebhookDisabled+`"`) {
		t.Fatalf("no %q log line (the stack's metric filter counts it)", MsgWebhookDisabled)
	}

	hits, dead := rc.hits.Load(), he.dlqSends()
	parkedMsg := sqsMessage(t, "org_a", "wh_down", "evt_4")
	parkedMsg.Attributes = map[string]string{"SentTimestamp": "1745000000123"}
	he.handle(t, parkedMsg)
	he.handle(t, parkedMsg) // a second receive (crash before the delete) parks the same item
	he.handle(t, noticeMessage(t, "wh_down"))
	he.handle(t, sqsMessage(t, "org_a", "wh_off", "evt_5"))
	if rc.hits.Load() != hits || he.dlqSends() != dead {
		t.Fatalf("while disabled: %d POSTs and %d dead letters more, want none", rc.hits.Load()-hits, he.dlqSends()-dead)
	}
	got, err := he.parked.Since(context.Background(), "org_a", "wh_down", time.Time{}, deliverylog.Parked{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Message != parkedMsg.Body || !got[0].ParkedAt.Equal(time.UnixMilli(1745000000123)) {
		t.Fatalf("parked = %+v, want evt_4's message once", got)
	}
	for _, id := range []string{"wh_off"} {
		if p, _ := he.parked.Since(context.Background(), "org_a", id, time.Time{}, deliverylog.Parked{}, 10); len(p) != 0 {
			t.Fatalf("a manually disabled endpoint parked %d deliveries", len(p))
		}
	}
	skipped := 0
	for _, a := range he.attempts.list() {
		if a.Outcome == deliverylog.OutcomeSkipped {
			skipped++
		}
	}
	if skipped != 2 {
		t.Fatalf("skipped %d (the notice and the manually disabled endpoint's delivery), want 2", skipped)
	}

	// A test event is POSTed all the same, and logged: the tenant checks
	// the endpoint before recovering it (this one still answers 400).
	test := namedMessage(t, "wh_down", "test", catalog.TestEvent, `{"message":"hi","webhook_id":"wh_down"}`)
	he.handle(t, test)
	if rc.hits.Load() != hits+1 {
		t.Fatalf("a test event to the parked endpoint: %d POSTs, want 1", rc.hits.Load()-hits)
	}
	logged := false
	for _, a := range he.attempts.list() {
		logged = logged || a.DeliveryID == "dlv_testwh_down" && a.StatusCode == 400
	}
	if p, _ := he.parked.Since(context.Background(), "org_a", "wh_down", time.Time{}, deliverylog.Parked{}, 10); !logged || len(p) != 1 {
		t.Fatalf("the test: in the attempt log %v, parked deliveries %d (want 1, evt_4's)", logged, len(p))
	}
	// Neither a failed nor a passed test moves the failure run: its start
	// is where a recover begins.
	w = he.get(t, "wh_down")
	w.URL = rc.srv.URL + "/status/204"
	if err := he.store.Update(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	he.handle(t, namedMessage(t, "wh_down", "test2", catalog.TestEvent, `{"message":"hi","webhook_id":"wh_down"}`))
	if rc.hits.Load() != hits+2 {
		t.Fatalf("the second test: %d POSTs in all, want 2", rc.hits.Load()-hits)
	}
	if h := he.get(t, "wh_down").Health; h.ConsecutiveFailures != 3 || !h.FailingSince.Equal(start) || !h.LastSuccessAt.IsZero() {
		t.Fatalf("health after a failed and a passed test: %+v, want the run of 3 since %s untouched", h, start)
	}
}

func TestSuccessEndsTheFailureRunWithOneWrite(t *testing.T) {
	rc := newReceiver(t, false)
	he := newHealthEnv(t, time.Hour, 3)
	he.create(t, "wh_flaky", rc.srv.URL+"/status/400", true)
	he.handle(t, sqsMessage(t, "org_a", "wh_flaky", "evt_1"))
	he.handle(t, sqsMessage(t, "org_a", "wh_flaky", "evt_2"))
	w := he.get(t, "wh_flaky")
	w.URL = rc.srv.URL + "/status/204"
	if err := he.store.Update(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	he.now = he.now.Add(30 * time.Minute)
	recovered := he.now
	he.handle(t, sqsMessage(t, "org_a", "wh_flaky", "evt_3"))
	h := he.get(t, "wh_flaky").Health
	if h.ConsecutiveFailures != 0 || !h.FailingSince.IsZero() || !h.LastSuccessAt.Equal(recovered) {
		t.Fatalf("after a success: %+v", h)
	}
	// A healthy endpoint's success writes nothing: last_success_at stays.
	he.now = he.now.Add(2 * time.Hour)
	he.handle(t, sqsMessage(t, "org_a", "wh_flaky", "evt_4"))
	if h := he.get(t, "wh_flaky").Health; !h.LastSuccessAt.Equal(recovered) {
		t.Fatalf("a success with no failure run wrote health: %+v", h)
	}
	// Two more failures after the reset do not reach the count of 3.
	w = he.get(t, "wh_flaky")
	w.URL = rc.srv.URL + "/status/400"
	if err := he.store.Update(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	he.now = he.now.Add(2 * time.Hour)
	he.handle(t, sqsMessage(t, "org_a", "wh_flaky", "evt_5"))
	he.now = he.now.Add(2 * time.Hour)
	he.handle(t, sqsMessage(t, "org_a", "wh_flaky", "evt_6"))
	if w := he.get(t, "wh_flaky"); !w.Enabled || w.Health.ConsecutiveFailures != 2 {
		t.Fatalf("after the reset and 2 failures: %+v", w)
	}
}

// A recover enables the webhook and re-queues its deliveries at once: a
// warm cache that still shows it disabled for failing must not park them
// again.
func TestStaleParkedCacheIsReadAgain(t *testing.T) {
	rc := newReceiver(t, false)
	he := newHealthEnv(t, time.Hour, 1)
	cache := NewWebhookCache(he.store, time.Hour)
	cache.Now = func() time.Time { return he.now }
	he.h.d.Webhooks = cache
	he.create(t, "wh_back", rc.srv.URL+"/status/400", true)
	he.handle(t, sqsMessage(t, "org_a", "wh_back", "evt_1"))
	he.now = he.now.Add(time.Hour)
	he.handle(t, sqsMessage(t, "org_a", "wh_back", "evt_2")) // the second failure, an hour on, disables it
	if w := he.get(t, "wh_back"); !w.Parks() {
		t.Fatalf("not disabled: %+v", w)
	}
	he.handle(t, sqsMessage(t, "org_a", "wh_back", "evt_3")) // parked; the cache now holds the disabled webhook
	if _, err := cache.Get(context.Background(), "org_a", "wh_back"); err != nil {
		t.Fatal(err)
	}
	w := he.get(t, "wh_back")
	w.Enabled, w.DisabledReason, w.URL = true, "", rc.srv.URL+"/status/204"
	if err := he.store.Update(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	hits := rc.hits.Load()
	he.handle(t, sqsMessage(t, "org_a", "wh_back", "evt_3"))
	if rc.hits.Load() != hits+1 {
		t.Fatalf("the re-queued delivery was not POSTed (parked again from the cache?)")
	}
}
