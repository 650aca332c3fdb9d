package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
)

// A tenant who rotated sees until when the previous secret signs on the
// webhook itself (get and list), for as long as that grace lasts, and a
// second rotation shows its own end.
func TestWebhookShowsThePreviousSecretsEndWhileItSigns(t *testing.T) {
	t.Parallel()
	clock := &manualClock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	e := newEnv(t, func(d *api.Deps) { d.Now = clock.Now })
	tok := e.token("org_grace")
	hook := e.create(tok, createBody("grace", "emailOpen"))
	path := webhooksPath + "/" + hook.ID
	shown := func() any {
		t.Helper()
		got := e.do(http.MethodGet, path, tok, nil).json(t)["previous_secret_expires_at"]
		listed := e.do(http.MethodGet, webhooksPath, tok, nil).json(t)["data"].([]any)[0].(map[string]any)["previous_secret_expires_at"]
		if got != listed {
			t.Fatalf("get shows %v, list %v", got, listed)
		}
		return got
	}
	if got := shown(); got != nil {
		t.Fatalf("never rotated, shows %v", got)
	}
	rotate := func() string {
		t.Helper()
		res := e.do(http.MethodPost, path+"/rotate-secret", tok, nil)
		if res.status != http.StatusOK {
			t.Fatalf("rotate: %d %s", res.status, res.body)
		}
		return res.json(t)["previous_secret_expires_at"].(string)
	}
	first := rotate()
	if got := shown(); got != first || first != clock.Now().Add(e.cfg.SecretGrace).Format(time.RFC3339) {
		t.Fatalf("after a rotation shows %v, the rotation said %s", got, first)
	}
	clock.advance(time.Hour)
	second := rotate()
	if got := shown(); got != second || second == first {
		t.Fatalf("after a second rotation shows %v, it said %s (the first %s)", got, second, first)
	}
	clock.advance(e.cfg.SecretGrace)
	if got := shown(); got != nil {
		t.Fatalf("grace over, still shows %v", got)
	}
}
