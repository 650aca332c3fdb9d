package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// A caller that hangs up mid-request (make dev's server then cancels the
// request's context; a browser leaving a portal page cancels the page's
// in-process calls) is no failure of the service: the store's
// "context canceled" is logged at INFO, not as an ERROR an operator
// would chase.
func TestACallerThatHungUpIsNoServiceError(t *testing.T) {
	e := newEnv(t)
	tok := e.token("org_gone")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := newRequest(http.MethodGet, "/api/v1/organization/webhooks", tok, nil).WithContext(ctx)
	res := e.send(r)
	if res.status != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500 (nobody reads it: the caller is gone)", res.status)
	}
	logs := e.logs.String()
	if strings.Contains(logs, `"level":"ERROR"`) {
		t.Fatalf("a cancelled caller was logged as an error:\n%s", logs)
	}
	if !strings.Contains(logs, `"msg":"request canceled"`) || !strings.Contains(logs, "context canceled") {
		t.Fatalf("the cancelled request is not logged with its cause:\n%s", logs)
	}
}

// A store failure while the caller is still there stays an ERROR.
func TestAStoreFailureForAWaitingCallerIsAnError(t *testing.T) {
	e := newEnv(t)
	tok := e.token("org_here")
	ctx, cancel := context.WithTimeout(context.Background(), -1)
	defer cancel()
	r := newRequest(http.MethodGet, "/api/v1/organization/webhooks", tok, nil).WithContext(ctx)
	res := e.send(r)
	if res.status != http.StatusInternalServerError || !strings.Contains(e.logs.String(), `"level":"ERROR"`) {
		t.Fatalf("status %d, logs:\n%s", res.status, e.logs.String())
	}
}
