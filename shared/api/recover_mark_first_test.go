package api_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/delivery"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// whileRequeuing is a Recovery that writes, with the real store, what
// deliver writes while the recover is still sending (its first letter
// goes out undelayed, so deliver's success often lands before the
// recover answers), then answers res and err.
type whileRequeuing struct {
	deliver func(ctx context.Context, w webhook.Webhook) error
	res     delivery.RecoverResult
	err     error
}

func (r *whileRequeuing) Requeue(ctx context.Context, w webhook.Webhook, _ time.Time) (delivery.RecoverResult, error) {
	if err := r.deliver(ctx, w); err != nil {
		return delivery.RecoverResult{}, err
	}
	return r.res, r.err
}

// beforeMark is the store's FailureRuns with deliver's writes run first
// when the recover marks the running run: a success that ends the run
// between the recover's read and its mark.
type beforeMark struct {
	*dynamo.WebhookStore
	deliver func(ctx context.Context, orgID, id string) error
}

func (b *beforeMark) RecoveredRun(ctx context.Context, orgID, id string, failingSince time.Time, failures int) (bool, error) {
	if b.deliver != nil {
		if err := b.deliver(ctx, orgID, id); err != nil {
			return false, err
		}
	}
	return b.WebhookStore.RecoveredRun(ctx, orgID, id, failingSince, failures)
}

// README "Endpoint health": a run still going when a recover from its
// start completes is not kept when a success ends it, unless a failure
// was counted after the recover; a kept run is shown until such a
// recover completes. The success that ends the run is usually the
// recover's own first letter, delivered before the recover answered.
func TestRecoverMarksTheRunBeforeItsLettersAreDelivered(t *testing.T) {
	t.Parallel()
	recovery := &whileRequeuing{}
	runs := &beforeMark{}
	he := &healthEnv{}
	he.env = newEnv(t, func(d *api.Deps) {
		he.health = d.Webhooks.(*dynamo.WebhookStore)
		runs.WebhookStore = he.health
		d.Recovery, d.FailureRuns, d.DeadLetterDebts = recovery, runs, he.health
	})
	tok := he.token("org_abc")
	ctx := context.Background()
	start := time.Now().Add(-3 * time.Hour).UTC().Truncate(time.Second)
	succeed := func(ctx context.Context, w webhook.Webhook) error {
		return he.health.RecordRecovery(ctx, w.OrgID, w.ID, time.Now())
	}
	// failing is a webhook failing since start with two failures, and a
	// kept run before it when withKept.
	failing := func(t *testing.T, withKept bool) string {
		t.Helper()
		id := he.create(tok, createBody("failing", "emailOpen")).ID
		if withKept {
			earlier := start.Add(-time.Hour)
			if _, err := he.health.RecordFailure(ctx, "org_abc", id, earlier, earlier); err != nil {
				t.Fatal(err)
			}
			if err := he.health.RecordRecovery(ctx, "org_abc", id, earlier.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 {
			if _, err := he.health.RecordFailure(ctx, "org_abc", id, start, start); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	recoverFrom := func(t *testing.T, id string, since time.Time) response {
		t.Helper()
		return he.do(http.MethodPost, webhooksPath+"/"+id+"/recover", tok, map[string]any{"since": since.Format(time.RFC3339)})
	}
	lastRun := func(t *testing.T, id string) any {
		t.Helper()
		health, _ := he.get(t, tok, id)["health"].(map[string]any)
		return health["last_failure_run"]
	}
	sent := delivery.RecoverResult{Queued: 2, DeadLettered: 2}

	for _, c := range []struct {
		name     string
		withKept bool
		since    time.Time
	}{
		{"the running run alone, from its start", false, start},
		{"a kept run too, from the kept run's start", true, start.Add(-time.Hour)},
	} {
		t.Run("a success during the recover: "+c.name, func(t *testing.T) {
			id := failing(t, c.withKept)
			*recovery = whileRequeuing{deliver: succeed, res: sent}
			if res := recoverFrom(t, id, c.since); res.status != http.StatusAccepted {
				t.Fatalf("recover: %d %s", res.status, res.body)
			}
			if lr := lastRun(t, id); lr != nil {
				t.Fatalf("a recover from %s completed and its letter's success ended the run, yet last_failure_run %v is shown", c.since, lr)
			}
		})
	}

	t.Run("a failure counted during the recover keeps the run", func(t *testing.T) {
		id := failing(t, false)
		*recovery = whileRequeuing{res: sent, deliver: func(ctx context.Context, w webhook.Webhook) error {
			if _, err := he.health.RecordFailure(ctx, w.OrgID, w.ID, start, time.Now()); err != nil {
				return err
			}
			return succeed(ctx, w)
		}}
		if res := recoverFrom(t, id, start); res.status != http.StatusAccepted {
			t.Fatalf("recover: %d %s", res.status, res.body)
		}
		if lr := lastRun(t, id); lr == nil {
			t.Fatal("a failure counted during the recover: no last_failure_run offers its dead letter")
		}
	})

	t.Run("a success between the recover's read and its mark", func(t *testing.T) {
		for _, withKept := range []bool{false, true} {
			id := failing(t, withKept)
			*recovery = whileRequeuing{deliver: func(context.Context, webhook.Webhook) error { return nil }, res: sent}
			runs.deliver = func(ctx context.Context, orgID, id string) error {
				return he.health.RecordRecovery(ctx, orgID, id, time.Now())
			}
			res := recoverFrom(t, id, start.Add(-time.Hour))
			runs.deliver = nil
			if res.status != http.StatusAccepted {
				t.Fatalf("recover: %d %s", res.status, res.body)
			}
			if lr := lastRun(t, id); lr != nil {
				t.Fatalf("kept run %v: the run the recover read ended before its mark, and it sent all of it again, yet last_failure_run %v is shown", withKept, lr)
			}
		}
	})

	t.Run("a mark that cannot be written fails the recover before it sends", func(t *testing.T) {
		id := failing(t, false)
		requeued := false
		*recovery = whileRequeuing{deliver: func(context.Context, webhook.Webhook) error { requeued = true; return nil }, res: sent}
		runs.deliver = func(context.Context, string, string) error { return errors.New("dynamodb: throttled") }
		res := recoverFrom(t, id, start)
		runs.deliver = nil
		if res.status != http.StatusInternalServerError || requeued {
			t.Fatalf("recover whose mark failed: %d %s, requeued %v", res.status, res.body, requeued)
		}
	})

	t.Run("a recover that fails having queued nothing leaves the run unmarked", func(t *testing.T) {
		id := failing(t, false)
		*recovery = whileRequeuing{deliver: func(context.Context, webhook.Webhook) error { return nil }, err: errors.New("parked: connection refused")}
		if res := recoverFrom(t, id, start); res.status != http.StatusInternalServerError {
			t.Fatalf("recover whose requeue failed: %d %s", res.status, res.body)
		}
		if err := he.health.RecordRecovery(ctx, "org_abc", id, time.Now()); err != nil {
			t.Fatal(err)
		}
		if lr := lastRun(t, id); lr == nil {
			t.Fatal("a recover that failed and sent nothing: the run ended without a last_failure_run to recover it from")
		}
	})
}
