package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/delivery"
	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/healthnotice"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

type enableNotice struct {
	webhookID, reason string
}

type recordingNotices struct {
	mu  sync.Mutex
	got []enableNotice
}

func (n *recordingNotices) Enabled(_ context.Context, w webhook.Webhook, reason string, _ time.Time) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, enableNotice{w.ID, reason})
	return nil
}

func (n *recordingNotices) list() []enableNotice {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]enableNotice(nil), n.got...)
}

type requeueCall struct {
	hook  webhook.Webhook
	since time.Time
}

type recordingRecovery struct {
	mu       sync.Mutex
	calls    []requeueCall
	dlqError error // the dead letters' error the next calls report
}

func (r *recordingRecovery) Requeue(_ context.Context, w webhook.Webhook, since time.Time) (delivery.RecoverResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, requeueCall{w, since})
	if r.dlqError != nil {
		return delivery.RecoverResult{Queued: 2, Parked: 2, DeadLettersIncomplete: true, Err: r.dlqError}, nil
	}
	return delivery.RecoverResult{Queued: 3, Parked: 2, DeadLettered: 1}, nil
}

func (r *recordingRecovery) failDeadLetters(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dlqError = err
}

// TestRecoverTooSoonIsNotAnError: a recover within dlq.RecoverInterval of
// the organization's last is normal (README), so its skipped dead letters
// are logged at INFO; a DLQ that could not be read stays an ERROR.
func TestRecoverTooSoonIsNotAnError(t *testing.T) {
	t.Parallel()
	he := newHealthEnv(t)
	tok := he.token("org_abc")
	id := he.create(tok, createBody("flaky", "emailOpen")).ID
	path := webhooksPath + "/" + id + "/recover"
	since := map[string]any{"since": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}
	levels := func() []string {
		var got []string
		for _, line := range strings.Split(he.logs.String(), "\n") {
			var l struct{ Level, Msg, Error string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "recover: dead letters not redriven" {
				got = append(got, l.Level+" "+l.Error)
			}
		}
		return got
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("redrive dead letters: %w", dlq.ErrRecentScan), "INFO redrive dead letters: " + dlq.ErrRecentScan.Error()},
		{errors.New("redrive dead letters: receive: connection refused"), "ERROR redrive dead letters: receive: connection refused"},
	} {
		he.recovery.failDeadLetters(c.err)
		res := he.do(http.MethodPost, path, tok, since)
		if out := res.json(t); res.status != http.StatusAccepted || out["dead_letters_incomplete"] != true {
			t.Fatalf("recover: %d %s", res.status, res.body)
		}
		if got := levels(); len(got) == 0 || got[len(got)-1] != c.want {
			t.Errorf("logged %q, want last %q", got, c.want)
		}
	}
}

type healthEnv struct {
	*env
	health   *dynamo.WebhookStore
	notices  *recordingNotices
	recovery *recordingRecovery
}

func newHealthEnv(t *testing.T) *healthEnv {
	he := &healthEnv{notices: &recordingNotices{}, recovery: &recordingRecovery{}}
	he.env = newEnv(t, func(d *api.Deps) {
		he.health = d.Webhooks.(*dynamo.WebhookStore)
		d.Notices, d.Recovery, d.DeadLetterDebts, d.FailureRuns = he.notices, he.recovery, he.health, he.health
	})
	return he
}

// failing creates a webhook and has hookrelay disable it for failing.
func (he *healthEnv) failing(t *testing.T, tok, org string) string {
	t.Helper()
	id := he.create(tok, createBody("flaky", "emailOpen")).ID
	start := time.Now().Add(-2 * time.Hour)
	for range 3 {
		if _, err := he.health.RecordFailure(context.Background(), org, id, start, start); err != nil {
			t.Fatal(err)
		}
	}
	ok, err := he.health.DisableFailing(context.Background(), org, id, time.Now(), webhook.Threshold{After: time.Hour, MinFailures: 3})
	if err != nil || !ok {
		t.Fatalf("disable: %v, %v", ok, err)
	}
	return id
}

func (he *healthEnv) get(t *testing.T, tok, id string) map[string]any {
	t.Helper()
	res := he.do(http.MethodGet, webhooksPath+"/"+id, tok, nil)
	if res.status != http.StatusOK {
		t.Fatalf("get: %d %s", res.status, res.body)
	}
	return res.json(t)
}

