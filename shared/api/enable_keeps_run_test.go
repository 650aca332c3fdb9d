package api_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// failingUpdates refuses the next Update with a transient error (a
// throttled write, the function's deadline) while failNext is set.
type failingUpdates struct {
	*dynamo.WebhookStore
	failNext atomic.Bool
}

func (s *failingUpdates) Update(ctx context.Context, read, w webhook.Webhook) error {
	if s.failNext.CompareAndSwap(true, false) {
		return errors.New("ProvisionedThroughputExceededException")
	}
	return s.WebhookStore.Update(ctx, read, w)
}

// An enable (Recover or PATCH) whose write fails leaves the endpoint
// disabled for failing with its failure run whole: the run's start is
// where Recover begins, so it must last until the endpoint is enabled.
func TestFailedEnableKeepsTheFailureRun(t *testing.T) {
	t.Parallel()
	store := &failingUpdates{}
	he := &healthEnv{notices: &recordingNotices{}, recovery: &recordingRecovery{}}
	he.env = newEnv(t, func(d *api.Deps) {
		he.health = d.Webhooks.(*dynamo.WebhookStore)
		store.WebhookStore = he.health
		d.Webhooks, d.Notices, d.Recovery = store, he.notices, he.recovery
	})
	tok := he.token("org_abc")
	id := he.failing(t, tok, "org_abc")
	before := he.get(t, tok, id)["health"]
	since := map[string]any{"since": time.Now().Add(-3 * time.Hour).UTC().Format(time.RFC3339)}
	for _, enable := range []struct {
		method, path string
		body         any
	}{
		{http.MethodPost, webhooksPath + "/" + id + "/recover", since},
		{http.MethodPatch, webhooksPath + "/" + id, map[string]any{"enabled": true}},
	} {
		store.failNext.Store(true)
		if res := he.do(enable.method, enable.path, tok, enable.body); res.status != http.StatusInternalServerError {
			t.Fatalf("%s %s with a failing write: %d %s", enable.method, enable.path, res.status, res.body)
		}
		after := he.get(t, tok, id)
		h, _ := after["health"].(map[string]any)
		if after["disabled_reason"] != "failing" || h["consecutive_failures"] != float64(3) || h["failing_since"] == nil {
			t.Errorf("after a failed %s: disabled_reason %v, health %v; want still failing with the run %v", enable.method, after["disabled_reason"], h, before)
		}
	}
	// Once the endpoint is enabled, its health starts over.
	if res := he.do(http.MethodPatch, webhooksPath+"/"+id, tok, map[string]any{"enabled": true}); res.status != http.StatusOK {
		t.Fatalf("enable: %d %s", res.status, res.body)
	}
	after := he.get(t, tok, id)
	if h, _ := after["health"].(map[string]any); after["enabled"] != true || h["consecutive_failures"] != float64(0) || h["failing_since"] != nil {
		t.Errorf("after the enable: enabled %v, health %v; want a new run", after["enabled"], h)
	}
}
