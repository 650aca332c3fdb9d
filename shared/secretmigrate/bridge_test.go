package secretmigrate_test

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/secretmigrate"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
)

func TestBridgeContract(t *testing.T) {
	w := newWorld(t)
	secretstest.Contract(t, secretmigrate.Bridge{Target: w.env, Source: w.sm})
}

// During a move the bridge serves a webhook the migration has not copied
// yet from the source, and writes every change to both stores.
func TestBridgeWritesBothAndReadsTheSourceUntilCopied(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	b := secretmigrate.Bridge{Target: w.env, Source: w.sm}
	old := w.create("wh_1", w.sm) // made before the move: Secrets Manager only
	secretstest.AssertActive(t, b, "org_a", "wh_1", time.Now(), old)

	next := secretstest.Generate(t)
	if err := b.Rotate(ctx, "org_a", "wh_1", next, time.Hour); err != nil {
		t.Fatal(err)
	}
	r := w.requireBoth("wh_1")
	if r.Current != next || r.Previous != old {
		t.Fatal("the rotation did not keep the old secret as previous in both stores")
	}
	fresh := w.create("wh_2", b)
	w.requireBoth("wh_2")
	secretstest.AssertActive(t, w.env, "org_a", "wh_2", time.Now(), fresh)
}
