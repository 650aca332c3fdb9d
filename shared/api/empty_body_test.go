package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
)

// The routes that take no input (rotate-secret, test, resend) accept no
// body or an empty object, and refuse anything else as the README says of
// every body, changing nothing: a client sending fields they do not read
// must learn so, not see its request done without them.
func TestRoutesWithoutInputRefuseABody(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_empty")
	hook := e.create(tok, createBody("empty", "emailOpen"))
	base := webhooksPath + "/" + hook.ID
	dlv := "dlv_0123456789abcdef0123456789abcdef"
	routes := []string{base + "/rotate-secret", base + "/test", base + "/deliveries/" + dlv + "/resend"}
	for _, path := range routes {
		name := strings.TrimPrefix(path, base)
		t.Run(name, func(t *testing.T) {
			e.do(http.MethodPost, path, tok, `{"reason":"x"}`).wantError(t, http.StatusBadRequest, "unknown_field")
			e.do(http.MethodPost, path, tok, `not json`).wantError(t, http.StatusBadRequest, "invalid_json")
			e.do(http.MethodPost, path, tok, "{\"\xff\":1}").wantError(t, http.StatusBadRequest, "invalid_json")
			e.do(http.MethodPost, path, tok, `{"a":`+strings.Repeat(" ", 64<<10)+`1}`).wantError(t, http.StatusRequestEntityTooLarge, "body_too_large")
		})
	}
	if len(e.dlv.resends) != 0 || len(e.dlv.tests) != 0 {
		t.Fatalf("a refused body reached delivery code: %+v %+v", e.dlv.resends, e.dlv.tests)
	}
	active, err := secretstest.Active(context.Background(), e.secrets, "org_empty", hook.ID, time.Now())
	if err != nil || !slices.Equal(active, []string{hook.SigningSecret}) {
		t.Fatalf("a refused rotation changed the secret: %d secrets, %v", len(active), err)
	}
	for _, body := range []any{nil, `{}`, ` { } `} {
		for _, path := range routes {
			if res := e.do(http.MethodPost, path, tok, body); res.status >= 300 {
				t.Fatalf("POST %s with %q: %d %s", strings.TrimPrefix(path, base), body, res.status, res.body)
			}
		}
	}
	if len(e.dlv.resends) != 3 || len(e.dlv.tests) != 3 {
		t.Fatalf("with no body or {}: %d resends, %d tests; want 3 each", len(e.dlv.resends), len(e.dlv.tests))
	}
}

// DELETE takes no body either: {"confirm":false} must not delete.
func TestDeleteRefusesABody(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_del_body")
	hook := e.create(tok, createBody("keep", "emailOpen"))
	path := webhooksPath + "/" + hook.ID
	e.do(http.MethodDelete, path, tok, `{"confirm":false}`).wantError(t, http.StatusBadRequest, "unknown_field")
	e.do(http.MethodDelete, path, tok, `not json`).wantError(t, http.StatusBadRequest, "invalid_json")
	if got := e.do(http.MethodGet, path, tok, nil).webhook(t); got.ID != hook.ID {
		t.Fatalf("a refused delete removed the webhook: %+v", got)
	}
	if res := e.do(http.MethodDelete, path, tok, nil); res.status != http.StatusNoContent {
		t.Fatalf("delete without a body: %d %s", res.status, res.body)
	}
}
