// Package secretstest checks a secrets.Store against the semantics every
// adapter must share, so the local store used in dev cannot drift from the
// Secrets Manager one.
package secretstest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/secrets"
)

// Contract runs the Store contract on s, an empty store.
func Contract(t *testing.T, s secrets.Store) {
	t.Helper()
	ctx := context.Background()
	first, second, third := Generate(t), Generate(t), Generate(t)

	if _, err := Active(ctx, s, "org_a", "wh_1", time.Now()); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("Active on unknown webhook: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(first, time.Hour)); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("Rotate on unknown webhook: err = %v, want ErrNotFound", err)
	}
	if err := s.ScheduleDeletion(ctx, "org_a", "wh_1"); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("ScheduleDeletion on unknown webhook: err = %v, want ErrNotFound", err)
	}

	if err := s.Create(ctx, "org_a", "wh_1", first); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if err := s.Create(ctx, "org_a", "wh_1", second); !errors.Is(err, secrets.ErrExists) {
		t.Fatalf("second Create: err = %v, want ErrExists", err)
	}
	AssertActive(t, s, "org_a", "wh_1", time.Now(), first)
	// The same webhook id under another org is another secret.
	if _, err := Active(ctx, s, "org_b", "wh_1", time.Now()); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("Active for another org: err = %v, want ErrNotFound", err)
	}

	before := time.Now()
	rot := secrets.NewRotation(second, time.Hour)
	// Rotate answers the record it was made over (what an undo restores).
	if over, err := s.Rotate(ctx, "org_a", "wh_1", rot); err != nil || over.Current != first || over.Previous != "" {
		t.Fatalf("Rotate: %v; made over the created record %v", err, over.Current == first && over.Previous == "")
	}
	if r, err := s.Record(ctx, "org_a", "wh_1"); err != nil || r.Rotation != rot.ID {
		t.Fatalf("after Rotate: %v; the record names the rotation %v", err, r.Rotation == rot.ID)
	}
	after := time.Now()
	AssertActive(t, s, "org_a", "wh_1", after, second, first)
	// The same rotation again (a retry of one that landed but answered an
	// error) writes nothing more: the secret it replaced keeps its grace.
	if _, err := s.Rotate(ctx, "org_a", "wh_1", rot); err != nil {
		t.Fatalf("Rotate again with the same rotation: %v", err)
	}
	AssertActive(t, s, "org_a", "wh_1", after, second, first)
	AssertActive(t, s, "org_a", "wh_1", before.Add(time.Hour-time.Second), second, first)
	AssertActive(t, s, "org_a", "wh_1", after.Add(time.Hour+time.Second), second)

	// A second rotation keeps only the secret it replaced.
	if _, err := s.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(third, time.Hour)); err != nil {
		t.Fatalf("second Rotate: %v", err)
	}
	AssertActive(t, s, "org_a", "wh_1", time.Now(), third, second)

	// Zero grace retires the old secret at once.
	fourth := Generate(t)
	if _, err := s.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(fourth, 0)); err != nil {
		t.Fatalf("Rotate without grace: %v", err)
	}
	AssertActive(t, s, "org_a", "wh_1", time.Now(), fourth)

	// ReplaceRecord writes a whole record (a rotation undone) ...
	whole := secrets.Record{Current: third, Previous: second, PreviousExpiresAt: time.Now().Add(time.Hour).UTC().Truncate(time.Second), Rotation: secrets.NewRotationID()}
	if err := s.ReplaceRecord(ctx, "org_a", "wh_1", whole); err != nil {
		t.Fatalf("ReplaceRecord: %v", err)
	}
	AssertActive(t, s, "org_a", "wh_1", time.Now(), third, second)

	// SwapRecord writes only over the record it names (its rotation id).
	swapped := secrets.Record{Current: fourth, Previous: third, PreviousExpiresAt: whole.PreviousExpiresAt, Rotation: secrets.NewRotationID()}
	for _, stale := range []string{"", rot.ID} {
		if err := s.SwapRecord(ctx, "org_a", "wh_1", stale, swapped); !errors.Is(err, secrets.ErrConflict) {
			t.Fatalf("SwapRecord from a record replaced since: err = %v, want ErrConflict", err)
		}
	}
	AssertActive(t, s, "org_a", "wh_1", time.Now(), third, second)
	if err := s.SwapRecord(ctx, "org_a", "wh_1", whole.Rotation, swapped); err != nil {
		t.Fatalf("SwapRecord: %v", err)
	}
	if r, err := s.Record(ctx, "org_a", "wh_1"); err != nil || r != swapped {
		t.Fatalf("after SwapRecord: %v; the record written %v", err, r == swapped)
	}

	if err := s.ScheduleDeletion(ctx, "org_a", "wh_1"); err != nil {
		t.Fatalf("ScheduleDeletion: %v", err)
	}
	if _, err := Active(ctx, s, "org_a", "wh_1", time.Now()); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("Active after deletion: err = %v, want ErrNotFound", err)
	}
	// ... but only over an existing one: a write racing a delete brings
	// no deleted webhook's secret back.
	for _, id := range []string{"wh_1", "wh_never"} {
		if err := s.ReplaceRecord(ctx, "org_a", id, whole); !errors.Is(err, secrets.ErrNotFound) {
			t.Fatalf("ReplaceRecord on %s (none): err = %v, want ErrNotFound", id, err)
		}
		if err := s.SwapRecord(ctx, "org_a", id, swapped.Rotation, whole); !errors.Is(err, secrets.ErrNotFound) {
			t.Fatalf("SwapRecord on %s (none): err = %v, want ErrNotFound", id, err)
		}
		if _, err := s.Record(ctx, "org_a", id); !errors.Is(err, secrets.ErrNotFound) {
			t.Fatalf("after ReplaceRecord on %s (none), Record: err = %v, want ErrNotFound", id, err)
		}
	}

	if err := s.Create(ctx, "org_a", "../wh_2", first); err == nil {
		t.Fatal("Create accepted an id with a slash")
	}
	if err := s.Create(ctx, "org_a", "wh_2", ""); err == nil {
		t.Fatal("Create accepted an empty secret")
	}
	if err := s.Create(ctx, "org_a", "wh_3", first); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := s.Rotate(ctx, "org_a", "wh_3", secrets.NewRotation("", time.Hour)); err == nil {
		t.Fatal("Rotate accepted an empty secret")
	}
	AssertActive(t, s, "org_a", "wh_3", time.Now(), first)
}

// Active is what a delivery at now signs with: the secrets of the
// webhook's record valid then, newest first.
func Active(ctx context.Context, s secrets.Store, org, id string, now time.Time) ([]string, error) {
	r, err := s.Record(ctx, org, id)
	if err != nil {
		return nil, err
	}
	return r.Active(now), nil
}

// AssertActive fails t unless Active returns exactly want, in order.
func AssertActive(t *testing.T, s secrets.Store, org, id string, now time.Time, want ...string) {
	t.Helper()
	got, err := Active(context.Background(), s, org, id, now)
	if err != nil {
		t.Fatalf("Active(%s): %v", now.Format(time.RFC3339), err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Active(%s) returned %d secrets in the wrong order or set (want %d)", now.Format(time.RFC3339), len(got), len(want))
	}
}

// Generate returns a new secret or fails t.
func Generate(t *testing.T) string {
	t.Helper()
	s, err := secrets.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
