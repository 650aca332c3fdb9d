package envelope_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/awskms"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/envelope"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
)

// landsThenConflicts makes the first ReplaceSealed apply and then answer
// ErrSealedChanged, as DynamoDB does when the SDK retries a conditional
// UpdateItem whose first attempt landed but whose response was lost.
type landsThenConflicts struct {
	envelope.Items
	done *atomic.Bool
}

func (l landsThenConflicts) ReplaceSealed(ctx context.Context, orgID, webhookID string, old, next envelope.Sealed) error {
	err := l.Items.ReplaceSealed(ctx, orgID, webhookID, old, next)
	if err == nil && !l.done.Swap(true) {
		return envelope.ErrSealedChanged
	}
	return err
}

// A rotation whose write landed but answered a conflict finds its own
// record on the retry and writes nothing more: the secret it replaced
// keeps its grace (not {new, new}).
func TestEnvelopeRotationRetriedOverItsOwnWriteKeepsPrevious(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	first, second := secretstest.Generate(t), secretstest.Generate(t)
	if err := s.store().Create(ctx, "org_a", "wh_1", first); err != nil {
		t.Fatal(err)
	}
	store := envelope.New(awskms.New(s.kms, s.keyID), landsThenConflicts{dynamo.NewSealedItems(s.db, s.table), new(atomic.Bool)})
	rot := secrets.NewRotation(second, time.Hour)
	if _, err := store.Rotate(ctx, "org_a", "wh_1", rot); err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	secretstest.AssertActive(t, s.store(), "org_a", "wh_1", time.Now(), second, first)
	if r, err := s.store().Record(ctx, "org_a", "wh_1"); err != nil || r.Rotation != rot.ID {
		t.Fatalf("after Rotate: %v; the record names the rotation %v", err, r.Rotation == rot.ID)
	}
}
