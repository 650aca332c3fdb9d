package api_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/secrets"
)

// landedRotate is a store whose Rotate lands and then answers an error (a
// timeout after Secrets Manager applied it, or envelope's SDK-retried
// conditional write failing its condition); it keeps the secret it stored.
type landedRotate struct {
	secrets.Store
	mu     sync.Mutex
	stored []string
}

func (l *landedRotate) Rotate(ctx context.Context, orgID, id, secret string, grace time.Duration) error {
	if err := l.Store.Rotate(ctx, orgID, id, secret, grace); err != nil {
		return err
	}
	l.mu.Lock()
	l.stored = append(l.stored, secret)
	l.mu.Unlock()
	return errBoom
}

func (l *landedRotate) secrets() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.stored...)
}

// A store rotation that landed but answered an error is undone like an
// uncounted one: the API answers 5xx and the secret nobody was shown never
// signs (findings s28 diff B 1b).
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
