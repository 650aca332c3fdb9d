package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// One caller at a time holds a dead letter it sends back: a claim stands
// until it runs out or is released, a closed item is told apart from a held
// one, and an item that is not there (or past its TTL) is never a reason to
// skip a letter, nor made by a claim.
func TestDeadLetterClaim(t *testing.T) {
	db, table := testenv.Table(t)
	x := dynamo.NewDeadLetterIndex(db, table)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	now := t0
	x.Now = func() time.Time { return now }
	d := deliverylog.DeadLetter{OrgID: "org_a", WebhookID: "wh_1", DeliveryID: "dlv_01", At: t0, Message: `{"n":1}`}
	if err := x.Add(ctx, d); err != nil {
		t.Fatal(err)
	}
	claim := func(step string, r deliverylog.Ref, want deliverylog.Claim) {
		t.Helper()
		if got, err := x.Claim(ctx, r, time.Minute); err != nil || got != want {
			t.Fatalf("%s: claim %v, %v; want %v", step, got, err, want)
		}
	}
	claim("an open item", d.Ref(), deliverylog.Claimed)
	now = t0.Add(59 * time.Second)
	claim("while the claim stands", d.Ref(), deliverylog.ClaimHeld)
	now = t0.Add(time.Minute)
	claim("once the claim ran out", d.Ref(), deliverylog.Claimed)
	if err := x.Release(ctx, d.Ref()); err != nil {
		t.Fatal(err)
	}
	claim("a released item, at once", d.Ref(), deliverylog.Claimed)
	// The claimed item is still open: a recover's read lists it.
	if open, _, err := x.Open(ctx, "org_a", "wh_1", time.Time{}, 10); err != nil || len(open) != 1 {
		t.Fatalf("Open of a claimed item: %d, %v; want it", len(open), err)
	}
	if err := x.Close(ctx, d.Ref(), deliverylog.ClosedByRedrive, now); err != nil {
		t.Fatal(err)
	}
	claim("a closed item", d.Ref(), deliverylog.ClaimClosed)
	now = t0.Add(config.DeadLetterIndexTTL + time.Second)
	claim("an item past its TTL", d.Ref(), deliverylog.ClaimNoItem)

	now = t0
	ghost := deliverylog.Ref{OrgID: "org_a", WebhookID: "wh_1", ID: t0.Format(time.RFC3339Nano) + "#dlv_ghost"}
	claim("no item", ghost, deliverylog.ClaimNoItem)
	if err := x.Release(ctx, ghost); err != nil {
		t.Fatalf("Release of no item: %v", err)
	}
	// Neither wrote an item: a second claim still finds none.
	claim("no item, again", ghost, deliverylog.ClaimNoItem)
}
