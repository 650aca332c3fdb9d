package api_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// landedRotate is a store whose Rotate lands and then answers an error (a
// timeout after Secrets Manager applied it, or envelope's SDK-retried
// conditional write failing its condition); it keeps the secret it stored.
type landedRotate struct {
	secrets.Store
	mu     sync.Mutex
	stored []string
}

func (l *landedRotate) Rotate(ctx context.Context, orgID, id string, rot secrets.Rotation) (secrets.Record, error) {
	over, err := l.Store.Rotate(ctx, orgID, id, rot)
	if err != nil {
		return over, err
	}
	l.mu.Lock()
	l.stored = append(l.stored, rot.Secret)
	l.mu.Unlock()
	return over, errBoom
}

func (l *landedRotate) secrets() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.stored...)
}

// A store rotation that landed but answered an error is undone like an
// uncounted one: the API answers 5xx and the secret nobody was shown never
// signs.
func TestRotateSecretUndoesAStoreRotationThatLandedButFailed(t *testing.T) {
	t.Parallel()
	landed := &landedRotate{}
	e := newEnv(t, func(d *api.Deps) { landed.Store = d.Secrets; d.Secrets = landed })
	tok := e.token("org_land")
	hook := e.create(tok, createBody("land", "emailOpen"))
	res := e.do(http.MethodPost, webhooksPath+"/"+hook.ID+"/rotate-secret", tok, nil)
	stored := landed.secrets()
	e.seen = append(e.seen, stored...)
	if res.status != http.StatusInternalServerError || len(stored) != 1 {
		t.Fatalf("rotate: %d %s (%d rotations landed), want 500 after one", res.status, res.body, len(stored))
	}
	r, err := e.secrets.Record(context.Background(), "org_land", hook.ID)
	if err != nil || r.Current != hook.SigningSecret || r.Previous != "" {
		t.Fatalf("after the failed rotation: %v; current is the created secret %v, no previous %v", err, r.Current == hook.SigningSecret, r.Previous == "")
	}
}

// earlierRotation runs, once, a whole other rotation to x (store rotation
// and count: one that answered 200) just before the wrapped Rotate, that
// is after rotateSecret read the record its undo would restore.
type earlierRotation struct {
	secrets.Store
	hooks webhook.Store
	fired *atomic.Bool
	x     string
}

func (e earlierRotation) Rotate(ctx context.Context, orgID, id string, rot secrets.Rotation) (secrets.Record, error) {
	if !e.fired.Swap(true) {
		earlier := secrets.NewRotation(e.x, rot.Grace)
		if over, err := e.Store.Rotate(ctx, orgID, id, earlier); err != nil {
			return over, err
		}
		if err := e.hooks.BumpSecretVersion(ctx, orgID, id, time.Now().Add(rot.Grace), earlier.ID); err != nil {
			return secrets.Record{}, err
		}
	}
	return e.Store.Rotate(ctx, orgID, id, rot)
}

// A rotation made over another one that answered 200 meanwhile (after
// the request began), and then not counted, is undone to the record it was
// made over: the one that answered 200 signs, with the secret it replaced
// in its grace, and the failed one's secret, shown to nobody, does not.
func TestRotateSecretUndoKeepsAnEarlierCountedRotation(t *testing.T) {
	t.Parallel()
	x := secretstest.Generate(t)
	var counted webhook.Store
	e := newEnv(t, func(d *api.Deps) { counted = d.Webhooks }, withFailingBumps(2), func(d *api.Deps) {
		d.Secrets = earlierRotation{Store: d.Secrets, hooks: counted, fired: new(atomic.Bool), x: x}
	})
	e.seen = append(e.seen, x)
	tok := e.token("org_r0")
	hook := e.create(tok, createBody("r0", "emailOpen"))
	res := e.do(http.MethodPost, webhooksPath+"/"+hook.ID+"/rotate-secret", tok, nil)
	if res.status != http.StatusInternalServerError {
		t.Fatalf("rotate: %d %s, want 500 (its count failed)", res.status, res.body)
	}
	secretstest.AssertActive(t, e.secrets, "org_r0", hook.ID, time.Now(), x, hook.SigningSecret)
}
