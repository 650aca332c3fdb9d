package secretmigrate_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/awssecrets"
	"github.com/hookrelay/hookrelay/shared/secretmigrate"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
)

func TestBridgeContract(t *testing.T) {
	w := newWorld(t)
	secretstest.Contract(t, secretmigrate.Bridge{Target: w.env, Source: w.sm})
}

// During a move the bridge serves a webhook from the source, writes every
// create to both stores and every rotation to both once the migration
// copied the webhook; a webhook not copied yet is rotated in the source
// alone (a rotation never creates a record), and the
// migration copies the rotation with it.
func TestBridgeWritesBothAndReadsTheSource(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	b := secretmigrate.Bridge{Target: w.env, Source: w.sm}
	old := w.create("wh_1", w.sm) // made before the move: Secrets Manager only
	secretstest.AssertActive(t, b, "org_a", "wh_1", time.Now(), old)

	next := secretstest.Generate(t)
	if _, err := b.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(next, time.Hour)); err != nil {
		t.Fatal(err)
	}
	secretstest.AssertActive(t, b, "org_a", "wh_1", time.Now(), next, old)
	if _, err := w.record(w.env, "wh_1"); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("a rotation created the target's record before the copy: %v", err)
	}
	if rep, _, err := w.migrate(env, toEnv, false); err != nil || rep.Copied != 1 {
		t.Fatalf("migration: %+v, %v", rep, err)
	}
	if r := w.requireBoth("wh_1"); r.Current != next || r.Previous != old {
		t.Fatal("the copy did not keep the rotation")
	}

	last := secretstest.Generate(t)
	if _, err := b.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(last, time.Hour)); err != nil {
		t.Fatal(err)
	}
	if r := w.requireBoth("wh_1"); r.Current != last || r.Previous != next {
		t.Fatal("the rotation of a copied webhook did not reach both stores")
	}
	fresh := w.create("wh_2", b)
	w.requireBoth("wh_2")
	secretstest.AssertActive(t, w.env, "org_a", "wh_2", time.Now(), fresh)
}

// A move back (migrating-to-secretsmanager) before the cleanup run removed
// the old Secrets Manager copies: the stack reads the envelope, where the
// tenant rotated, not the stale copy, and a rotation keeps the tenant's
// secret as previous.
func TestBridgeReadsTheSourceOnAMoveBack(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a := w.create("wh_1", w.sm)
	if _, _, err := w.migrate(env, toEnv, false); err != nil {
		t.Fatal(err)
	}
	b := secretstest.Generate(t) // the stack runs envelope alone; the cleanup run is not made
	if _, err := w.env.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(b, time.Hour)); err != nil {
		t.Fatal(err)
	}
	back := secretmigrate.Bridge{Target: w.sm, Source: w.env}
	secretstest.AssertActive(t, back, "org_a", "wh_1", time.Now(), b, a)
	c := secretstest.Generate(t)
	if _, err := back.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(c, time.Hour)); err != nil {
		t.Fatal(err)
	}
	secretstest.AssertActive(t, back, "org_a", "wh_1", time.Now(), c, b)
	w.requireBoth("wh_1")
}

// failingWrites is a store whose writes fail (KMS or DynamoDB throttled).
type failingWrites struct{ secretmigrate.RecordStore }

var errWriteFailed = errors.New("injected: write throttled")

func (failingWrites) PutRecord(context.Context, string, string, secrets.Record) error {
	return errWriteFailed
}

func (failingWrites) ReplaceRecord(context.Context, string, string, secrets.Record) error {
	return errWriteFailed
}

// A rotation whose target write fails answers the error and leaves the
// source as it was: the secret nobody was shown is not signed with, and no
// migration run copies it over later.
func TestBridgeUndoesTheSourceWriteOfAFailedRotation(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a := w.create("wh_1", w.sm)
	if _, _, err := w.migrate(env, toEnv, false); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	failing := secretmigrate.Bridge{Target: failingWrites{w.env}, Source: w.sm, Log: slog.New(slog.NewJSONHandler(&logs, nil))}
	unseen := secretstest.Generate(t)
	if _, err := failing.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(unseen, time.Hour)); !errors.Is(err, errWriteFailed) {
		t.Fatalf("rotate: %v, want the target's error", err)
	}
	if r := w.requireBoth("wh_1"); r.Current != a || r.Previous != "" {
		t.Fatalf("after the failed rotation: current is the tenant's %v, no previous %v", r.Current == a, r.Previous == "")
	}
	if rep, _, err := w.migrate(env, toEnv, false); err != nil || rep.Unchanged != 1 {
		t.Fatalf("rerun: %+v, %v; want unchanged", rep, err)
	}
	secretstest.AssertActive(t, secretmigrate.Bridge{Target: w.env, Source: w.sm}, "org_a", "wh_1", time.Now(), a)
	if logs.Len() != 0 {
		t.Errorf("an undo that worked was logged as failed: %s", logs.String())
	}
}

// When the undo fails too the error says so in the log (no secret in it).
func TestBridgeLogsAFailedUndo(t *testing.T) {
	w := newWorld(t)
	a := w.create("wh_1", secretmigrate.Bridge{Target: w.env, Source: w.sm})
	var logs bytes.Buffer
	failing := secretmigrate.Bridge{Target: failingWrites{w.env}, Source: undoFails{w.sm, new(atomic.Int32)}, Log: slog.New(slog.NewJSONHandler(&logs, nil))}
	unseen := secretstest.Generate(t)
	if _, err := failing.Rotate(context.Background(), "org_a", "wh_1", secrets.NewRotation(unseen, time.Hour)); !errors.Is(err, errWriteFailed) {
		t.Fatalf("rotate: %v, want the target's error", err)
	}
	out := logs.String()
	if !strings.Contains(out, `"level":"ERROR"`) || !strings.Contains(out, "wh_1") || !strings.Contains(out, "rotate the webhook's secret again") {
		t.Errorf("log: %s", out)
	}
	if strings.Contains(out, unseen) || strings.Contains(out, a) {
		t.Error("the log holds a secret")
	}
}

// undoFails is a store whose first write passes and later ones fail.
type undoFails struct {
	*awssecrets.Store
	writes *atomic.Int32
}

func (u undoFails) SwapRecord(ctx context.Context, orgID, webhookID, from string, r secrets.Record) error {
	if u.writes.Add(1) > 1 {
		return errors.New("injected: undo failed")
	}
	return u.Store.SwapRecord(ctx, orgID, webhookID, from, r)
}
