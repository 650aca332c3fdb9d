package secretmigrate_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/secretmigrate"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
)

// readTogether calls arrive before each Record call reads.
type readTogether struct {
	secretmigrate.RecordStore
	arrive func()
}

func (r readTogether) Record(ctx context.Context, orgID, webhookID string) (secrets.Record, error) {
	r.arrive()
	return r.RecordStore.Record(ctx, orgID, webhookID)
}

// rotatesAfterFirstRead runs, once, a whole other rotation through
// bridge just after the first Record call read the record: between the
// read and the write of the rotation that made that call.
type rotatesAfterFirstRead struct {
	secretmigrate.RecordStore
	bridge secretmigrate.Bridge
	other  string
	done   *atomic.Bool
}

func (r rotatesAfterFirstRead) Record(ctx context.Context, orgID, webhookID string) (secrets.Record, error) {
	read, err := r.RecordStore.Record(ctx, orgID, webhookID)
	if err == nil && !r.done.Swap(true) {
		_, err = r.bridge.Rotate(ctx, orgID, webhookID, secrets.NewRotation(r.other, time.Hour))
	}
	return read, err
}

// bridgeStores are the bridge's source and target in each direction.
func bridgeStores(w *world, sourceName string) (source, target secretmigrate.RecordStore) {
	if sourceName == env {
		return w.env, w.sm
	}
	return w.sm, w.env
}

// requireBothKept fails t unless the bridge's source and target both
// hold the same record, with one of next current and the other previous.
func requireBothKept(t *testing.T, b secretmigrate.Bridge, next [2]string) {
	t.Helper()
	var records [2]secrets.Record
	for i, s := range []secretmigrate.RecordStore{b.Source, b.Target} {
		r, err := s.Record(context.Background(), "org_a", "wh_1")
		kept := r.Current == next[0] && r.Previous == next[1] || r.Current == next[1] && r.Previous == next[0]
		if err != nil || !kept {
			t.Fatalf("after both rotations, store %d (0 source, 1 target) (%v): current is one of them %v, previous one of them %v; want both kept",
				i, err, r.Current == next[0] || r.Current == next[1], r.Previous == next[0] || r.Previous == next[1])
		}
		records[i] = r
	}
	if records[0].Current != records[1].Current {
		t.Fatal("the target holds another record than the source")
	}
}

// A rotation through the bridge that another rotation overtakes between
// its read and its write is made again over the other's record: both
// answer success and both secrets are kept, the later one current; the
// overtaken one is not lost to the other's write (lost
// update), whichever store is the source.
func TestAnOvertakenBridgeRotationKeepsBothSecrets(t *testing.T) {
	for _, sourceName := range []string{sm, env} {
		t.Run("source "+sourceName, func(t *testing.T) {
			w := newWorld(t)
			source, target := bridgeStores(w, sourceName)
			plain := secretmigrate.Bridge{Target: target, Source: source}
			w.create("wh_1", plain)
			next := [2]string{secretstest.Generate(t), secretstest.Generate(t)}
			b := secretmigrate.Bridge{Target: target, Source: rotatesAfterFirstRead{RecordStore: source, bridge: plain, other: next[0], done: new(atomic.Bool)}}
			if _, err := b.Rotate(context.Background(), "org_a", "wh_1", secrets.NewRotation(next[1], time.Hour)); err != nil {
				t.Fatalf("the overtaken rotation: %v", err)
			}
			requireBothKept(t, plain, next)
			if r, _ := plain.Record(context.Background(), "org_a", "wh_1"); r.Current != next[1] {
				t.Error("the overtaken rotation, made over the other's record, is not current")
			}
		})
	}
}

// Two rotations of one webhook through the bridge whose source has a
// conditional write (envelope), both having read the record before either
// writes, both answer success and both secrets are kept. (A Secrets
// Manager source checks with a read just before its write, which two
// rotations released at once can both pass: the lost update that remains.)
func TestConcurrentBridgeRotationsKeepBothSecrets(t *testing.T) {
	w := newWorld(t)
	source, target := bridgeStores(w, env)
	w.create("wh_1", secretmigrate.Bridge{Target: target, Source: source})
	b := secretmigrate.Bridge{Target: target, Source: readTogether{RecordStore: source, arrive: secretstest.Together(t, 2)}}
	next := [2]string{secretstest.Generate(t), secretstest.Generate(t)}
	var errs [2]error
	var wg sync.WaitGroup
	for i, secret := range next {
		wg.Go(func() {
			_, errs[i] = b.Rotate(context.Background(), "org_a", "wh_1", secrets.NewRotation(secret, time.Hour))
		})
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("rotations: %v, %v; want both to succeed", errs[0], errs[1])
	}
	requireBothKept(t, b, next)
}
