package dynamo_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

func TestWebhookHealth(t *testing.T) {
	db, table := testenv.Table(t)
	store := dynamo.NewWebhookStore(db, table)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	seq := 0
	create := func(t *testing.T, org string) webhook.Webhook {
		t.Helper()
		seq++
		return createHook(t, store, testHook(org, ids.NewAt(ids.WebhookPrefix, t0.Add(time.Duration(seq)*time.Millisecond)), t0))
	}
	get := func(t *testing.T, w webhook.Webhook) webhook.Webhook {
		t.Helper()
		got, err := store.Get(ctx, w.OrgID, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	// failAtT0 records n failed deliveries to w, all at t0.
	failAtT0 := func(t *testing.T, w webhook.Webhook, n int) {
		t.Helper()
		for range n {
			if _, err := store.RecordFailure(ctx, w.OrgID, w.ID, t0, t0); err != nil {
				t.Fatal(err)
			}
		}
	}
	threshold := webhook.Threshold{After: time.Hour, MinFailures: 3}

	t.Run("failures count a run from the first one; a success ends it", func(t *testing.T) {
		w := create(t, "org_h1")
		for i := 1; i <= 3; i++ {
			h, err := store.RecordFailure(ctx, w.OrgID, w.ID, t0.Add(time.Duration(i)*time.Minute), t0.Add(time.Duration(i)*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if h.ConsecutiveFailures != i || !h.FailingSince.Equal(t0.Add(time.Minute)) {
				t.Fatalf("after %d failures: %+v", i, h)
			}
		}
		success := t0.Add(10 * time.Minute)
		if err := store.RecordRecovery(ctx, w.OrgID, w.ID, success); err != nil {
			t.Fatal(err)
		}
		h := get(t, w).Health
		if h.ConsecutiveFailures != 0 || !h.FailingSince.IsZero() || !h.LastSuccessAt.Equal(success) {
			t.Fatalf("after recovery: %+v", h)
		}
		// A second recovery with nothing running writes nothing.
		if err := store.RecordRecovery(ctx, w.OrgID, w.ID, success.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := get(t, w).Health.LastSuccessAt; !got.Equal(success) {
			t.Fatalf("a recovery with no failure run wrote last_success_at %v", got)
		}
		h, err := store.RecordFailure(ctx, w.OrgID, w.ID, t0.Add(2*time.Hour), t0.Add(2*time.Hour))
		if err != nil || h.ConsecutiveFailures != 1 || !h.FailingSince.Equal(t0.Add(2*time.Hour)) {
			t.Fatalf("new run: %+v, %v", h, err)
		}
	})

	t.Run("disable needs both the period and the count, once", func(t *testing.T) {
		w := create(t, "org_h2")
		failAtT0(t, w, 3)
		// 59m59.9s after the first failure: not yet (the fraction matters).
		if ok, err := store.DisableFailing(ctx, w.OrgID, w.ID, t0.Add(time.Hour-100*time.Millisecond), threshold); err != nil || ok {
			t.Fatalf("disabled before the period: %v, %v", ok, err)
		}
		if ok, err := store.DisableFailing(ctx, w.OrgID, w.ID, t0.Add(2*time.Hour), webhook.Threshold{After: time.Hour, MinFailures: 4}); err != nil || ok {
			t.Fatalf("disabled below the count: %v, %v", ok, err)
		}
		at := t0.Add(time.Hour)
		var wg sync.WaitGroup
		wins := make(chan bool, 4)
		for range 4 {
			wg.Go(func() {
				ok, err := store.DisableFailing(ctx, w.OrgID, w.ID, at, threshold)
				if err != nil {
					t.Error(err)
				}
				wins <- ok
			})
		}
		wg.Wait()
		close(wins)
		n := 0
		for ok := range wins {
			if ok {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d concurrent disables reported success, want exactly 1", n)
		}
		got := get(t, w)
		if got.Enabled || got.DisabledReason != webhook.DisabledFailing || !got.DisabledAt.Equal(at) || !got.Parks() {
			t.Fatalf("after disable: %+v", got)
		}
	})

	t.Run("a success recorded meanwhile keeps it enabled", func(t *testing.T) {
		w := create(t, "org_h3")
		failAtT0(t, w, 3)
		if err := store.RecordRecovery(ctx, w.OrgID, w.ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if ok, err := store.DisableFailing(ctx, w.OrgID, w.ID, t0.Add(2*time.Hour), threshold); err != nil || ok {
			t.Fatalf("disabled after a recovery: %v, %v", ok, err)
		}
		if ok, err := store.DisableFailing(ctx, w.OrgID, w.ID, t0.Add(2*time.Hour), webhook.Threshold{}); err != nil || ok {
			t.Fatalf("disabled with the rule off: %v, %v", ok, err)
		}
	})

	t.Run("the tenant's enable clears the reason and the run", func(t *testing.T) {
		w := create(t, "org_h4")
		failAtT0(t, w, 3)
		if ok, err := store.DisableFailing(ctx, w.OrgID, w.ID, t0.Add(time.Hour), threshold); err != nil || !ok {
			t.Fatalf("disable: %v, %v", ok, err)
		}
		got := get(t, w)
		read := got
		got.Enabled = true
		if err := store.Update(ctx, read, got); err != nil {
			t.Fatal(err)
		}
		got = get(t, w)
		if !got.Enabled || got.DisabledReason != "" || !got.DisabledAt.IsZero() || got.Health.ConsecutiveFailures != 0 || !got.Health.FailingSince.IsZero() {
			t.Fatalf("after enable: %+v", got)
		}
	})

	t.Run("a disable's notice is pending until sent, and only that disable's send clears it", func(t *testing.T) {
		w := create(t, "org_h7")
		failAtT0(t, w, 3)
		at := t0.Add(time.Hour)
		if ok, err := store.DisableFailing(ctx, w.OrgID, w.ID, at, threshold); err != nil || !ok {
			t.Fatalf("disable: %v, %v", ok, err)
		}
		if !get(t, w).DisabledNoticePending {
			t.Fatal("the disable left no pending notice")
		}
		if err := store.DisabledNoticeSent(ctx, w.OrgID, w.ID, at.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if !get(t, w).DisabledNoticePending {
			t.Fatal("another disable's send cleared the notice")
		}
		if err := store.DisabledNoticeSent(ctx, w.OrgID, w.ID, at); err != nil {
			t.Fatal(err)
		}
		if got := get(t, w); got.DisabledNoticePending || !got.Parks() {
			t.Fatalf("after the send: %+v", got)
		}
		if err := store.DisabledNoticeSent(ctx, w.OrgID, w.ID, at); err != nil {
			t.Fatalf("a second send: %v, want a no-op", err)
		}
		if err := store.DisabledNoticeSent(ctx, w.OrgID, "wh_gone", at); err != nil {
			t.Fatalf("a deleted webhook's send: %v, want a no-op", err)
		}
	})

	t.Run("fan-out sees failing-disabled webhooks, not manually disabled ones", func(t *testing.T) {
		failing, manual, healthy := create(t, "org_h5"), create(t, "org_h5"), create(t, "org_h5")
		failAtT0(t, failing, 3)
		if ok, err := store.DisableFailing(ctx, failing.OrgID, failing.ID, t0.Add(time.Hour), threshold); err != nil || !ok {
			t.Fatalf("disable: %v, %v", ok, err)
		}
		read := manual
		manual.Enabled = false
		if err := store.Update(ctx, read, manual); err != nil {
			t.Fatal(err)
		}
		var seen []string
		err := store.ForEachSubscribed(ctx, "org_h5", "emailOpen", func(page []webhook.Webhook) error {
			for _, w := range page {
				seen = append(seen, w.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != 2 || seen[0] != failing.ID || seen[1] != healthy.ID {
			t.Fatalf("subscribed = %v, want [%s %s]", seen, failing.ID, healthy.ID)
		}
	})

	t.Run("a deleted webhook is not recreated", func(t *testing.T) {
		if _, err := store.RecordFailure(ctx, "org_h6", "wh_gone", t0, t0); !errors.Is(err, webhook.ErrNotFound) {
			t.Fatalf("RecordFailure on a missing webhook: %v", err)
		}
		if err := store.RecordRecovery(ctx, "org_h6", "wh_gone", t0); err != nil {
			t.Fatal(err)
		}
		if ok, err := store.DisableFailing(ctx, "org_h6", "wh_gone", t0, threshold); err != nil || ok {
			t.Fatalf("DisableFailing on a missing webhook: %v, %v", ok, err)
		}
		if _, err := store.Get(ctx, "org_h6", "wh_gone"); !errors.Is(err, webhook.ErrNotFound) {
			t.Fatalf("a health write recreated the webhook: %v", err)
		}
	})
}
