package secretmigrate_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/secretmigrate"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
)

// swapLandsThenConflicts makes the first SwapRecord apply and then answer
// ErrConflict (an SDK retry of a conditional write that had landed).
type swapLandsThenConflicts struct {
	secretmigrate.RecordStore
	done *atomic.Bool
}

func (s swapLandsThenConflicts) SwapRecord(ctx context.Context, orgID, webhookID, from string, r secrets.Record) error {
	err := s.RecordStore.SwapRecord(ctx, orgID, webhookID, from, r)
	if err == nil && !s.done.Swap(true) {
		return secrets.ErrConflict
	}
	return err
}

// A bridge rotation whose source write landed but answered a conflict is
// not made again over its own record: both stores keep the secret it
// replaced in its grace.
func TestABridgeRotationRetriedOverItsOwnWriteKeepsPrevious(t *testing.T) {
	for _, sourceName := range []string{sm, env} {
		t.Run("source "+sourceName, func(t *testing.T) {
			w := newWorld(t)
			source, target := bridgeStores(w, sourceName)
			first := w.create("wh_1", secretmigrate.Bridge{Target: target, Source: source})
			second := secretstest.Generate(t)
			b := secretmigrate.Bridge{Target: target, Source: swapLandsThenConflicts{source, new(atomic.Bool)}}
			if _, err := b.Rotate(context.Background(), "org_a", "wh_1", secrets.NewRotation(second, time.Hour)); err != nil {
				t.Fatalf("Rotate: %v", err)
			}
			secretstest.AssertActive(t, source, "org_a", "wh_1", time.Now(), second, first)
			secretstest.AssertActive(t, target, "org_a", "wh_1", time.Now(), second, first)
		})
	}
}
