package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
)

// overtakenThenLanded: the first Rotate lets a whole other rotation
// request (B) through the API, then lands its own write over B's record
// (what secrets.Serialized's retry does in envelope and the Bridge after
// losing the first race) and answers an error (its response lost: a
// timeout after the store applied it).
type overtakenThenLanded struct {
	secrets.Store
	once  sync.Once
	other func()
}

func (o *overtakenThenLanded) Rotate(ctx context.Context, orgID, id string, rot secrets.Rotation) (secrets.Record, error) {
	first := false
	o.once.Do(func() { first = true })
	if !first {
		return o.Store.Rotate(ctx, orgID, id, rot)
	}
	o.other()
	over, err := o.Store.Rotate(ctx, orgID, id, rot)
	if err != nil {
		return over, err
	}
	return over, context.DeadlineExceeded
}

// A rotation made over a concurrent one that answered 200, and then
// answering an error, is undone to the other's record: the secret B
// showed signs with the one B replaced, and A's, shown to nobody, does not
// (it was judged superseded and stayed current).
func TestRotateSecretUndoesAFailedRotationMadeOverAConcurrentOne(t *testing.T) {
	t.Parallel()
	var o *overtakenThenLanded
	e := newEnv(t, func(d *api.Deps) { o = &overtakenThenLanded{Store: d.Secrets}; d.Secrets = o })
	tok := e.token("org_over")
	hook := e.create(tok, createBody("over", "emailOpen"))
	path := webhooksPath + "/" + hook.ID + "/rotate-secret"
	var b response
	o.other = func() { b = e.do(http.MethodPost, path, tok, nil) }
	a := e.do(http.MethodPost, path, tok, nil)
	if a.status != http.StatusInternalServerError || b.status != http.StatusOK {
		t.Fatalf("rotations: A %d, B %d; want A 500 (its store write answered an error), B 200", a.status, b.status)
	}
	var shown struct {
		SigningSecret string `json:"signing_secret"`
	}
	if err := json.Unmarshal(b.body, &shown); err != nil {
		t.Fatal(err)
	}
	secretstest.AssertActive(t, e.secrets, "org_over", hook.ID, time.Now(), shown.SigningSecret, hook.SigningSecret)
}
