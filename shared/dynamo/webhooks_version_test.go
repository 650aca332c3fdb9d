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

// The secret version only ever counts up: an Update (made from an earlier
// read) never sets it back.
func TestSecretVersionCountsRotations(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.Table(t)
	store := dynamo.NewWebhookStore(db, table)
	w := createHook(t, store, testHook("org_a", "wh_1", time.Now()))
	for range 2 {
		if err := store.BumpSecretVersion(ctx, "org_a", "wh_1"); err != nil {
			t.Fatal(err)
		}
	}
	read := w
	w.Name = "renamed" // w still has version 0
	if err := store.Update(ctx, read, w); err != nil {
		t.Fatal(err)
	}
	if got, err := store.Get(ctx, "org_a", "wh_1"); err != nil || got.SecretVersion != 2 || got.Name != "renamed" {
		t.Fatalf("after two rotations and an update: %+v, %v; want version 2", got, err)
	}
	if err := store.BumpSecretVersion(ctx, "org_a", "wh_missing"); !errors.Is(err, webhook.ErrNotFound) {
		t.Fatalf("bump of a missing webhook: %v", err)
	}
}
