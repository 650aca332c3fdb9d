package dynamo_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

func TestIdempotencyClaimDuplicateAndExpiry(t *testing.T) {
	db, table := testenv.Table(t)
	s := dynamo.NewIdempotencyStore(db, table)
	now := time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	ctx := context.Background()

	claim := func(org, key, ev string) string {
		t.Helper()
		owner, published, err := s.Claim(ctx, org, key, ev)
		if err != nil || !published {
			t.Fatalf("Claim(%s, %s, %s): published=%v err=%v, want a claim complete from the start", org, key, ev, published, err)
		}
		return owner
	}
	if got := claim("org_a", "order-42", "evt_1"); got != "evt_1" {
		t.Fatalf("first claim owner = %s", got)
	}
	if got := claim("org_a", "order-42", "evt_1"); got != "evt_1" {
		t.Fatalf("same event claiming again = %s, want evt_1 (a re-run is not a duplicate)", got)
	}
	now = now.Add(23*time.Hour + 59*time.Minute)
	if got := claim("org_a", "order-42", "evt_2"); got != "evt_1" {
		t.Fatalf("duplicate within 24 h owner = %s, want the original evt_1", got)
	}
	if got := claim("org_b", "order-42", "evt_3"); got != "evt_3" {
		t.Fatalf("same producer id in another org = %s, want its own evt_3", got)
	}
	if got := claim("org_a", "order-43", "evt_4"); got != "evt_4" {
		t.Fatalf("another producer id = %s", got)
	}
	// dynalite never deletes the TTL item: the store must treat it as gone.
	now = now.Add(time.Minute)
	if got := claim("org_a", "order-42", "evt_5"); got != "evt_5" {
		t.Fatalf("claim after 24 h = %s, want the new evt_5", got)
	}
	if got := claim("org_a", "order-42", "evt_6"); got != "evt_5" {
		t.Fatalf("the renewed claim lasts: got %s, want evt_5", got)
	}
}

func TestIdempotencyReservationStaysPendingUntilPublished(t *testing.T) {
	db, table := testenv.Table(t)
	s := dynamo.NewIdempotencyStore(db, table)
	ctx := context.Background()
	reserve := func(ev string) (string, bool) {
		t.Helper()
		owner, published, err := s.Reserve(ctx, "org_a", "k", ev)
		if err != nil {
			t.Fatal(err)
		}
		return owner, published
	}
	if owner, published := reserve("evt_1"); owner != "evt_1" || published {
		t.Fatalf("first reservation: %s published=%v, want evt_1 pending", owner, published)
	}
	// The publish never confirmed (bus failed, Lambda killed): a retry
	// learns the owner and that it must publish it.
	if owner, published := reserve("evt_2"); owner != "evt_1" || published {
		t.Fatalf("retry of an unconfirmed publish: %s published=%v, want evt_1 pending", owner, published)
	}
	if err := s.Published(ctx, "org_a", "k", "evt_other"); err != nil {
		t.Fatalf("confirming for a non-owner must be a no-op, got %v", err)
	}
	if _, published := reserve("evt_3"); published {
		t.Fatal("a non-owner confirmed the claim")
	}
	// Fan-out meets the unconfirmed publish when the producer falls back to
	// putting the event on the bus itself: it learns that nothing may be
	// on the bus under evt_1 yet.
	if owner, published, err := s.Claim(ctx, "org_a", "k", "evt_direct"); err != nil || owner != "evt_1" || published {
		t.Fatalf("claim over an unconfirmed publish: %s published=%v err=%v, want evt_1 pending", owner, published, err)
	}
	if err := s.Published(ctx, "org_a", "k", "evt_1"); err != nil {
		t.Fatal(err)
	}
	if owner, published := reserve("evt_4"); owner != "evt_1" || !published {
		t.Fatalf("after confirmation: %s published=%v, want evt_1 published", owner, published)
	}
	if owner, published, err := s.Claim(ctx, "org_a", "k", "evt_direct"); err != nil || owner != "evt_1" || !published {
		t.Fatalf("claim after confirmation: %s published=%v err=%v, want evt_1 published", owner, published, err)
	}
	// Fan-out claims events already on the bus: complete from the start.
	if _, _, err := s.Claim(ctx, "org_a", "direct", "evt_5"); err != nil {
		t.Fatal(err)
	}
	if owner, published, err := s.Reserve(ctx, "org_a", "direct", "evt_6"); err != nil || owner != "evt_5" || !published {
		t.Fatalf("reserve over a fan-out claim: %s published=%v err=%v", owner, published, err)
	}
}

func TestIdempotencyConcurrentClaimsHaveOneWinner(t *testing.T) {
	db, table := testenv.Table(t)
	s := dynamo.NewIdempotencyStore(db, table)
	ctx := context.Background()
	owners := make([]string, 8)
	var wg sync.WaitGroup
	for i := range owners {
		wg.Go(func() {
			owner, _, err := s.Claim(ctx, "org_a", "race", "evt_"+string(rune('a'+i)))
			if err != nil {
				t.Error(err)
			}
			owners[i] = owner
		})
	}
	wg.Wait()
	for _, o := range owners {
		if o != owners[0] || o == "" {
			t.Fatalf("claimers disagree on the owner: %v", owners)
		}
	}
}
