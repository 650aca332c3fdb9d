package dynamo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

func TestDeadLetterIndex(t *testing.T) {
	db, table := testenv.Table(t)
	x := dynamo.NewDeadLetterIndex(db, table)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	now := t0
	x.Now = func() time.Time { return now }
	add := func(org, wh string, i int, at time.Time) deliverylog.DeadLetter {
		d := deliverylog.DeadLetter{OrgID: org, WebhookID: wh, DeliveryID: fmt.Sprintf("dlv_%02d", i), At: at, Message: fmt.Sprintf(`{"n":%d}`, i)}
		if err := x.Add(ctx, d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	ids := func(ds []deliverylog.DeadLetter) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.DeliveryID)
		}
		return out
	}
	// Written out of order; the fraction-less second sorts before its fractions.
	d3 := add("org_a", "wh_1", 3, t0.Add(time.Second+500*time.Millisecond))
	d1 := add("org_a", "wh_1", 1, t0)
	add("org_a", "wh_1", 2, t0.Add(time.Second))
	add("org_a", "wh_2", 9, t0) // another webhook
	add("org_b", "wh_1", 8, t0) // another organization, same webhook id

	got, more, err := x.Open(ctx, "org_a", "wh_1", time.Time{}, 10)
	if err != nil || more || !slices.Equal(ids(got), []string{"dlv_01", "dlv_02", "dlv_03"}) {
		t.Fatalf("Open: %v (more %v), %v; want the webhook's three, oldest first", ids(got), more, err)
	}
	if got[0] != d1 {
		t.Fatalf("read back %+v, want %+v", got[0], d1)
	}
	// since in whole seconds, as the DLQ's filter: 1.2 s selects what died from 1 s on.
	if got, _, _ := x.Open(ctx, "org_a", "wh_1", t0.Add(1200*time.Millisecond), 10); !slices.Equal(ids(got), []string{"dlv_02", "dlv_03"}) {
		t.Fatalf("Open since 1.2 s: %v", ids(got))
	}
	if got, more, _ := x.Open(ctx, "org_a", "wh_1", time.Time{}, 2); !more || len(got) != 2 {
		t.Fatalf("Open with limit 2 of 3: %d, more %v; want 2 and more", len(got), more)
	}
	if got, more, _ := x.Open(ctx, "org_a", "wh_1", time.Time{}, 3); more || len(got) != 3 {
		t.Fatalf("Open with limit 3 of 3: %d, more %v; want 3, no more", len(got), more)
	}

	// Closing: the item leaves Open, keeps its first tombstone, and a
	// repeated Add (a crash before the DLQ send, retried) does not reopen it.
	if st, err := x.State(ctx, d3.Ref()); err != nil || st != (deliverylog.Closed{}) {
		t.Fatalf("State of an open item: %+v, %v", st, err)
	}
	closedAt := t0.Add(time.Hour)
	if err := x.Close(ctx, d3.Ref(), deliverylog.ClosedByRecover, closedAt); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(ctx, d3.Ref(), deliverylog.ClosedByRedrive, closedAt.Add(time.Hour)); err != nil {
		t.Fatalf("closing a closed item: %v", err)
	}
	if err := x.Add(ctx, d3); err != nil {
		t.Fatal(err)
	}
	if st, err := x.State(ctx, d3.Ref()); err != nil || st.By != deliverylog.ClosedByRecover || !st.At.Equal(closedAt) {
		t.Fatalf("State after close, a second close and a repeated add: %+v, %v; want the recover's", st, err)
	}
	if got, _, _ := x.Open(ctx, "org_a", "wh_1", time.Time{}, 10); !slices.Equal(ids(got), []string{"dlv_01", "dlv_02"}) {
		t.Fatalf("Open after closing dlv_03: %v", ids(got))
	}
	// An absent item: State is zero ("redrive normally"), Close no error
	// and no item made.
	ghost := deliverylog.Ref{OrgID: "org_a", WebhookID: "wh_1", ID: deliverylog.DeadLetter{DeliveryID: "dlv_77", At: t0}.ID()}
	if err := x.Close(ctx, ghost, deliverylog.ClosedByPurge, t0); err != nil {
		t.Fatal(err)
	}
	if st, err := x.State(ctx, ghost); err != nil || st != (deliverylog.Closed{}) {
		t.Fatalf("State of an absent item: %+v, %v", st, err)
	}
	if !ghost.Valid() || (deliverylog.Ref{OrgID: "org_a", WebhookID: "wh_1", ID: "dlv_77"}).Valid() {
		t.Fatal("Ref.Valid")
	}

	// Expired items are absent to readers (dynalite keeps them), and
	// expire no earlier than the DLQ drops the letter.
	now = t0.Add(config.DLQRetention)
	if got, _, _ := x.Open(ctx, "org_a", "wh_1", time.Time{}, 10); len(got) != 2 {
		t.Fatalf("Open at the DLQ's retention: %d, want the 2 open items still there", len(got))
	}
	now = t0.Add(config.DeadLetterIndexTTL)
	if got, _, _ := x.Open(ctx, "org_a", "wh_1", time.Time{}, 10); len(got) != 0 {
		t.Fatalf("Open past the TTL: %d, want none", len(got))
	}
}
