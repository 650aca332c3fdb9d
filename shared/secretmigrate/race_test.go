package secretmigrate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/secretmigrate"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
)

// rotatingTarget is the migration's target store, with tenants' rotations
// through the stack's Bridge landing just before the first rounds of its
// copy writes (after the migration read both stores).
type rotatingTarget struct {
	secretmigrate.Store
	t       *testing.T
	bridge  secretmigrate.Bridge
	rounds  int      // writes to rotate before
	rotated []string // the new secrets, in order
}

func (s *rotatingTarget) PutRecord(ctx context.Context, orgID, webhookID string, r secrets.Record) error {
	if len(s.rotated) < s.rounds {
		next := secretstest.Generate(s.t)
		if err := s.bridge.Rotate(ctx, orgID, webhookID, next, time.Hour); err != nil {
			return err
		}
		s.rotated = append(s.rotated, next)
	}
	return s.Store.PutRecord(ctx, orgID, webhookID, r)
}

func (w *world) migrateWithRotations(rounds int) (*rotatingTarget, secretmigrate.Report, string, error) {
	to := &rotatingTarget{Store: w.env, t: w.t, bridge: secretmigrate.Bridge{Target: w.env, Source: w.sm}, rounds: rounds}
	var out strings.Builder
	rep, err := secretmigrate.Migration{
		From: w.sm, To: to, ToName: env, Live: toEnv, Webhooks: w.hooks.SecretMarkers(), Out: &out,
	}.Run(context.Background())
	return to, rep, out.String(), err
}

// A rotation landing between the migration's read and its copy is not
// undone: the stack goes on signing with the rotated secret, the old one
// as previous (finding s26-operator 4).
func TestMigrateKeepsARotationDuringTheCopy(t *testing.T) {
	w := newWorld(t)
	old := w.create("wh_1", w.sm)
	to, rep, out, err := w.migrateWithRotations(1)
	if err != nil || rep.Copied != 1 || rep.Marked != 1 || !strings.Contains(out, "org_a/wh_1: rotated during the copy: copy again") {
		t.Fatalf("migration: %+v, %v\n%s", rep, err, out)
	}
	fresh := to.rotated[0]
	r := w.requireBoth("wh_1")
	if r.Current != fresh || r.Previous != old {
		t.Fatalf("after the migration: current is the rotated secret %v, previous the old one %v", r.Current == fresh, r.Previous == old)
	}
	bridge := secretmigrate.Bridge{Target: w.env, Source: w.sm}
	if got, err := bridge.Record(context.Background(), "org_a", "wh_1"); err != nil || got.Current != fresh {
		t.Fatalf("the stack reads %v: current is the rotated secret %v", err, got.Current == fresh)
	}
}

// A source that changes during every copy fails the run after a few,
// saying to run it again, and leaves the item unswitched.
func TestMigrateGivesUpOnASourceThatKeepsChanging(t *testing.T) {
	w := newWorld(t)
	w.create("wh_1", w.sm)
	_, rep, _, err := w.migrateWithRotations(100)
	if err == nil || !strings.Contains(err.Error(), "webhook wh_1: its secrets changed during each of 3 copies: run the migration again") || rep.Marked != 0 {
		t.Fatalf("migration: %+v, %v", rep, err)
	}
	if rep, _, err := w.migrate(env, toEnv, false); err != nil || rep.Marked != 1 {
		t.Fatalf("rerun: %+v, %v", rep, err)
	}
	w.requireBoth("wh_1")
}

// The Bridge writes a record to the source first: a failed source write
// leaves the target as it was (Migration.copy relies on the order).
func TestBridgeWritesTheSourceFirst(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	old := w.create("wh_1", w.sm)
	if err := w.env.PutRecord(ctx, "org_a", "wh_1", secrets.Record{Current: old}); err != nil {
		t.Fatal(err)
	}
	w.smFake.Fail("InternalServiceError", "secretsmanager.PutSecretValue")
	bridge := secretmigrate.Bridge{Target: w.env, Source: w.sm}
	if err := bridge.Rotate(ctx, "org_a", "wh_1", secretstest.Generate(t), time.Hour); err == nil {
		t.Fatal("a rotation whose source write failed succeeded")
	}
	if r, err := w.record(w.env, "wh_1"); err != nil || r.Current != old || r.Previous != "" {
		t.Fatalf("the target after a failed source write: %v, unchanged %v", err, r.Current == old)
	}
}
