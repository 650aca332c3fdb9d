package api_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// failingBumps fails the first fails BumpSecretVersion calls (DynamoDB
// throttled or down) and passes the others on.
type failingBumps struct {
	webhook.Store
	mu    sync.Mutex
	fails int
}

func (f *failingBumps) BumpSecretVersion(ctx context.Context, orgID, id string, previousExpiresAt time.Time, rotation string) error {
	f.mu.Lock()
	fail := f.fails > 0
	if fail {
		f.fails--
	}
	f.mu.Unlock()
	if fail {
		return errBoom
	}
	return f.Store.BumpSecretVersion(ctx, orgID, id, previousExpiresAt, rotation)
}

func withFailingBumps(fails int) envOption {
	return func(d *api.Deps) { d.Webhooks = &failingBumps{Store: d.Webhooks, fails: fails} }
}

// A rotation whose version bump fails once is counted by a second try.
func TestRotateSecretRetriesAFailedCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withFailingBumps(1))
	tok := e.token("org_bump")
	hook := e.create(tok, createBody("bump", "emailOpen"))
	res := e.do(http.MethodPost, webhooksPath+"/"+hook.ID+"/rotate-secret", tok, nil)
	if res.status != http.StatusOK {
		t.Fatalf("rotate: %d %s", res.status, res.body)
	}
	secret := res.json(t)["signing_secret"].(string)
	e.seen = append(e.seen, secret)
	secretstest.AssertActive(t, e.secrets, "org_bump", hook.ID, time.Now(), secret, hook.SigningSecret)
	if stored, err := e.store.Get(context.Background(), "org_bump", hook.ID); err != nil || stored.SecretVersion != 1 {
		t.Fatalf("secret version: %d (%v), want 1", stored.SecretVersion, err)
	}
}

// A rotation that cannot be counted answers 5xx and is undone: the secret
// it made, shown to nobody, never signs, and the tenant's secrets (a
// rotation's grace included) stay as they were.
func TestRotateSecretUndoesARotationItCannotCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withFailingBumps(2))
	tok := e.token("org_bump")
	hook := e.create(tok, createBody("bump", "emailOpen"))
	path := webhooksPath + "/" + hook.ID + "/rotate-secret"
	first := e.do(http.MethodPost, path, tok, nil) // both tries of its count fail
	if first.status != http.StatusInternalServerError {
		t.Fatalf("first rotate: %d %s", first.status, first.body)
	}
	before, err := e.secrets.Record(context.Background(), "org_bump", hook.ID)
	if err != nil || before.Current != hook.SigningSecret || before.Previous != "" {
		t.Fatalf("after the uncounted rotation: %v; current is the created secret %v, no previous %v", err, before.Current == hook.SigningSecret, before.Previous == "")
	}
	if stored, err := e.store.Get(context.Background(), "org_bump", hook.ID); err != nil || stored.SecretVersion > 1 {
		t.Fatalf("secret version: %d (%v)", stored.SecretVersion, err)
	}
	// Counted now: the next rotation keeps the tenant's secret as previous.
	res := e.do(http.MethodPost, path, tok, nil)
	if res.status != http.StatusOK {
		t.Fatalf("rotate again: %d %s", res.status, res.body)
	}
	secret := res.json(t)["signing_secret"].(string)
	e.seen = append(e.seen, secret)
	secretstest.AssertActive(t, e.secrets, "org_bump", hook.ID, time.Now(), secret, hook.SigningSecret)
}
