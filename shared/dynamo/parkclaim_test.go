package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// One recover at a time claims a parked delivery: a second claim is
// refused while the first stands, granted once it has run out (its
// recover stopped before unparking it), and refused once it is unparked.
func TestParkedClaimIsExclusiveUntilItRunsOut(t *testing.T) {
	s, t0 := parkedStoreAt(t)
	ctx := context.Background()
	p := deliverylog.Parked{OrgID: "org_a", WebhookID: "wh_1", DeliveryID: "dlv_1", SentAt: t0, ParkedAt: t0, Message: `{}`}
	if err := s.Park(ctx, p); err != nil {
		t.Fatal(err)
	}
	claim := func(want bool, when string) {
		t.Helper()
		if got, err := s.Claim(ctx, p, time.Minute); err != nil || got != want {
			t.Fatalf("claim %s: %v, %v; want %v", when, got, err, want)
		}
	}
	claim(true, "of a parked delivery")
	claim(false, "while another stands")
	s.Now = func() time.Time { return t0.Add(59 * time.Second) }
	claim(false, "just before the first runs out")
	s.Now = func() time.Time { return t0.Add(time.Minute) }
	claim(true, "once the first ran out")
	if removed, err := s.Unpark(ctx, p); err != nil || !removed {
		t.Fatalf("unpark a claimed delivery: %v, %v", removed, err)
	}
	s.Now = func() time.Time { return t0.Add(time.Hour) }
	claim(false, "of an unparked delivery")
	if left, _, err := s.Since(ctx, "org_a", "wh_1", time.Time{}, 10); err != nil || len(left) != 0 {
		t.Fatalf("a claim wrote the item back: %+v, %v", left, err)
	}
}

// parkedStoreAt is a parked store over a fresh table, its items kept an
// hour, with its clock stopped at the time it returns.
func parkedStoreAt(t *testing.T) (*dynamo.ParkedStore, time.Time) {
	db, table := testenv.Table(t)
	s := dynamo.NewParkedStore(db, table, time.Hour)
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return t0 }
	return s, t0
}

// Deliver's take-back of its park respects a recover's claim: refused
// while the claim stands (saying how long it has left), granted once it
// ran out, and reports a park gone already as neither.
func TestParkedTakeBackLeavesAClaimedDelivery(t *testing.T) {
	s, t0 := parkedStoreAt(t)
	ctx := context.Background()
	p := deliverylog.Parked{OrgID: "org_a", WebhookID: "wh_1", DeliveryID: "dlv_1", SentAt: t0, ParkedAt: t0, Message: `{}`}
	takeBack := func(wantRemoved bool, wantClaimedFor time.Duration, when string) {
		t.Helper()
		if removed, claimedFor, err := s.TakeBack(ctx, p); err != nil || removed != wantRemoved || claimedFor != wantClaimedFor {
			t.Fatalf("take back %s: %v, %v, %v; want %v, %v", when, removed, claimedFor, err, wantRemoved, wantClaimedFor)
		}
	}
	if err := s.Park(ctx, p); err != nil {
		t.Fatal(err)
	}
	if claimed, err := s.Claim(ctx, p, time.Minute); err != nil || !claimed {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	s.Now = func() time.Time { return t0.Add(20 * time.Second) }
	takeBack(false, 40*time.Second, "while a recover's claim stands")
	s.Now = func() time.Time { return t0.Add(time.Minute) }
	takeBack(true, 0, "once the claim ran out")
	takeBack(false, 0, "of a park gone already")

	if err := s.Park(ctx, p); err != nil {
		t.Fatal(err)
	}
	takeBack(true, 0, "of an unclaimed park")
	if claimed, err := s.Claim(ctx, p, time.Minute); err != nil || claimed {
		t.Fatalf("claim after the take-back: %v, %v; want refused", claimed, err)
	}
}
