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

// An Update made from a read that no longer holds (the webhook was
// enabled or disabled since) is refused with ErrChanged and writes
// nothing; from a fresh read it goes through.
func TestUpdateRefusesAStaleEnablement(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.Table(t)
	store := dynamo.NewWebhookStore(db, table)
	stale := createHook(t, store, testHook("org_a", "wh_1", time.Now()))

	off := stale
	off.Enabled = false
	if err := store.Update(ctx, stale, off); err != nil {
		t.Fatal(err)
	}
	renamed := stale
	renamed.Name = "renamed"
	if err := store.Update(ctx, stale, renamed); !errors.Is(err, webhook.ErrChanged) {
		t.Fatalf("update from a read of the enabled webhook, now disabled: %v, want ErrChanged", err)
	}
	got, err := store.Get(ctx, "org_a", "wh_1")
	if err != nil || got.Enabled || got.Name != stale.Name {
		t.Fatalf("after the refused update: %+v, %v; want it unchanged (disabled, not renamed)", got, err)
	}
	renamed = got
	renamed.Name = "renamed"
	if err := store.Update(ctx, got, renamed); err != nil {
		t.Fatalf("update from a fresh read: %v", err)
	}
	if got, err := store.Get(ctx, "org_a", "wh_1"); err != nil || got.Enabled || got.Name != "renamed" {
		t.Fatalf("after the update: %+v, %v", got, err)
	}
}
