package dynamo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// DeleteGone (a 410's removal) deletes the webhook only while it has the
// URL the delivery POSTed to and its tenant has not disabled it; refused,
// it keeps the webhook and its slot. One hookrelay disabled for failing at
// that URL still goes.
func TestDeleteGoneOnlyDeletesTheWebhookAsPOSTedTo(t *testing.T) {
	db, table := testenv.Table(t)
	store := dynamo.NewWebhookStore(db, table)
	ctx := context.Background()
	t0 := time.Now().UTC()
	// create stores a webhook in an org of its own, under a cap of one.
	create := func(t *testing.T, org string) webhook.Webhook {
		t.Helper()
		w := testHook(org, "wh_1", t0)
		if err := store.Create(ctx, w, 1); err != nil {
			t.Fatal(err)
		}
		return w
	}
	patch := func(t *testing.T, read webhook.Webhook, change func(*webhook.Webhook)) {
		t.Helper()
		w := read
		change(&w)
		if err := store.Update(ctx, read, w); err != nil {
			t.Fatal(err)
		}
	}
	// slotFree reports whether the org's one slot was given back.
	slotFree := func(t *testing.T, org string) bool {
		t.Helper()
		err := store.Create(ctx, testHook(org, "wh_2", t0), 1)
		if err != nil && !errors.Is(err, webhook.ErrLimitReached) {
			t.Fatal(err)
		}
		return err == nil
	}

	refused := []struct {
		name   string
		change func(*webhook.Webhook)
	}{
		{"moved to another URL", func(w *webhook.Webhook) { w.URL = "https://example.com/new" }},
		{"disabled by the tenant", func(w *webhook.Webhook) { w.Enabled = false }},
	}
	for i, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			org := "org_refused" + string(rune('a'+i))
			read := create(t, org)
			patch(t, read, c.change)
			if err := store.DeleteGone(ctx, read); !errors.Is(err, webhook.ErrMoved) || webhook.Gone(err) {
				t.Fatalf("DeleteGone after the tenant's change: %v, want ErrMoved", err)
			}
			if _, err := store.Get(ctx, org, read.ID); err != nil {
				t.Fatalf("the webhook after a refused DeleteGone: %v", err)
			}
			if slotFree(t, org) {
				t.Fatal("a refused DeleteGone gave the webhook's slot back")
			}
		})
	}

	t.Run("unchanged, renamed or disabled for failing: deleted", func(t *testing.T) {
		for _, org := range []string{"org_same", "org_renamed", "org_failing"} {
			read := create(t, org)
			switch org {
			case "org_renamed":
				patch(t, read, func(w *webhook.Webhook) { w.Name, w.UpdatedAt = "renamed", t0.Add(time.Second) })
			case "org_failing":
				if _, err := store.RecordFailure(ctx, org, read.ID, t0, t0); err != nil {
					t.Fatal(err)
				}
				if ok, err := store.DisableFailing(ctx, org, read.ID, t0.Add(time.Second), webhook.Threshold{After: time.Nanosecond, MinFailures: 1}); err != nil || !ok {
					t.Fatalf("disable for failing: %v, %v", ok, err)
				}
			}
			if err := store.DeleteGone(ctx, read); err != nil {
				t.Fatalf("%s: DeleteGone: %v", org, err)
			}
			if _, err := store.Get(ctx, org, read.ID); !errors.Is(err, webhook.ErrNotFound) {
				t.Fatalf("%s: get after DeleteGone: %v, want ErrNotFound", org, err)
			}
			if !slotFree(t, org) {
				t.Fatalf("%s: DeleteGone kept the slot", org)
			}
			if err := store.DeleteGone(ctx, read); !errors.Is(err, webhook.ErrNotFound) {
				t.Fatalf("%s: repeated DeleteGone: %v, want ErrNotFound", org, err)
			}
		}
	})
}
