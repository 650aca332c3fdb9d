package secretmigrate_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/secretmigrate"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
	"github.com/hookrelay/hookrelay/shared/webhook"
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
	// stackReads are the stack's reads (what a deliver container caches
	// under the rotation's version) just after each write that followed a
	// rotation.
	stackReads []secrets.Record
}

func (s *rotatingTarget) PutRecord(ctx context.Context, orgID, webhookID string, r secrets.Record) error {
	if len(s.rotated) >= s.rounds {
		return s.Store.PutRecord(ctx, orgID, webhookID, r)
	}
	next := secretstest.Generate(s.t)
	if _, err := s.bridge.Rotate(ctx, orgID, webhookID, secrets.NewRotation(next, time.Hour)); err != nil {
		return err
	}
	s.rotated = append(s.rotated, next)
	if err := s.Store.PutRecord(ctx, orgID, webhookID, r); err != nil {
		return err
	}
	read, err := s.bridge.Record(ctx, orgID, webhookID)
	s.stackReads = append(s.stackReads, read)
	return err
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
// as previous, during the copy too.
func TestMigrateKeepsARotationDuringTheCopy(t *testing.T) {
	w := newWorld(t)
	old := w.create("wh_1", w.sm)
	to, rep, out, err := w.migrateWithRotations(1)
	if err != nil || rep.Copied != 1 || rep.Marked != 1 || !strings.Contains(out, "org_a/wh_1: rotated during the copy: copy again") {
		t.Fatalf("migration: %+v, %v\n%s", rep, err, out)
	}
	fresh := to.rotated[0]
	// The copy wrote the record it read before the rotation over the
	// target; the stack still reads the rotation.
	if got := to.stackReads[0]; got.Current != fresh || got.Previous != old {
		t.Fatalf("the stack read during the copy: current is the rotated secret %v, previous the old one %v", got.Current == fresh, got.Previous == old)
	}
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
	if _, err := bridge.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(secretstest.Generate(t), time.Hour)); err == nil {
		t.Fatal("a rotation whose source write failed succeeded")
	}
	if r, err := w.record(w.env, "wh_1"); err != nil || r.Current != old || r.Previous != "" {
		t.Fatalf("the target after a failed source write: %v, unchanged %v", err, r.Current == old)
	}
}

// racingDelete deletes the webhook as the API does (the item, then the
// secrets through the stack's Bridge) once, just before the wrapped
// store's first call of the method named at.
type racingDelete struct {
	secretmigrate.RecordStore
	w     *world
	at    string
	fired *atomic.Bool
}

func (d racingDelete) race(method, orgID, webhookID string) {
	if method != d.at || d.fired.Swap(true) {
		return
	}
	ctx := context.Background()
	if err := d.w.hooks.Delete(ctx, orgID, webhookID); err != nil && !errors.Is(err, webhook.ErrSlotNotReleased) {
		d.w.t.Error(err)
	}
	if err := (secretmigrate.Bridge{Target: d.w.env, Source: d.w.sm}).ScheduleDeletion(ctx, orgID, webhookID); err != nil {
		d.w.t.Error(err)
	}
}

func (d racingDelete) Record(ctx context.Context, orgID, webhookID string) (secrets.Record, error) {
	r, err := d.RecordStore.Record(ctx, orgID, webhookID)
	d.race("Record", orgID, webhookID)
	return r, err
}

func (d racingDelete) PutRecord(ctx context.Context, orgID, webhookID string, r secrets.Record) error {
	d.race("write", orgID, webhookID)
	return d.RecordStore.PutRecord(ctx, orgID, webhookID, r)
}

func (d racingDelete) ReplaceRecord(ctx context.Context, orgID, webhookID string, r secrets.Record) error {
	d.race("write", orgID, webhookID)
	return d.RecordStore.ReplaceRecord(ctx, orgID, webhookID, r)
}

func (d racingDelete) SwapRecord(ctx context.Context, orgID, webhookID, from string, r secrets.Record) error {
	d.race("write", orgID, webhookID)
	return d.RecordStore.SwapRecord(ctx, orgID, webhookID, from, r)
}

// A rotation racing the webhook's delete (after the Bridge read the
// record, or between its two writes) leaves no secret behind in either
// store: no migration run would ever find one.
func TestBridgeRotateRacingADeleteLeavesNoSecret(t *testing.T) {
	for _, c := range []struct{ name, sourceAt, targetAt string }{
		{"after the read", "Record", "Record"},
		{"before the target write", "", "write"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			ctx := context.Background()
			w.create("wh_1", secretmigrate.Bridge{Target: w.env, Source: w.sm})
			fired := new(atomic.Bool)
			racing := secretmigrate.Bridge{
				Target: racingDelete{RecordStore: w.env, w: w, at: c.targetAt, fired: fired},
				Source: racingDelete{RecordStore: w.sm, w: w, at: c.sourceAt, fired: fired},
			}
			if _, err := racing.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(secretstest.Generate(t), time.Hour)); err != nil && !errors.Is(err, secrets.ErrNotFound) {
				t.Fatalf("rotate: %v", err)
			}
			if !fired.Load() {
				t.Fatal("the delete did not run")
			}
			if _, err := w.hooks.Get(ctx, "org_a", "wh_1"); !errors.Is(err, webhook.ErrNotFound) {
				t.Fatalf("the webhook: %v, want deleted", err)
			}
			for name, s := range map[string]secretmigrate.Store{"Secrets Manager": w.sm, "envelope": w.env} {
				if _, err := w.record(s, "wh_1"); !errors.Is(err, secrets.ErrNotFound) {
					t.Errorf("%s holds the deleted webhook's secret: %v", name, err)
				}
			}
		})
	}
}

// A rerun copies a marked webhook again when its source changed (a
// rotation whose target write was missed); deleted just before that copy
// wrote the target, it leaves no copy behind, though its item needs no
// switch.
func TestMigrateRemovesTheCopyOfAMarkedWebhookDeletedDuringIt(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.create("wh_1", w.sm)
	if _, _, err := w.migrate(env, toEnv, false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.sm.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(secretstest.Generate(t), time.Hour)); err != nil {
		t.Fatal(err)
	}
	fired := new(atomic.Bool)
	to := racingDelete{RecordStore: w.env, w: w, at: "write", fired: fired}
	var out strings.Builder
	rep, err := secretmigrate.Migration{From: w.sm, To: to, ToName: env, Live: toEnv, Webhooks: w.hooks.SecretMarkers(), Out: &out}.Run(ctx)
	if err != nil || !fired.Load() || rep.Copied != 1 {
		t.Fatalf("run: %+v, %v, deleted %v\n%s", rep, err, fired.Load(), out.String())
	}
	if _, err := w.hooks.Get(ctx, "org_a", "wh_1"); !errors.Is(err, webhook.ErrNotFound) {
		t.Fatalf("the webhook: %v, want deleted", err)
	}
	if _, err := w.record(w.env, "wh_1"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("the deleted webhook's copy is left: %v\n%s", err, out.String())
	}
}
