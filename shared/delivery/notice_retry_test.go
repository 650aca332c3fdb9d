package delivery

import (
	"errors"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/healthnotice"
)

// A webhook.disabled notice whose put fails is not lost: the disable
// leaves it pending, the next delivery that finds the endpoint parked puts
// it again under the same event id, and once one put succeeds no later
// delivery puts it.
func TestAFailedDisabledNoticeIsPutAgainByTheNextParkedDelivery(t *testing.T) {
	rc := newReceiver(t, false)
	he := newHealthEnv(t, 2*time.Hour, 3)
	he.create(t, "wh_down", rc.srv.URL+"/status/400", true)
	he.notify.fail(errors.New("publish webhook.disabled: eventbridge: 1 of 1 events not put after 4 tries"))
	for _, evt := range []string{"evt_1", "evt_2", "evt_3"} {
		he.handle(t, sqsMessage(t, "org_a", "wh_down", evt))
		he.now = he.now.Add(time.Hour)
	}
	w := he.get(t, "wh_down")
	if !w.Parks() || !w.DisabledNoticePending || len(he.notify.disabled) != 1 {
		t.Fatalf("after the disable whose notice failed: parks %v, notice pending %v, %d puts; want true, true, 1",
			w.Parks(), w.DisabledNoticePending, len(he.notify.disabled))
	}
	first := healthnotice.DisabledEventID(he.notify.disabled[0])

	he.handle(t, sqsMessage(t, "org_a", "wh_down", "evt_4")) // parked; the put fails again
	if got := he.get(t, "wh_down"); !got.DisabledNoticePending || len(he.notify.disabled) != 2 {
		t.Fatalf("a parked delivery while puts fail: pending %v, %d puts; want true, 2", got.DisabledNoticePending, len(he.notify.disabled))
	}

	he.notify.fail(nil)
	he.handle(t, sqsMessage(t, "org_a", "wh_down", "evt_5"))
	if got := he.get(t, "wh_down"); got.DisabledNoticePending || len(he.notify.disabled) != 3 {
		t.Fatalf("a parked delivery once puts work: pending %v, %d puts; want false, 3", got.DisabledNoticePending, len(he.notify.disabled))
	}
	for i, n := range he.notify.disabled {
		if id := healthnotice.DisabledEventID(n); id != first || !n.DisabledAt.Equal(w.DisabledAt) || n.Health.ConsecutiveFailures != 3 {
			t.Fatalf("put %d: event id %s at %s (%d failures), want %s at %s (3)", i+1, id, n.DisabledAt, n.Health.ConsecutiveFailures, first, w.DisabledAt)
		}
	}
	he.handle(t, sqsMessage(t, "org_a", "wh_down", "evt_6"))
	if len(he.notify.disabled) != 3 {
		t.Fatalf("a parked delivery after the notice was put: %d puts, want 3", len(he.notify.disabled))
	}
	if p, _, _ := he.parked.Since(t.Context(), "org_a", "wh_down", time.Time{}, 10); len(p) != 3 {
		t.Fatalf("parked %d deliveries, want evt_4 to evt_6", len(p))
	}
}

// A tenant's enable ends the disable: its notice, still pending, is not
// put afterwards.
func TestAnEnableDropsAPendingDisabledNotice(t *testing.T) {
	rc := newReceiver(t, false)
	he := newHealthEnv(t, time.Hour, 1)
	he.create(t, "wh_flaky", rc.srv.URL+"/status/400", true)
	he.notify.fail(errors.New("bus down"))
	he.handle(t, sqsMessage(t, "org_a", "wh_flaky", "evt_1"))
	he.now = he.now.Add(time.Hour)
	he.handle(t, sqsMessage(t, "org_a", "wh_flaky", "evt_2"))
	read := he.get(t, "wh_flaky")
	if !read.Parks() || !read.DisabledNoticePending {
		t.Fatalf("not disabled with a pending notice: %+v", read)
	}
	enabled := read
	enabled.Enabled, enabled.DisabledReason, enabled.DisabledAt, enabled.URL = true, "", time.Time{}, rc.srv.URL+"/status/204"
	if err := he.store.Update(t.Context(), read, enabled); err != nil {
		t.Fatal(err)
	}
	if got := he.get(t, "wh_flaky"); got.DisabledNoticePending || got.DisabledReason != "" {
		t.Fatalf("after the enable: %+v", got)
	}
	he.notify.fail(nil)
	puts := len(he.notify.disabled)
	he.handle(t, sqsMessage(t, "org_a", "wh_flaky", "evt_3"))
	if len(he.notify.disabled) != puts {
		t.Fatal("the enabled endpoint's delivery put the old disable's notice")
	}
}

// While the disable's notice is being put, the webhook cache already
// answers with the endpoint disabled: a delivery arriving then is parked,
// not POSTed to the endpoint that was just disabled.
func TestTheCacheSeesTheDisableBeforeTheNotice(t *testing.T) {
	rc := newReceiver(t, false)
	he := newHealthEnv(t, time.Hour, 1)
	cache := NewWebhookCache(he.store, time.Hour)
	he.h.d.Webhooks = cache
	he.create(t, "wh_down", rc.srv.URL+"/status/400", true)
	seen := []bool{}
	he.notify.during = func() {
		w, err := cache.Get(t.Context(), "org_a", "wh_down")
		seen = append(seen, err == nil && w.Enabled)
	}
	he.handle(t, sqsMessage(t, "org_a", "wh_down", "evt_1"))
	he.now = he.now.Add(time.Hour)
	he.handle(t, sqsMessage(t, "org_a", "wh_down", "evt_2"))
	if len(seen) != 1 || seen[0] {
		t.Fatalf("the cache during the notice's put: enabled %v; want one put, seeing the endpoint disabled", seen)
	}
}
