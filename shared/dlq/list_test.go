package dlq

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/message"
)

func TestListFiltersExactlyAndOnlyPeeks(t *testing.T) {
	f := newFixture(t, 100)
	ops := f.ops(nil)
	since := f.base.Add(-30 * time.Minute)

	cases := []struct {
		name   string
		filter Filter
		want   func(seed) bool
	}{
		{"all", Filter{}, func(seed) bool { return true }},
		{"org", Filter{OrgID: "org_b"}, func(s seed) bool { return s.org == "org_b" }},
		{"webhook", Filter{WebhookID: "wh_orga1"}, func(s seed) bool { return s.webhook == "wh_orga1" }},
		{"reason", Filter{Reason: message.ReasonBlockedAddress}, func(s seed) bool { return s.reason == message.ReasonBlockedAddress }},
		{"missing attributes", Filter{Reason: message.ReasonMaxReceive}, func(s seed) bool { return s.reason == message.ReasonMaxReceive }},
		{"endpoint tier", Filter{Tier: TierEndpoint}, func(s seed) bool { return s.tier == TierEndpoint }},
		{"pipeline tier", Filter{Tier: TierPipeline}, func(s seed) bool { return s.tier == TierPipeline }},
		{"org and reason", Filter{OrgID: "org_c", Reason: message.ReasonPermanentStatus}, func(s seed) bool {
			return s.org == "org_c" && s.reason == message.ReasonPermanentStatus
		}},
		// Poison has no last attempt: it counts from SentTimestamp, which
		// goaws reports as "now", so it is always recent here.
		{"since", Filter{Since: since, Tier: TierEndpoint}, func(s seed) bool { return s.tier == TierEndpoint && !s.lastAt.Before(since) }},
		{"ids", Filter{IDs: []string{"dlv_005", "dlv_009", "dlv_nope"}}, func(s seed) bool { return s.deliveryID == "dlv_005" || s.deliveryID == "dlv_009" }},
	}
	for _, c := range cases {
		got := listAll(t, ops, c.filter, MaxPageLimit)
		want := f.bodies(c.want)
		if len(want) == 0 || (c.name != "all" && len(want) == len(f.seeds)) {
			t.Fatalf("%s: the fixture makes this case trivial (%d of %d)", c.name, len(want), len(f.seeds))
		}
		sameSet(t, c.name, entryBodies(got), want)
	}

	// Nothing was deleted, and everything is visible again at once: a
	// receive that does not wait finds all 100 straight away.
	if got := drain(t, f.q, f.dlqURL); len(got) != 100 {
		t.Fatalf("after listing, %d of 100 dead letters are visible", len(got))
	}
}

func TestListReadsAttributesAndClassifiesPoison(t *testing.T) {
	f := newFixture(t, 5) // one of each kind
	got := listAll(t, f.ops(nil), Filter{}, DefaultPageLimit)
	byBody := map[string]Entry{}
	for _, e := range got {
		byBody[e.Raw] = e
	}
	for i, s := range f.seeds {
		e, ok := byBody[s.body]
		if !ok {
			t.Fatalf("seed %d not listed", i)
		}
		if e.Reason != s.reason || e.Tier != s.tier || e.OrgID != s.org || e.WebhookID != s.webhook {
			t.Errorf("seed %d: got reason=%q tier=%q org=%q webhook=%q, want %q %q %q %q", i, e.Reason, e.Tier, e.OrgID, e.WebhookID, s.reason, s.tier, s.org, s.webhook)
		}
		if e.MessageID == "" || e.SentAt.IsZero() {
			t.Errorf("seed %d: message id %q, sent at %v", i, e.MessageID, e.SentAt)
		}
		if (e.Delivery != nil) != (s.deliveryID != "") || (e.Delivery != nil && e.Delivery.DeliveryID != s.deliveryID) {
			t.Errorf("seed %d: delivery %+v, want id %q", i, e.Delivery, s.deliveryID)
		}
		if !e.LastAttempt.Equal(s.lastAt) {
			t.Errorf("seed %d: last attempt %v, want %v", i, e.LastAttempt, s.lastAt)
		}
	}
	// The attributes the delivery Lambda wrote are read as numbers.
	if e := byBody[f.seeds[0].body]; e.LastStatus != 503 || e.Attempts != 1 || e.LastError != "endpoint said no" {
		t.Errorf("retries_exhausted entry: status %d attempts %d error %q", e.LastStatus, e.Attempts, e.LastError)
	}
	if e := byBody[f.seeds[2].body]; e.LastStatus != 0 || e.Attempts != 3 {
		t.Errorf("blocked_address entry: status %d attempts %d", e.LastStatus, e.Attempts)
	}
	if e := byBody[f.seeds[3].body]; e.Redrivable() || e.DecodeError == "" {
		t.Errorf("malformed entry is redrivable or has no decode error: %+v", e)
	}
}

func TestShowFindsByMessageIDOrDeliveryID(t *testing.T) {
	f := newFixture(t, 10)
	ops := f.ops(nil)
	ctx := context.Background()
	byDelivery, err := ops.Show(ctx, "dlv_007")
	if err != nil || byDelivery.Raw != f.seeds[7].body {
		t.Fatalf("show by delivery id: %v %+v", err, byDelivery)
	}
	byMessage, err := ops.Show(ctx, byDelivery.MessageID)
	if err != nil || byMessage.Raw != f.seeds[7].body {
		t.Fatalf("show by message id: %v %+v", err, byMessage)
	}
	if _, err := ops.Show(ctx, "no-such-id"); err != ErrNotFound {
		t.Fatalf("show unknown id: %v, want ErrNotFound", err)
	}
}
