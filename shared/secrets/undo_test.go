package secrets_test

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/devsecrets"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
)

// rotatesBeforeWrites lands a whole other rotation (one that answered
// success) just before each conditional or plain write of the record: in
// the gap between an undo's check and its restore.
type rotatesBeforeWrites struct {
	secrets.Store
	t     *testing.T
	other string
}

func (r rotatesBeforeWrites) land(ctx context.Context, orgID, webhookID string) {
	if _, err := r.Store.Rotate(ctx, orgID, webhookID, secrets.NewRotation(r.other, time.Hour)); err != nil {
		r.t.Errorf("the other rotation: %v", err)
	}
}

func (r rotatesBeforeWrites) ReplaceRecord(ctx context.Context, orgID, webhookID string, rec secrets.Record) error {
	r.land(ctx, orgID, webhookID)
	return r.Store.ReplaceRecord(ctx, orgID, webhookID, rec)
}

func (r rotatesBeforeWrites) SwapRecord(ctx context.Context, orgID, webhookID, from string, rec secrets.Record) error {
	r.land(ctx, orgID, webhookID)
	return r.Store.SwapRecord(ctx, orgID, webhookID, from, rec)
}

// The undo of a failed rotation never erases a rotation that answered
// success and landed after the undo found the failed one's record: the
// restore is conditional on the record still being the failed rotation's
// (undo is read-then-replace).
func TestUndoKeepsARotationLandingBeforeItsRestore(t *testing.T) {
	ctx := context.Background()
	store, err := devsecrets.NewLocal("")
	if err != nil {
		t.Fatal(err)
	}
	first, unseen, other := secretstest.Generate(t), secretstest.Generate(t), secretstest.Generate(t)
	if err := store.Create(ctx, "org_a", "wh_1", first); err != nil {
		t.Fatal(err)
	}
	before, err := store.Record(ctx, "org_a", "wh_1")
	if err != nil {
		t.Fatal(err)
	}
	failed := secrets.NewRotation(unseen, time.Hour)
	if _, err := store.Rotate(ctx, "org_a", "wh_1", failed); err != nil {
		t.Fatal(err)
	}
	wrote := secrets.Record{Current: unseen, Previous: first, Rotation: failed.ID}
	restored := before
	restored.Rotation = secrets.NewRotationID()
	undone, err := secrets.Undo(ctx, rotatesBeforeWrites{Store: store, t: t, other: other}, "org_a", "wh_1", wrote, restored)
	if err != nil || undone != secrets.Superseded {
		t.Fatalf("undo: %v, %v; want Superseded", undone, err)
	}
	secretstest.AssertActive(t, store, "org_a", "wh_1", time.Now(), other, unseen)
}

// With nothing written since, the undo restores the record.
func TestUndoRestoresTheRecordBeforeAFailedRotation(t *testing.T) {
	ctx := context.Background()
	store, err := devsecrets.NewLocal("")
	if err != nil {
		t.Fatal(err)
	}
	first, unseen := secretstest.Generate(t), secretstest.Generate(t)
	if err := store.Create(ctx, "org_a", "wh_1", first); err != nil {
		t.Fatal(err)
	}
	failed := secrets.NewRotation(unseen, time.Hour)
	if _, err := store.Rotate(ctx, "org_a", "wh_1", failed); err != nil {
		t.Fatal(err)
	}
	restored := secrets.Record{Current: first, Rotation: secrets.NewRotationID()}
	undone, err := secrets.Undo(ctx, store, "org_a", "wh_1", secrets.Record{Current: unseen, Previous: first, Rotation: failed.ID}, restored)
	if err != nil || undone != secrets.Restored {
		t.Fatalf("undo: %v, %v; want Restored", undone, err)
	}
	if r, err := store.Record(ctx, "org_a", "wh_1"); err != nil || r != restored {
		t.Fatalf("after the undo: %v; the restored record, under the undo's id: %v", err, r == restored)
	}
}

// A failed rotation made over another one that landed after the caller
// began (a winner it was made again over) is undone by its id to the
// record it was made over, which Rotate returns: the winner and the secret
// it replaced sign, the failed one's does not.
func TestUndoRestoresTheWinnerAFailedRotationWasMadeOver(t *testing.T) {
	ctx := context.Background()
	store, err := devsecrets.NewLocal("")
	if err != nil {
		t.Fatal(err)
	}
	first, winner, unseen := secretstest.Generate(t), secretstest.Generate(t), secretstest.Generate(t)
	if err := store.Create(ctx, "org_a", "wh_1", first); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(winner, time.Hour)); err != nil {
		t.Fatal(err)
	}
	failed := secrets.NewRotation(unseen, time.Hour)
	over, err := store.Rotate(ctx, "org_a", "wh_1", failed)
	if err != nil {
		t.Fatal(err)
	}
	restored := over
	restored.Rotation = secrets.NewRotationID()
	undone, err := secrets.Undo(ctx, store, "org_a", "wh_1", secrets.Record{Current: unseen, Rotation: failed.ID}, restored)
	if err != nil || undone != secrets.Restored {
		t.Fatalf("undo: %v, %v; want Restored", undone, err)
	}
	secretstest.AssertActive(t, store, "org_a", "wh_1", time.Now(), winner, first)
}
