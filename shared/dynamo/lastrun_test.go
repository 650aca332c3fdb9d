package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// The failure run a success ends is kept on the webhook until a recover
// from its start: the portal offers Recover for it
// once the endpoint is healthy again.
func TestLastFailureRun(t *testing.T) {
	db, table := testenv.Table(t)
	store := dynamo.NewWebhookStore(db, table)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	seq := 0
	create := func(t *testing.T) webhook.Webhook {
		t.Helper()
		seq++
		return createHook(t, store, testHook("org_lr", ids.NewAt(ids.WebhookPrefix, t0.Add(time.Duration(seq)*time.Millisecond)), t0))
	}
	lastRun := func(t *testing.T, w webhook.Webhook) webhook.FailureRun {
		t.Helper()
		got, err := store.Get(ctx, w.OrgID, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Health.LastFailureRun
	}
	// run records n failures first attempted from start, then a success at end.
	run := func(t *testing.T, w webhook.Webhook, start time.Time, n int, end time.Time) {
		t.Helper()
		for i := range n {
			at := start.Add(time.Duration(i) * time.Second)
			if _, err := store.RecordFailure(ctx, w.OrgID, w.ID, at, at); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.RecordRecovery(ctx, w.OrgID, w.ID, end); err != nil {
			t.Fatal(err)
		}
	}
	same := func(t *testing.T, got, want webhook.FailureRun) {
		t.Helper()
		if !got.FailingSince.Equal(want.FailingSince) || !got.EndedAt.Equal(want.EndedAt) || got.Failures != want.Failures {
			t.Fatalf("last failure run %+v, want %+v", got, want)
		}
	}

	t.Run("a success keeps the run it ends; the next run joins it", func(t *testing.T) {
		w := create(t)
		if got := lastRun(t, w); !got.FailingSince.IsZero() {
			t.Fatalf("a new webhook has a last failure run %+v", got)
		}
		end := t0.Add(10 * time.Minute)
		run(t, w, t0.Add(time.Minute), 3, end)
		same(t, lastRun(t, w), webhook.FailureRun{FailingSince: t0.Add(time.Minute), EndedAt: end, Failures: 3})
		// A success with no run running changes nothing.
		if err := store.RecordRecovery(ctx, w.OrgID, w.ID, end.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		same(t, lastRun(t, w), webhook.FailureRun{FailingSince: t0.Add(time.Minute), EndedAt: end, Failures: 3})
		// Not recovered: the next run is added, from the first one's start,
		// so a recover from it sends both runs' dead letters.
		end2 := t0.Add(2 * time.Hour)
		run(t, w, t0.Add(time.Hour), 2, end2)
		same(t, lastRun(t, w), webhook.FailureRun{FailingSince: t0.Add(time.Minute), EndedAt: end2, Failures: 5})
	})

	t.Run("a run that started before the kept one joins it from its own start", func(t *testing.T) {
		// A run's start is its earliest delivery's first attempt, so it can
		// precede the kept run's: D, first attempted at t0,
		// dead-letters after E's run (from t0+2h) ended. The joined run must
		// start at t0, or a recover from it misses D and then clears the run.
		w := create(t)
		t1 := t0.Add(2 * time.Hour)
		run(t, w, t1, 1, t1.Add(time.Hour))
		t3 := t0.Add(10 * time.Hour)
		if _, err := store.RecordFailure(ctx, w.OrgID, w.ID, t0, t3); err != nil {
			t.Fatal(err)
		}
		if err := store.RecordRecovery(ctx, w.OrgID, w.ID, t3.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		same(t, lastRun(t, w), webhook.FailureRun{FailingSince: t0, EndedAt: t3.Add(time.Hour), Failures: 2})
	})

	t.Run("a running run a recover sent again is not kept unless its start moved back", func(t *testing.T) {
		// RecoveredRun marks the run the recover read; its
		// ending success keeps nothing, and an earlier kept run stays.
		w := create(t)
		kept := webhook.FailureRun{FailingSince: t0, EndedAt: t0.Add(time.Hour), Failures: 1}
		run(t, w, t0, 1, kept.EndedAt)
		start := t0.Add(2 * time.Hour)
		for range 2 {
			if _, err := store.RecordFailure(ctx, w.OrgID, w.ID, start, start); err != nil {
				t.Fatal(err)
			}
		}
		if marked, err := store.RecoveredRun(ctx, w.OrgID, w.ID, start, 2); err != nil || !marked {
			t.Fatalf("mark the running run: %v, %v", marked, err)
		}
		if err := store.RecordRecovery(ctx, w.OrgID, w.ID, start.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		same(t, lastRun(t, w), kept)
		// A failure first attempted before the start the recover read
		// moves the run back: not all of it was sent, it is joined in full.
		for range 2 {
			if _, err := store.RecordFailure(ctx, w.OrgID, w.ID, start, start); err != nil {
				t.Fatal(err)
			}
		}
		if marked, err := store.RecoveredRun(ctx, w.OrgID, w.ID, start, 2); err != nil || !marked {
			t.Fatalf("mark the running run: %v, %v", marked, err)
		}
		if _, err := store.RecordFailure(ctx, w.OrgID, w.ID, start.Add(-time.Minute), start.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		end := start.Add(2 * time.Hour)
		if err := store.RecordRecovery(ctx, w.OrgID, w.ID, end); err != nil {
			t.Fatal(err)
		}
		same(t, lastRun(t, w), webhook.FailureRun{FailingSince: t0, EndedAt: end, Failures: 4})
	})

	t.Run("an enable drops a recover's mark with the run it ends", func(t *testing.T) {
		// A mark that outlived the enable made a later run
		// from the same start pass for the recovered one, and vanish.
		w := create(t)
		start := t0.Add(3 * time.Hour)
		for range 2 {
			if _, err := store.RecordFailure(ctx, w.OrgID, w.ID, start, start); err != nil {
				t.Fatal(err)
			}
		}
		if marked, err := store.RecoveredRun(ctx, w.OrgID, w.ID, start, 2); err != nil || !marked {
			t.Fatalf("mark the running run: %v, %v", marked, err)
		}
		read, err := store.Get(ctx, w.OrgID, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		disabled := read
		disabled.Enabled = false
		if err := store.Update(ctx, read, disabled); err != nil {
			t.Fatal(err)
		}
		enabled := disabled
		enabled.Enabled = true
		if err := store.Update(ctx, disabled, enabled); err != nil {
			t.Fatal(err)
		}
		end := start.Add(time.Hour)
		run(t, w, start, 2, end)
		same(t, lastRun(t, w), webhook.FailureRun{FailingSince: start, EndedAt: end, Failures: 2})
	})

	t.Run("a mark is refused once the run ended, and an unmarked run is kept", func(t *testing.T) {
		// A recover marks the run before it sends; one that
		// then sent nothing takes the mark back.
		w := create(t)
		start := t0.Add(time.Hour)
		run(t, w, start, 2, start.Add(time.Hour))
		if marked, err := store.RecoveredRun(ctx, w.OrgID, w.ID, start, 2); err != nil || marked {
			t.Fatalf("mark of a run that ended: %v, %v", marked, err)
		}
		w = create(t)
		for range 2 {
			if _, err := store.RecordFailure(ctx, w.OrgID, w.ID, start, start); err != nil {
				t.Fatal(err)
			}
		}
		if marked, err := store.RecoveredRun(ctx, w.OrgID, w.ID, start, 2); err != nil || !marked {
			t.Fatalf("mark the running run: %v, %v", marked, err)
		}
		// Another mark's values leave it; its own take it back.
		if err := store.UnmarkRecoveredRun(ctx, w.OrgID, w.ID, start, 1); err != nil {
			t.Fatal(err)
		}
		if err := store.UnmarkRecoveredRun(ctx, w.OrgID, w.ID, start, 2); err != nil {
			t.Fatal(err)
		}
		end := start.Add(time.Hour)
		if err := store.RecordRecovery(ctx, w.OrgID, w.ID, end); err != nil {
			t.Fatal(err)
		}
		same(t, lastRun(t, w), webhook.FailureRun{FailingSince: start, EndedAt: end, Failures: 2})
	})

	t.Run("a run that ended before the recover's mark is cleared unless a failure was counted since its read", func(t *testing.T) {
		// The recover read a kept run (t0, 1) and a running one (start, 2);
		// a success joined them before the mark: (t0, 3).
		w := create(t)
		run(t, w, t0, 1, t0.Add(time.Minute))
		start := t0.Add(time.Hour)
		end := start.Add(time.Hour)
		run(t, w, start, 2, end)
		joined := webhook.FailureRun{FailingSince: t0, EndedAt: end, Failures: 3}
		same(t, lastRun(t, w), joined)
		for _, c := range []struct {
			name          string
			since, latest time.Time
			failures      int
		}{
			{"a failure counted since the read", t0, start, 2},
			{"a recover from after its start", t0.Add(time.Second), start, 3},
			{"a start after the latest the recover read", t0.Add(-time.Hour), t0.Add(-time.Minute), 3},
		} {
			if err := store.ClearEndedRun(ctx, w.OrgID, w.ID, c.since, c.latest, c.failures); err != nil {
				t.Fatal(err)
			}
			same(t, lastRun(t, w), joined)
		}
		if err := store.ClearEndedRun(ctx, w.OrgID, w.ID, t0, start, 3); err != nil {
			t.Fatal(err)
		}
		same(t, lastRun(t, w), webhook.FailureRun{})
	})

	t.Run("a run kept past the DLQ's retention is replaced, not joined", func(t *testing.T) {
		w := create(t)
		run(t, w, t0, 4, t0.Add(time.Minute))
		later := t0.Add(time.Minute + config.DLQRetention + time.Hour)
		run(t, w, later, 1, later.Add(time.Minute))
		same(t, lastRun(t, w), webhook.FailureRun{FailingSince: later, EndedAt: later.Add(time.Minute), Failures: 1})
	})

	t.Run("a recover from its start or earlier clears it, a later one does not", func(t *testing.T) {
		w := create(t)
		end := t0.Add(time.Hour)
		run(t, w, t0.Add(time.Minute), 2, end)
		want := webhook.FailureRun{FailingSince: t0.Add(time.Minute), EndedAt: end, Failures: 2}
		if err := store.ClearFailureRun(ctx, w.OrgID, w.ID, end, t0.Add(time.Minute+time.Second)); err != nil {
			t.Fatal(err)
		}
		same(t, lastRun(t, w), want)
		// A run that ended after the recover read the webhook is not its to clear.
		if err := store.ClearFailureRun(ctx, w.OrgID, w.ID, end.Add(-time.Second), t0); err != nil {
			t.Fatal(err)
		}
		same(t, lastRun(t, w), want)
		if err := store.ClearFailureRun(ctx, w.OrgID, w.ID, end, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		same(t, lastRun(t, w), webhook.FailureRun{})
		// Cleared, the next run is kept on its own.
		run(t, w, t0.Add(2*time.Hour), 1, t0.Add(3*time.Hour))
		same(t, lastRun(t, w), webhook.FailureRun{FailingSince: t0.Add(2 * time.Hour), EndedAt: t0.Add(3 * time.Hour), Failures: 1})
	})

	t.Run("clearing a deleted webhook does not bring it back", func(t *testing.T) {
		w := create(t)
		if err := store.Delete(ctx, w.OrgID, w.ID); err != nil {
			t.Fatal(err)
		}
		if err := store.ClearFailureRun(ctx, w.OrgID, w.ID, t0, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Get(ctx, w.OrgID, w.ID); err != webhook.ErrNotFound {
			t.Fatalf("get after clear of a deleted webhook: %v", err)
		}
	})
}
