package delivery

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/healthnotice"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// recordingNotifier keeps the notices it was asked to put, and answers
// err (a failed put) while it is set.
type recordingNotifier struct {
	mu       sync.Mutex
	disabled []webhook.Webhook
	err      error
	during   func() // runs inside each put, if set
}

func (n *recordingNotifier) Disabled(_ context.Context, w webhook.Webhook) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.disabled = append(n.disabled, w)
	if n.during != nil {
		n.during()
	}
	return n.err
}

func (n *recordingNotifier) fail(err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.err = err
}

// healthEnv is a handler whose webhooks (the 410 remover's too), health
// and parked deliveries are the DynamoDB adapters on dynalite, with a
// clock the test moves; more changes its other Deps.
type healthEnv struct {
	*env
	store  *dynamo.WebhookStore
	parked *dynamo.ParkedStore
	// deadLetters is the index deliver writes before each DLQ send.
	deadLetters *dynamo.DeadLetterIndex
	notify      *recordingNotifier
	now         time.Time
}

func newHealthEnv(t *testing.T, after time.Duration, minFailures int, more ...func(*Deps)) *healthEnv {
	db, table := testenv.Table(t)
	he := &healthEnv{
		store: dynamo.NewWebhookStore(db, table), parked: dynamo.NewParkedStore(db, table, time.Hour),
		deadLetters: dynamo.NewDeadLetterIndex(db, table),
		notify:      &recordingNotifier{}, now: time.Now().UTC().Truncate(time.Millisecond),
	}
	he.parked.Now = func() time.Time { return he.now }
	cfg := testConfig()
	cfg.DisableAfter, cfg.DisableMinFailures = after, minFailures
	he.env = newEnv(t, cfg, func(d *Deps) {
		d.Webhooks, d.Health, d.Parked, d.Notify, d.DeadLetters = he.store, he.store, he.parked, he.notify, he.deadLetters
		// Two statements: in one tuple assignment d.Remover would get
		// the copy made before Webhooks was set, removing from the fake.
		remover := d.Remover.(WebhookRemover)
		remover.Webhooks = he.store
		d.Remover = remover
		d.Now = func() time.Time { return he.now }
		for _, f := range more {
			f(d)
		}
	})
	return he
}

// newSQSHealthEnv is a healthEnv whose handler sends to a delivery lane
// and a DLQ on goaws (auto-disable after an hour and minFailures).
func newSQSHealthEnv(t *testing.T, minFailures int) (he *healthEnv, api *sqs.Client, dlqURL, queueURL string) {
	api = testenv.SQSClient(t, testenv.Goaws(t))
	dlqURL = testenv.Queue(t, api, "deliveries-dlq", nil)
	queueURL = testenv.Queue(t, api, "deliveries", nil)
	he = newHealthEnv(t, time.Hour, minFailures, func(d *Deps) {
		d.Queue, d.Config.DLQURL, d.Config.DeliveryQueues = sqsqueue.New(api), dlqURL, lanes.Lanes{queueURL}
	})
	return he, api, dlqURL, queueURL
}