func TestWebhookShowsHealthAndRecovers(t *testing.T) {
	t.Parallel()
	he := newHealthEnv(t)
	tok := he.token("org_abc")
	id := he.failing(t, tok, "org_abc")

	got := he.get(t, tok, id)
	health, _ := got["health"].(map[string]any)
	if got["enabled"] != false || got["disabled_reason"] != "failing" || got["disabled_at"] == nil ||
		health["consecutive_failures"] != float64(3) || health["failing_since"] == nil {
		t.Fatalf("failing webhook: %v", got)
	}

	path := webhooksPath + "/" + id + "/recover"
	for _, body := range []any{
		map[string]any{}, map[string]any{"since": "yesterday"}, map[string]any{"since": 5},
		map[string]any{"since": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)},
	} {
		res := he.do(http.MethodPost, path, tok, body)
		if res.status != http.StatusBadRequest {
			t.Fatalf("recover %v: %d %s", body, res.status, res.body)
		}
	}
	he.do(http.MethodPost, path, tok, map[string]any{"since": "2026-01-01T00:00:00Z", "extra": 1}).wantError(t, http.StatusBadRequest, "unknown_field")
	if len(he.recovery.calls) != 0 || he.get(t, tok, id)["enabled"] != false {
		t.Fatal("a refused recover changed something")
	}
	// Another org's webhook is a 404 and is left alone.
	he.do(http.MethodPost, path, he.token("org_other"), map[string]any{"since": "2026-01-01T00:00:00Z"}).wantError(t, http.StatusNotFound, "not_found")

	since := time.Now().Add(-24 * time.Hour).UTC().Truncate(time.Second)
	res := he.do(http.MethodPost, path, tok, map[string]any{"since": since.Format(time.RFC3339)})
	if res.status != http.StatusAccepted {
		t.Fatalf("recover: %d %s", res.status, res.body)
	}
	out := res.json(t)
	if out["enabled"] != true || out["queued"] != float64(3) || out["parked"] != float64(2) || out["dead_lettered"] != float64(1) || out["more"] != false {
		t.Fatalf("recover answer %s", res.body)
	}
	if len(he.recovery.calls) != 1 || !he.recovery.calls[0].since.Equal(since) || !he.recovery.calls[0].hook.Enabled {
		t.Fatalf("requeue calls %+v: want one, since %s, after the enable", he.recovery.calls, since)
	}
	if n := he.notices.list(); len(n) != 1 || n[0] != (enableNotice{id, healthnotice.ReasonRecovered}) {
		t.Fatalf("notices %+v", n)
	}
	got = he.get(t, tok, id)
	health, _ = got["health"].(map[string]any)
	if got["enabled"] != true || got["disabled_reason"] != nil || got["disabled_at"] != nil || health["consecutive_failures"] != float64(0) || health["failing_since"] != nil {
		t.Fatalf("recovered webhook: %v", got)
	}
	// Recovering an enabled webhook re-queues again without a notice.
	if out := he.do(http.MethodPost, path, tok, map[string]any{"since": since.Format(time.RFC3339)}).json(t); out["enabled"] != false {
		t.Fatalf("second recover %v", out)
	}
	if len(he.notices.list()) != 1 || len(he.recovery.calls) != 2 {
		t.Fatalf("second recover: notices %v, calls %d", he.notices.list(), len(he.recovery.calls))
	}
}

func TestTenantEnableResetsHealth(t *testing.T) {
	t.Parallel()
	he := newHealthEnv(t)
	tok := he.token("org_abc")
	failing := he.failing(t, tok, "org_abc")
	res := he.do(http.MethodPatch, webhooksPath+"/"+failing, tok, map[string]any{"enabled": true})
	if res.status != http.StatusOK {
		t.Fatalf("patch: %d %s", res.status, res.body)
	}
	got := he.get(t, tok, failing)
	health, _ := got["health"].(map[string]any)
	if got["enabled"] != true || got["disabled_reason"] != nil || health["consecutive_failures"] != float64(0) {
		t.Fatalf("enabled by the tenant: %v", got)
	}
	if n := he.notices.list(); len(n) != 1 || n[0] != (enableNotice{failing, healthnotice.ReasonTenant}) {
		t.Fatalf("notices %+v", n)
	}
	// A rename keeps a running count; only an enable resets it.
	if _, err := he.health.RecordFailure(context.Background(), "org_abc", failing, time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	he.do(http.MethodPatch, webhooksPath+"/"+failing, tok, map[string]any{"name": "renamed", "enabled": true})
	if h, _ := he.get(t, tok, failing)["health"].(map[string]any); h["consecutive_failures"] != float64(1) {
		t.Fatalf("a PATCH of an enabled webhook reset its health: %v", h)
	}
	// The tenant's own disable of a webhook disabled for failing makes it a
	// manual disable: no reason, so its deliveries are skipped, not parked.
	other := he.failing(t, tok, "org_abc")
	he.do(http.MethodPatch, webhooksPath+"/"+other, tok, map[string]any{"enabled": false})
	if got := he.get(t, tok, other); got["enabled"] != false || got["disabled_reason"] != nil || got["disabled_at"] != nil {
		t.Fatalf("disabled by the tenant: %v", got)
	}
	// A rename of a webhook disabled for failing keeps it parking.
	third := he.failing(t, tok, "org_abc")
	he.do(http.MethodPatch, webhooksPath+"/"+third, tok, map[string]any{"name": "still failing"})
	if got := he.get(t, tok, third); got["disabled_reason"] != "failing" {
		t.Fatalf("renamed: %v", got)
	}
	// A webhook the tenant disabled and enables again is not announced.
	manual := he.create(tok, createBody("manual", "emailOpen")).ID
	he.do(http.MethodPatch, webhooksPath+"/"+manual, tok, map[string]any{"enabled": false})
	he.do(http.MethodPatch, webhooksPath+"/"+manual, tok, map[string]any{"enabled": true})
	if n := he.notices.list(); len(n) != 1 {
		t.Fatalf("a manual re-enable was announced: %+v", n)
	}
}
