package delivery

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// subscribe replaces the event types of org_a's webhook id, as a PATCH does.
func (he *healthEnv) subscribe(t *testing.T, id string, types ...string) {
	t.Helper()
	read := he.get(t, id)
	w := read
	w.EventTypes, w.AllEvents = types, false
	if err := he.store.Update(context.Background(), read, w); err != nil {
		t.Fatal(err)
	}
}

// entryOf is a delivery's attempt log entry, which must be its only one.
func (he *healthEnv) entryOf(t *testing.T, deliveryID string) deliverylog.Attempt {
	t.Helper()
	var found []deliverylog.Attempt
	for _, a := range he.attempts.list() {
		if a.DeliveryID == deliveryID {
			found = append(found, a)
		}
	}
	if len(found) != 1 {
		t.Fatalf("attempt log of %s: %+v, want one entry", deliveryID, found)
	}
	return found[0]
}

// README "Changes reach deliveries within 10 s": a webhook's events too. A
// retry of an event type it no longer subscribes to is not POSTed; it ends
// skipped with its reason, as one to a disabled webhook does.
func TestADroppedEventTypeIsSkippedNotPOSTed(t *testing.T) {
	rc := newReceiver(t, false)
	he := newHealthEnv(t, 2*time.Hour, 3)
	he.create(t, "wh_1", rc.srv.URL+"/status/200", true)
	he.subscribe(t, "wh_1", "emailOpen")
	// wh_down is disabled for failing: a dropped type is skipped, not
	// parked for a recover that would only bring it back here.
	down := webhook.Webhook{ID: "wh_down", OrgID: "org_a", Name: "down", URL: rc.srv.URL + "/status/200", EventTypes: []string{"emailOpen"},
		DisabledReason: webhook.DisabledFailing, DisabledAt: he.now, CreatedAt: he.now, UpdatedAt: he.now}
	if err := he.store.Create(context.Background(), down, 100); err != nil {
		t.Fatal(err)
	}
	if !he.get(t, "wh_down").Parks() {
		t.Fatal("wh_down is not disabled for failing")
	}

	retry := sqsMessage(t, "org_a", "wh_1", "evt_1")
	retry.Attributes = map[string]string{"ApproximateReceiveCount": "2"}
	he.handle(t, retry)
	he.handle(t, sqsMessage(t, "org_a", "wh_down", "evt_2"))
	// A notice queued before the PATCH: fan-out sends notices only to
	// webhooks that subscribe to them, so it is dropped like any event.
	he.handle(t, noticeMessage(t, "wh_1"))

	if n := rc.hits.Load(); n != 0 || he.dlqSends() != 0 {
		t.Fatalf("%d POSTs and %d dead letters of event types the webhooks dropped, want none", n, he.dlqSends())
	}
	for _, id := range []string{"dlv_11", "dlv_2down", "dlv_noticewh_1"} {
		if e := he.entryOf(t, id); e.Outcome != deliverylog.OutcomeSkipped || e.ErrorClass != ClassUnsubscribed {
			t.Errorf("%s: %s/%s, want %s/%s", id, e.Outcome, e.ErrorClass, deliverylog.OutcomeSkipped, ClassUnsubscribed)
		}
	}
	if p, _, err := he.parked.Since(context.Background(), "org_a", "wh_down", time.Time{}, 10); err != nil || len(p) != 0 {
		t.Fatalf("parked %d, %v; want none", len(p), err)
	}
}

// The tenant's own test goes to the endpoint it names whatever that
// subscribes to: SendTest, not fan-out, addressed it.
func TestATenantsTestIgnoresTheSubscription(t *testing.T) {
	rc := newReceiver(t, false)
	he := newHealthEnv(t, 2*time.Hour, 3)
	he.create(t, "wh_1", rc.srv.URL+"/status/200", true)
	he.subscribe(t, "wh_1", "emailOpen")
	he.handle(t, tenantTestMessage(t, "wh_1", "test"))
	if e := he.entryOf(t, "dlv_testwh_1"); rc.hits.Load() != 1 || e.Outcome != deliverylog.OutcomeDelivered || !e.Test {
		t.Fatalf("the tenant's test: %d POSTs, entry %+v; want 1, delivered", rc.hits.Load(), e)
	}
}

// A type just added reaches a delivery at once, whatever the cache holds:
// a skip is confirmed by a consistent read first, so fan-out's delivery
// of a type the tenant added is never dropped by a stale entry.
func TestAnAddedEventTypeIsNotSkippedByAStaleCache(t *testing.T) {
	rc := newReceiver(t, false)
	var cache *WebhookCache
	he := newHealthEnv(t, 2*time.Hour, 3, func(d *Deps) {
		cache = NewWebhookCache(d.Webhooks, time.Hour)
		d.Webhooks = cache
	})
	he.create(t, "wh_1", rc.srv.URL+"/status/200", true)
	he.subscribe(t, "wh_1", "emailOpen")
	if w, err := cache.Get(context.Background(), "org_a", "wh_1"); err != nil || w.Subscribes("emailClick") {
		t.Fatalf("the warm cache: %+v, %v", w, err)
	}
	he.subscribe(t, "wh_1", "emailOpen", "emailClick")
	he.handle(t, sqsMessage(t, "org_a", "wh_1", "evt_1"))
	if e := he.entryOf(t, "dlv_11"); rc.hits.Load() != 1 || e.Outcome != deliverylog.OutcomeDelivered {
		t.Fatalf("a type just added: %d POSTs, entry %+v; want 1, delivered", rc.hits.Load(), e)
	}
}

// countingGetter counts the reads that reach the store behind the cache.
type countingGetter struct {
	next  WebhookGetter
	reads atomic.Int64
}

func (c *countingGetter) Get(ctx context.Context, orgID, id string) (webhook.Webhook, error) {
	c.reads.Add(1)
	return c.next.Get(ctx, orgID, id)
}

// The consistent read that confirms a skip stays in the cache: the
// deliveries that follow to that webhook, of the types it does subscribe
// to, read nothing (README: no read with a warm cache).
func TestASkipLeavesTheCacheWarm(t *testing.T) {
	rc := newReceiver(t, false)
	counter := &countingGetter{}
	he := newHealthEnv(t, 2*time.Hour, 3, func(d *Deps) {
		counter.next = d.Webhooks
		d.Webhooks = NewWebhookCache(counter, time.Hour)
	})
	he.create(t, "wh_1", rc.srv.URL+"/status/200", true)
	he.subscribe(t, "wh_1", "emailOpen")
	he.handle(t, sqsMessage(t, "org_a", "wh_1", "evt_1")) // emailClick: skipped
	if e := he.entryOf(t, "dlv_11"); e.ErrorClass != ClassUnsubscribed {
		t.Fatalf("the dropped type: %+v, want skipped as %s", e, ClassUnsubscribed)
	}
	reads := counter.reads.Load()
	he.handle(t, namedMessage(t, "wh_1", "open", "emailOpen", `{"email":"ada@example.com"}`))
	if e := he.entryOf(t, "dlv_openwh_1"); rc.hits.Load() != 1 || e.Outcome != deliverylog.OutcomeDelivered {
		t.Fatalf("the subscribed type: %d POSTs, entry %+v; want 1, delivered", rc.hits.Load(), e)
	}
	if n := counter.reads.Load() - reads; n != 0 {
		t.Fatalf("the delivery after the skip read the webhook %d times, want none (warm cache)", n)
	}
}
