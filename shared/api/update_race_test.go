package api_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// racingStore runs between once just before the first Update: the write
// of another party landing between the handler's read and its own.
type racingStore struct {
	*dynamo.WebhookStore
	fired   atomic.Bool
	between func() // may update through the API itself: later updates pass straight through
}

func (s *racingStore) Update(ctx context.Context, read, w webhook.Webhook) error {
	if s.fired.CompareAndSwap(false, true) {
		s.between()
	}
	return s.WebhookStore.Update(ctx, read, w)
}

// racingHealthEnv is a healthEnv whose webhook store runs between before
// the API's first update.
func racingHealthEnv(t *testing.T, between func(he *healthEnv)) *healthEnv {
	he := &healthEnv{notices: &recordingNotices{}, recovery: &recordingRecovery{}}
	he.env = newEnv(t, func(d *api.Deps) {
		he.health = d.Webhooks.(*dynamo.WebhookStore)
		d.Webhooks = &racingStore{WebhookStore: he.health, between: func() { between(he) }}
		d.Notices, d.Recovery = he.notices, he.recovery
	})
	return he
}

// A rename whose read found the endpoint enabled, while hookrelay disables
// it for failing before the rename is written: the rename lands, the
// disable stays (the rename used to enable the endpoint again, and its
// deliveries were POSTed instead of parked).
func TestPatchKeepsADisableForFailingMadeMeanwhile(t *testing.T) {
	t.Parallel()
	var id string
	he := racingHealthEnv(t, func(he *healthEnv) {
		ok, err := he.health.DisableFailing(context.Background(), "org_abc", id, time.Now(), webhook.Threshold{After: time.Hour, MinFailures: 3})
		if err != nil || !ok {
			t.Errorf("disable between the read and the write: %v, %v", ok, err)
		}
	})
	tok := he.token("org_abc")
	id = he.create(tok, createBody("flaky", "emailOpen")).ID
	for range 3 {
		if _, err := he.health.RecordFailure(context.Background(), "org_abc", id, time.Now().Add(-2*time.Hour), time.Now().Add(-2*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}

	res := he.do(http.MethodPatch, webhooksPath+"/"+id, tok, map[string]any{"name": "renamed"})
	if res.status != http.StatusOK {
		t.Fatalf("rename: %d %s", res.status, res.body)
	}
	got := he.get(t, tok, id)
	if got["name"] != "renamed" || got["enabled"] != false || got["disabled_reason"] != webhook.DisabledFailing {
		t.Fatalf("after the rename beside the disable: %v; want renamed and still disabled for failing", got)
	}
	if n := he.notices.list(); len(n) != 0 {
		t.Fatalf("the rename announced an enable: %+v", n)
	}
}

// A rename whose read found the endpoint disabled for failing, while the
// tenant's recover enables it before the rename is written: the endpoint
// stays enabled (the rename used to disable it again).
func TestPatchKeepsARecoverMadeMeanwhile(t *testing.T) {
	t.Parallel()
	var id, tok string
	he := racingHealthEnv(t, func(he *healthEnv) {
		if res := he.do(http.MethodPost, webhooksPath+"/"+id+"/recover", tok, map[string]any{"since": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}); res.status != http.StatusAccepted {
			t.Errorf("recover between the read and the write: %d %s", res.status, res.body)
		}
	})
	tok = he.token("org_abc")
	id = he.failing(t, tok, "org_abc")

	res := he.do(http.MethodPatch, webhooksPath+"/"+id, tok, map[string]any{"name": "renamed"})
	if res.status != http.StatusOK {
		t.Fatalf("rename: %d %s", res.status, res.body)
	}
	if got := he.get(t, tok, id); got["name"] != "renamed" || got["enabled"] != true || got["disabled_reason"] != nil {
		t.Fatalf("after the rename beside the recover: %v; want renamed and enabled", got)
	}
}

// A recover whose enable finds the endpoint enabled meanwhile (here by the
// tenant's PATCH) requeues all the same, without claiming the enable.
func TestRecoverBesideAnEnableRequeuesWithoutClaimingIt(t *testing.T) {
	t.Parallel()
	var id, tok string
	he := racingHealthEnv(t, func(he *healthEnv) {
		if res := he.do(http.MethodPatch, webhooksPath+"/"+id, tok, map[string]any{"enabled": true}); res.status != http.StatusOK {
			t.Errorf("enable between the read and the write: %d %s", res.status, res.body)
		}
	})
	tok = he.token("org_abc")
	id = he.failing(t, tok, "org_abc")

	res := he.do(http.MethodPost, webhooksPath+"/"+id+"/recover", tok, map[string]any{"since": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)})
	if res.status != http.StatusAccepted {
		t.Fatalf("recover: %d %s", res.status, res.body)
	}
	if out := res.json(t); out["enabled"] != false {
		t.Fatalf("recover answer %s: the enable was the PATCH's", res.body)
	}
	if len(he.recovery.calls) != 1 || !he.recovery.calls[0].hook.Enabled {
		t.Fatalf("requeue calls %+v: want one, of the enabled webhook", he.recovery.calls)
	}
	if n := he.notices.list(); len(n) != 1 {
		t.Fatalf("notices %+v: want the PATCH's one", n)
	}
	if got := he.get(t, tok, id); got["enabled"] != true {
		t.Fatalf("after: %v", got)
	}
}

// A rename whose read came before another caller's URL change: both answer
// 200, and both changes stay (the rename used to write the URL it read
// back, undoing the other change).
func TestConcurrentPatchesOfDifferentFieldsBothLand(t *testing.T) {
	t.Parallel()
	var id, tok string
	he := racingURLChange(t, "https://new.example.com/hook", &id, &tok)
	tok = he.token("org_abc")
	id = he.create(tok, createBody("flaky", "emailOpen")).ID
	if res := he.do(http.MethodPatch, webhooksPath+"/"+id, tok, map[string]any{"name": "renamed"}); res.status != http.StatusOK {
		t.Fatalf("rename: %d %s", res.status, res.body)
	}
	if got := he.get(t, tok, id); got["name"] != "renamed" || got["url"] != "https://new.example.com/hook" {
		t.Fatalf("after a rename beside a url change: name=%v url=%v; want renamed and https://new.example.com/hook", got["name"], got["url"])
	}
}

// A recover whose read came before the tenant's URL fix: the endpoint is
// enabled with the fixed URL (the recover's enable used to write the
// broken URL back, and send every recovered delivery to it).
func TestRecoverKeepsAURLChangeMadeMeanwhile(t *testing.T) {
	t.Parallel()
	var id, tok string
	he := racingURLChange(t, "https://fixed.example.com/hook", &id, &tok)
	tok = he.token("org_abc")
	id = he.failing(t, tok, "org_abc")
	since := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	if res := he.do(http.MethodPost, webhooksPath+"/"+id+"/recover", tok, map[string]any{"since": since}); res.status != http.StatusAccepted {
		t.Fatalf("recover: %d %s", res.status, res.body)
	}
	if got := he.get(t, tok, id); got["url"] != "https://fixed.example.com/hook" || got["enabled"] != true {
		t.Fatalf("after a recover beside a url change: url=%v enabled=%v; want https://fixed.example.com/hook, enabled", got["url"], got["enabled"])
	}
}

// racingURLChange is a racingHealthEnv whose other party changes the URL
// of webhook *id to url, with token *tok (both set before the first update).
func racingURLChange(t *testing.T, url string, id, tok *string) *healthEnv {
	return racingHealthEnv(t, func(he *healthEnv) {
		if res := he.do(http.MethodPatch, webhooksPath+"/"+*id, *tok, map[string]any{"url": url}); res.status != http.StatusOK {
			t.Errorf("url change between the read and the write: %d %s", res.status, res.body)
		}
	})
}