func (he *healthEnv) create(t *testing.T, id, url string, enabled bool) {
	t.Helper()
	// All events: fan-out sends it every message these tests make (a
	// producer's webhook.test, the notices).
	w := webhook.Webhook{ID: id, OrgID: "org_a", Name: id, URL: url, EventTypes: []string{webhook.AllEvents}, AllEvents: true,
		Enabled: enabled, CreatedAt: he.now, UpdatedAt: he.now}
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

// tenantTestMessage is a test the tenant sent to org_a's webhookID (marked
// as SendTest marks it).
func tenantTestMessage(t *testing.T, webhookID, tag string) events.SQSMessage {
	t.Helper()
	m := namedMessage(t, webhookID, tag, catalog.TestEvent, `{"message":"hi","webhook_id":"`+webhookID+`"}`)
	d, err := message.Decode(m.Body)
	if err != nil {
		t.Fatal(err)
	}
	d.Test = true
	if m.Body, err = d.Encode(); err != nil {
		t.Fatal(err)
	}
	return m
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
	got, _, err := he.parked.Since(context.Background(), "org_a", "wh_down", time.Time{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Message != parkedMsg.Body || !got[0].SentAt.Equal(time.UnixMilli(1745000000123)) ||
		!got[0].ParkedAt.Equal(he.now) {
		t.Fatalf("parked = %+v, want evt_4's message once", got)
	}
	for _, id := range []string{"wh_off"} {
		if p, _, _ := he.parked.Since(context.Background(), "org_a", id, time.Time{}, 10); len(p) != 0 {
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

	// The tenant's test is POSTed all the same, and logged: the tenant checks
	// the endpoint before recovering it (this one still answers 400). It
	// is not dead-lettered: that is the attempt's whole answer.
	test := tenantTestMessage(t, "wh_down", "test")
	he.handle(t, test)
	if rc.hits.Load() != hits+1 || he.dlqSends() != dead {
		t.Fatalf("a test event to the parked endpoint: %d POSTs and %d dead letters, want 1 and none", rc.hits.Load()-hits, he.dlqSends()-dead)
	}
	logged := false
	for _, a := range he.attempts.list() {
		logged = logged || a.DeliveryID == "dlv_testwh_down" && a.StatusCode == 400 && a.Outcome == deliverylog.OutcomeFailed
	}
	if p, _, _ := he.parked.Since(context.Background(), "org_a", "wh_down", time.Time{}, 10); !logged || len(p) != 1 {
		t.Fatalf("the test: in the attempt log as failed %v, parked deliveries %d (want 1, evt_4's)", logged, len(p))
	}
	// Neither a failed nor a passed test moves the failure run: its start
	// is where a recover begins.
	w = he.get(t, "wh_down")
	read := w
	w.URL = rc.srv.URL + "/status/204"
	if err := he.store.Update(context.Background(), read, w); err != nil {
		t.Fatal(err)
	}
	he.handle(t, tenantTestMessage(t, "wh_down", "test2"))
	if rc.hits.Load() != hits+2 {
		t.Fatalf("the second test: %d POSTs in all, want 2", rc.hits.Load()-hits)
	}
	if h := he.get(t, "wh_down").Health; h.ConsecutiveFailures != 3 || !h.FailingSince.Equal(start) || !h.LastSuccessAt.IsZero() {
		t.Fatalf("health after a failed and a passed test: %+v, want the run of 3 since %s untouched", h, start)
	}
}

// The tenant's test (POST …/test, and a resend of it) at an endpoint
// disabled for failing is one attempt: POSTed once, logged with what it
// got, then done with whatever that was. A retry or a dead letter would
// come back with a recover as a missed delivery, and a 410 would delete
// the webhook and strand its parked deliveries. A producer's own
// webhook.test is no such check: it is parked, and the recover sends it.
func TestATestAtAParkedEndpointIsOneAttempt(t *testing.T) {
	he, api, dlqURL, queueURL := newSQSHealthEnv(t, 1)
	q := sqsqueue.New(api)
	rc := newReceiver(t, false)
	ctx := context.Background()
	he.create(t, "wh_down", rc.srv.URL+"/status/400", true)
	start := he.now
	he.handle(t, sqsMessage(t, "org_a", "wh_down", "evt_1"))
	he.now = he.now.Add(time.Hour)
	he.handle(t, sqsMessage(t, "org_a", "wh_down", "evt_2")) // the second failure, an hour on, disables it
	he.handle(t, sqsMessage(t, "org_a", "wh_down", "evt_3")) // parked
	if w := he.get(t, "wh_down"); !w.Parks() {
		t.Fatalf("not disabled for failing: %+v", w)
	}

	// The API's Resender queues the tests; each is handed to deliver as
	// the event source would.
	tests := &memQueue{}
	resender := NewResender(he.records, he.attempts, tests, lanes.Lanes{queueURL})
	handleQueued := func(i int) {
		t.Helper()
		tests.mu.Lock()
		body := tests.sent[i].msg.Body
		tests.mu.Unlock()
		he.handle(t, events.SQSMessage{MessageId: fmt.Sprintf("m-test-%d", i), ReceiptHandle: fmt.Sprintf("rh-test-%d", i), Body: body})
	}
	entries := func(deliveryID string) []string { // attempt:outcome:status, then ":test" for the tenant's test
		var out []string
		for _, a := range he.attempts.list() {
			if a.DeliveryID == deliveryID {
				mark := ""
				if a.Test {
					mark = ":test"
				}
				out = append(out, fmt.Sprintf("%d:%s:%d%s", a.Attempt, a.Outcome, a.StatusCode, mark))
			}
		}
		return out
	}
	var first string // the first test's delivery id
	for i, status := range []int{503, 400, 410} {
		read := he.get(t, "wh_down")
		w := read
		w.URL = fmt.Sprintf("%s/status/%d", rc.srv.URL, status)
		if err := he.store.Update(ctx, read, w); err != nil {
			t.Fatal(err)
		}
		id, err := resender.SendTest(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		first = cmp.Or(first, id)
		hits := rc.hits.Load()
		handleQueued(i)
		if rc.hits.Load() != hits+1 {
			t.Fatalf("a test answered %d: %d POSTs, want 1", status, rc.hits.Load()-hits)
		}
		if got, want := entries(id), fmt.Sprintf("1:%s:%d:test", deliverylog.OutcomeFailed, status); len(got) != 1 || got[0] != want {
			t.Fatalf("a test answered %d: attempt log %v, want [%s]", status, got, want)
		}
		// No record: nothing is left in flight for the message to continue.
		if rec, err := he.records.Get(ctx, id); !errors.Is(err, deliverylog.ErrNotFound) {
			t.Fatalf("a test answered %d left a delivery record %+v (%v)", status, rec, err)
		}
	}
	// A resend of the first test (its body kept on its attempt log entry)
	// is the tenant's test again: one more attempt, ending with the 410.
	if err := resender.Resend(ctx, he.get(t, "wh_down"), first); err != nil {
		t.Fatal(err)
	}
	hits := rc.hits.Load()
	handleQueued(3)
	want := []string{fmt.Sprintf("1:%s:503:test", deliverylog.OutcomeFailed), fmt.Sprintf("1:%s:410:test", deliverylog.OutcomeFailed)}
	if got := entries(first); rc.hits.Load() != hits+1 || !slices.Equal(got, want) {
		t.Fatalf("the resent test: %d POSTs, attempt log %v; want 1 POST and %v", rc.hits.Load()-hits, got, want)
	}

	// A producer may publish webhook.test itself: fan-out's message has
	// no test mark, so it is parked like any other event, never POSTed.
	he.handle(t, namedMessage(t, "wh_down", "ping", catalog.TestEvent, `{"message":"ping","webhook_id":"wh_down"}`))
	if rc.hits.Load() != hits+1 {
		t.Fatalf("a producer's webhook.test at the parked endpoint was POSTed (%d POSTs)", rc.hits.Load()-hits-1)
	}
	w := he.get(t, "wh_down") // after the 410 too
	if !w.Parks() || w.Health.ConsecutiveFailures != 2 || !w.Health.FailingSince.Equal(start) {
		t.Fatalf("the webhook after the tests: %+v, want it disabled for failing with its run of 2 since %s", w, start)
	}
	if p, _, err := he.parked.Since(ctx, "org_a", "wh_down", time.Time{}, 10); err != nil || len(p) != 2 {
		t.Fatalf("parked deliveries after the tests: %d, %v; want evt_3's and the producer's webhook.test", len(p), err)
	}
	if n, err := testenv.QueueDepth(ctx, api, dlqURL); err != nil || n != 2 {
		t.Fatalf("DLQ depth %d, %v; want 2, the events' (no test)", n, err)
	}

	// The recover since the run's start (in whole seconds, as the portal
	// sends it) brings back the two dead-lettered events and the two
	// parked ones, the producer's webhook.test among them: no test.
	ops := dlq.New(q, dlqURL, lanes.Lanes{queueURL}, he.records)
	ops.Index = he.deadLetters // what deliver wrote beside its DLQ sends: the tests are not in it
	r := Recovery{Parked: he.parked, Records: he.records, Queue: q, Lanes: lanes.Lanes{queueURL}, DeadLetters: ops}
	res, err := r.Requeue(ctx, w, w.Health.FailingSince.Truncate(time.Second))
	if err != nil || res != (RecoverResult{Queued: 4, DeadLettered: 2, Parked: 2}) {
		t.Fatalf("recover: %+v, %v; want the 2 dead-lettered events and the 2 parked ones", res, err)
	}
	// Enabled again (as the API's recover does first), the endpoint gets
	// all four, the producer's webhook.test included.
	read := w
	w.Enabled, w.DisabledReason, w.URL = true, "", rc.srv.URL+"/status/204"
	if err := he.store.Update(ctx, read, w); err != nil {
		t.Fatal(err)
	}
	var queued []events.SQSMessage
	testenv.WaitFor(t, 10*time.Second, "the recovered deliveries on the delivery queue", func() bool {
		msgs, err := q.Receive(ctx, queueURL, 10, 0, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		queued = append(queued, msgs...)
		return len(queued) >= 4
	})
	for _, m := range queued {
		he.handle(t, m)
	}
	if got, want := entries("dlv_pingwh_down"), fmt.Sprintf("1:%s:204", deliverylog.OutcomeDelivered); len(got) != 1 || got[0] != want {
		t.Fatalf("the producer's webhook.test after the recover: attempt log %v, want [%s]", got, want)
	}
}

func TestSuccessEndsTheFailureRunWithOneWrite(t *testing.T) {
	rc := newReceiver(t, false)
	he := newHealthEnv(t, time.Hour, 3)
	he.create(t, "wh_flaky", rc.srv.URL+"/status/400", true)
	he.handle(t, sqsMessage(t, "org_a", "wh_flaky", "evt_1"))
	he.handle(t, sqsMessage(t, "org_a", "wh_flaky", "evt_2"))
	read := he.get(t, "wh_flaky")
	w := read
	w.URL = rc.srv.URL + "/status/204"
	if err := he.store.Update(context.Background(), read, w); err != nil {
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
	read = w
	w.URL = rc.srv.URL + "/status/400"
	if err := he.store.Update(context.Background(), read, w); err != nil {
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

// newCachedHealthEnv reads webhooks through a warm cache, as a deliver
// container does, that keeps what it read for an hour of the env's clock.
func newCachedHealthEnv(t *testing.T) (*healthEnv, *WebhookCache) {
	he := newHealthEnv(t, time.Hour, 1)
	cache := NewWebhookCache(he.store, time.Hour)
	cache.Now = func() time.Time { return he.now }
	he.h.d.Webhooks = cache
	return he, cache
}

// A recover enables the webhook and re-queues its deliveries at once: a
// warm cache that still shows it disabled for failing must not park them
// again.
func TestStaleParkedCacheIsReadAgain(t *testing.T) {
	rc := newReceiver(t, false)
	he, cache := newCachedHealthEnv(t)
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
	read := he.get(t, "wh_back")
	w := read
	w.Enabled, w.DisabledReason, w.URL = true, "", rc.srv.URL+"/status/204"
	if err := he.store.Update(context.Background(), read, w); err != nil {
		t.Fatal(err)
	}
	hits := rc.hits.Load()
	he.handle(t, sqsMessage(t, "org_a", "wh_back", "evt_3"))
	if rc.hits.Load() != hits+1 {
		t.Fatalf("the re-queued delivery was not POSTed (parked again from the cache?)")
	}
}

// The same for an endpoint the tenant disabled: a recover enables it and
// re-queues its dead letters at once, and a warm cache that still shows it
// disabled must not skip them as webhook_disabled, which was false by then.
func TestStaleDisabledCacheIsReadAgain(t *testing.T) {
	rc := newReceiver(t, false)
	he, cache := newCachedHealthEnv(t)
	he.create(t, "wh_off", rc.srv.URL+"/status/204", false)
	if w, err := cache.Get(context.Background(), "org_a", "wh_off"); err != nil || w.Enabled {
		t.Fatalf("cached: %+v, %v; want the disabled webhook", w, err)
	}
	read := he.get(t, "wh_off")
	w := read
	w.Enabled = true
	if err := he.store.Update(context.Background(), read, w); err != nil {
		t.Fatal(err)
	}
	hits := rc.hits.Load()
	he.handle(t, sqsMessage(t, "org_a", "wh_off", "evt_1"))
	if rc.hits.Load() != hits+1 {
		t.Fatalf("the re-queued delivery was not POSTed (skipped as disabled from the cache?)")
	}
}
