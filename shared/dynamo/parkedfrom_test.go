package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// ParkedFrom tells whether deliveries remain parked for a webhook, and a
// time a recover reaches them all from: the oldest live one's send time.
// Unparked and expired ones do not count; other webhooks' do not either.
func TestParkedFromIsTheOldestLiveParkedDelivery(t *testing.T) {
	s, t0 := parkedStoreAt(t)
	ctx := context.Background()
	from := func(want time.Time, ok bool, when string) {
		t.Helper()
		got, remain, err := s.ParkedFrom(ctx, "org_a", "wh_1")
		if err != nil || remain != ok || !got.Equal(want) {
			t.Fatalf("%s: %v, %v, %v; want %v, %v", when, got, remain, err, want, ok)
		}
	}
	from(time.Time{}, false, "none parked")
	park := func(id string, sent time.Time) deliverylog.Parked {
		p := deliverylog.Parked{OrgID: "org_a", WebhookID: "wh_1", DeliveryID: id, SentAt: sent, ParkedAt: s.Now(), Message: `{}`}
		if err := s.Park(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := park("dlv_old", t0.Add(-time.Minute)) // expires at t0+1h
	if err := s.Park(ctx, deliverylog.Parked{OrgID: "org_a", WebhookID: "wh_2", DeliveryID: "dlv_other", SentAt: t0.Add(-time.Hour), ParkedAt: t0, Message: `{}`}); err != nil {
		t.Fatal(err)
	}
	from(old.SentAt, true, "one parked")
	s.Now = func() time.Time { return t0.Add(30 * time.Minute) }
	newer := park("dlv_new", t0.Add(10*time.Minute)) // expires at t0+1h30m
	from(old.SentAt, true, "two parked")
	s.Now = func() time.Time { return t0.Add(time.Hour) }
	from(newer.SentAt, true, "the older one expired")
	if _, err := s.Unpark(ctx, newer); err != nil {
		t.Fatal(err)
	}
	from(time.Time{}, false, "the other one unparked")
}
