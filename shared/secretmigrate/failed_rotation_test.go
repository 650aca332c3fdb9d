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

	"github.com/hookrelay/hookrelay/shared/secretmigrate"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
)

// landedThenFails is a store whose write lands and then answers an error
// (a timeout after the store applied it).
type landedThenFails struct{ secretmigrate.RecordStore }

func (l landedThenFails) ReplaceRecord(ctx context.Context, orgID, webhookID string, r secrets.Record) error {
	if err := l.RecordStore.ReplaceRecord(ctx, orgID, webhookID, r); err != nil {
		return err
	}
	return errors.New("injected: timeout after the write landed")
}

// migrateThenFail runs a whole migration run (which copies the source's
// record) between the Bridge's source write and its target write, and then
// fails that target write (throttled).
type migrateThenFail struct {
	secretmigrate.RecordStore
	w *world
}

func (m migrateThenFail) ReplaceRecord(context.Context, string, string, secrets.Record) error {
	if rep, _, err := m.w.migrate(env, toEnv, false); err != nil || rep.Copied != 1 {
		m.w.t.Errorf("migration run during the rotation: %+v, %v; want the rotation copied", rep, err)
	}
	return errWriteFailed
}

// A rotation that answered an error through the Bridge never becomes the
// current secret after the switch, however its new record reached the
// target: while migrating the source wins.
func TestAFailedBridgeRotationIsNotCurrentAfterTheSwitch(t *testing.T) {
	for name, tc := range map[string]struct {
		copiedFirst bool // the target holds a copy before the rotation
		target      func(w *world) secretmigrate.RecordStore
	}{
		"target write landed, then failed": {true, func(w *world) secretmigrate.RecordStore { return landedThenFails{w.env} }},
		"migration copied it meanwhile":    {false, func(w *world) secretmigrate.RecordStore { return migrateThenFail{w.env, w} }},
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			a := w.create("wh_1", w.sm)
			if tc.copiedFirst {
				if _, _, err := w.migrate(env, toEnv, false); err != nil {
					t.Fatal(err)
				}
			}
			unseen := secretstest.Generate(t)
			b := secretmigrate.Bridge{Target: tc.target(w), Source: w.sm}
			if _, err := b.Rotate(context.Background(), "org_a", "wh_1", secrets.NewRotation(unseen, time.Hour)); err == nil {
				t.Fatal("rotate answered success; want the target's error")
			}
			if rep, _, err := w.migrate(env, toEnv, false); err != nil || rep.Copied != 1 {
				t.Fatalf("rerun while migrating: %+v, %v; want the source's record copied over the target's", rep, err)
			}
			if _, _, err := w.migrate(env, env, false); err != nil {
				t.Fatalf("cleanup on envelope alone: %v", err)
			}
			r, err := w.record(w.env, "wh_1")
			if err != nil || r.Current != a || r.Current == unseen || r.Previous == unseen {
				t.Fatalf("after the switch (%v): current is the tenant's %v, the unseen secret signs %v",
					err, r.Current == a, r.Current == unseen || r.Previous == unseen)
			}
		})
	}
}

// beforeRead runs fn once, just before the n-th Record call reads.
type beforeRead struct {
	secretmigrate.RecordStore
	n     int32
	calls *atomic.Int32
	fn    func()
}

func (h beforeRead) Record(ctx context.Context, orgID, webhookID string) (secrets.Record, error) {
	if h.calls.Add(1) == h.n {
		h.fn()
	}
	return h.RecordStore.Record(ctx, orgID, webhookID)
}

// The undo of a failed write restores only a source that holds exactly
// what that write wrote: a record written since with the same current but
// another previous is left alone and logged.
func TestBridgeUndoLeavesARecordChangedSince(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a := w.create("wh_1", secretmigrate.Bridge{Target: w.env, Source: w.sm})
	unseen, other := secretstest.Generate(t), secretstest.Generate(t)
	since := secrets.Record{Current: unseen, Previous: other, PreviousExpiresAt: time.Now().Add(time.Hour).Truncate(time.Second)}
	// Source Record calls: 1 = the rotation's read, 2 = the undo's read.
	src := beforeRead{RecordStore: w.sm, n: 2, calls: new(atomic.Int32), fn: func() {
		if err := w.sm.ReplaceRecord(ctx, "org_a", "wh_1", since); err != nil {
			t.Errorf("write since: %v", err)
		}
	}}
	var logs bytes.Buffer
	failing := secretmigrate.Bridge{Target: failingWrites{w.env}, Source: src, Log: slog.New(slog.NewJSONHandler(&logs, nil))}
	if _, err := failing.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(unseen, time.Hour)); !errors.Is(err, errWriteFailed) {
		t.Fatalf("rotate: %v, want the target's error", err)
	}
	r, err := w.record(w.sm, "wh_1")
	if err != nil || r.Current != unseen || r.Previous != other {
		t.Fatalf("source after the undo (%v): the record written since stands %v, put back to the tenant's %v", err, r.Current == unseen && r.Previous == other, r.Current == a)
	}
	if out := logs.String(); !strings.Contains(out, "not undone") || !strings.Contains(out, "wh_1") || strings.Contains(out, unseen) {
		t.Errorf("log: %s", out)
	}
}
