package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// The secret version only ever counts up and the grace end is the last
// rotation's: an Update (made from an earlier read) never sets them back.
func TestSecretVersionCountsRotations(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.Table(t)
	store := dynamo.NewWebhookStore(db, table)
	w := createHook(t, store, testHook("org_a", "wh_1", time.Now()))
	graceEnd := time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
	for i := range 2 {
		if err := store.BumpSecretVersion(ctx, "org_a", "wh_1", graceEnd.Add(time.Duration(i)*time.Hour), fmt.Sprint("rot_", i)); err != nil {
			t.Fatal(err)
		}
	}
	read := w
	w.Name = "renamed" // w still has version 0
	if err := store.Update(ctx, read, w); err != nil {
		t.Fatal(err)
	}
	if got, err := store.Get(ctx, "org_a", "wh_1"); err != nil || got.SecretVersion != 2 || got.Name != "renamed" ||
		!got.PreviousSecretExpiresAt.Equal(graceEnd.Add(time.Hour)) || got.SecretRotation != "rot_1" {
		t.Fatalf("after two rotations and an update: %+v, %v; want version 2, grace ending %s, rotation rot_1", got, err, graceEnd.Add(time.Hour))
	}
	if err := store.BumpSecretVersion(ctx, "org_a", "wh_missing", graceEnd, "rot_2"); !errors.Is(err, webhook.ErrNotFound) {
		t.Fatalf("bump of a missing webhook: %v", err)
	}
}
