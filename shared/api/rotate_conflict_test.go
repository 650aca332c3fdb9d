package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/secrets"
)

// alwaysOvertaken is a store whose rotations always lose the race with
// another write (secrets.Serialized gave up): no rotation landed.
type alwaysOvertaken struct{ secrets.Store }

func (alwaysOvertaken) Rotate(context.Context, string, string, secrets.Rotation) (secrets.Record, error) {
	return secrets.Record{}, secrets.ErrConflict
}

// A rotation that kept losing the race with other writes of the
// webhook's secret answers 409 rotation_conflict with the JSON error
// body, and the webhook keeps the secret it had.
func TestRotateSecretOvertakenAnswersConflict(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(d *api.Deps) { d.Secrets = alwaysOvertaken{d.Secrets} })
	tok := e.token("org_conflict")
	hook := e.create(tok, createBody("conflict", "emailOpen"))
	res := e.do(http.MethodPost, webhooksPath+"/"+hook.ID+"/rotate-secret", tok, nil)
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(res.body, &body); err != nil || res.status != http.StatusConflict ||
		body.Error.Code != "rotation_conflict" || !strings.Contains(body.Error.Message, "again") {
		t.Fatalf("rotate: %d %s, want 409 rotation_conflict asking to rotate again", res.status, res.body)
	}
	r, err := e.secrets.Record(context.Background(), "org_conflict", hook.ID)
	if err != nil || r.Current != hook.SigningSecret || r.Previous != "" {
		t.Fatalf("after the conflict: %v; the created secret alone %v", err, r.Current == hook.SigningSecret && r.Previous == "")
	}
}
