package secretmigrate_test

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/devsecrets"
	"github.com/hookrelay/hookrelay/shared/secretmigrate"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
)

// localRecords is the local store as a migration store (PutRecord).
type localRecords struct{ *devsecrets.Local }

func (l localRecords) PutRecord(ctx context.Context, o, w string, r secrets.Record) error {
	if err := l.ReplaceRecord(ctx, o, w, r); err == nil {
		return nil
	}
	if err := l.Create(ctx, o, w, r.Current); err != nil {
		return err
	}
	return l.ReplaceRecord(ctx, o, w, r)
}

// heldTarget holds the target write of the record whose current is hold
// until release is closed; started is closed when that write starts.
type heldTarget struct {
	localRecords
	hold             string
	started, release chan struct{}
}

func (s heldTarget) ReplaceRecord(ctx context.Context, o, w string, r secrets.Record) error {
	if r.Current == s.hold {
		close(s.started)
		<-s.release
	}
	return s.localRecords.ReplaceRecord(ctx, o, w, r)
}

// Two rotations through the Bridge, both answering success, whose target
// writes land in the other order than their source writes: the target
// ends with the later record, as the source (it kept the
// earlier one, without the current secret, read alone after the switch).
func TestBridgeTargetKeepsTheLaterOfTwoRotations(t *testing.T) {
	ctx := context.Background()
	mk := func() localRecords {
		l, err := devsecrets.NewLocal("")
		if err != nil {
			t.Fatal(err)
		}
		return localRecords{l}
	}
	src, dst := mk(), mk()
	first, a, b := secretstest.Generate(t), secretstest.Generate(t), secretstest.Generate(t)
	for _, s := range []localRecords{src, dst} {
		if err := s.Create(ctx, "org_a", "wh_1", first); err != nil {
			t.Fatal(err)
		}
	}
	tgt := heldTarget{localRecords: dst, hold: a, started: make(chan struct{}), release: make(chan struct{})}
	bridge := secretmigrate.Bridge{Source: src, Target: tgt}
	errA := make(chan error, 1)
	go func() {
		_, err := bridge.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(a, time.Hour))
		errA <- err
	}()
	<-tgt.started // A's source write landed; its target write is in flight
	_, errB := bridge.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(b, time.Hour))
	close(tgt.release)
	if err := <-errA; err != nil || errB != nil {
		t.Fatalf("rotations: A %v, B %v; want both to succeed", err, errB)
	}
	secretstest.AssertActive(t, src, "org_a", "wh_1", time.Now(), b, a)
	secretstest.AssertActive(t, dst, "org_a", "wh_1", time.Now(), b, a)
}
