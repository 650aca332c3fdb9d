package api_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/hookrelay/hookrelay/shared/api"
)

// countingSecrets counts the secret store's Create calls.
type countingSecrets struct {
	*trackingSecrets
	creates atomic.Int64
}

func (c *countingSecrets) Create(ctx context.Context, org, id, secret string) error {
	c.creates.Add(1)
	return c.trackingSecrets.Create(ctx, org, id, secret)
}

// A create refused because the org is at its webhook limit writes no
// secret: on Secrets Manager each would be a CreateSecret and a
// DeleteSecret left pending for a week, at whatever rate an org at its
// limit sends creates.
func TestCreateAtTheLimitWritesNoSecret(t *testing.T) {
	var cs *countingSecrets
	e := newEnv(t, func(d *api.Deps) {
		d.Config.MaxWebhooks = 2
		cs = &countingSecrets{trackingSecrets: d.Secrets.(*trackingSecrets)}
		d.Secrets = cs
	})
	tok := e.token("org_a")
	e.create(tok, createBody("one", "emailOpen"))
	e.create(tok, createBody("two", "emailOpen"))
	before := cs.creates.Load()
	for range 3 {
		e.do(http.MethodPost, webhooksPath, tok, createBody("more", "emailOpen")).wantError(t, http.StatusConflict, "limit_reached")
	}
	if n := cs.creates.Load() - before; n != 0 {
		t.Fatalf("3 refused creates made %d secret-store Create calls, want none", n)
	}
	// Another org's limit is its own.
	e.create(e.token("org_b"), createBody("one", "emailOpen"))
}
