package api_test

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// A delete whose counter release fails has still deleted the webhook: the
// tenant gets 204 (a retry could only get 404) and the secret is scheduled
// for deletion, never orphaned. The failure is on the real dynalite store,
// injected into its second write.
func TestDeleteWhoseCounterReleaseFails(t *testing.T) {
	t.Parallel()
	var failUpdates atomic.Bool
	e := newEnv(t, func(d *api.Deps) {
		db := testenv.FaultyDynamoClient(t, dynaliteEndpoint, func(in any) error {
			if _, update := in.(*dynamodb.UpdateItemInput); update && failUpdates.Load() {
				return errors.New("injected: counter update refused")
			}
			return nil
		})
		d.Webhooks = newWebhookStore(t, db)
	})
	tok := e.token("org_rel")
	hook := e.create(tok, createBody("rel", "emailOpen"))

	failUpdates.Store(true)
	if res := e.do(http.MethodDelete, webhooksPath+"/"+hook.ID, tok, nil); res.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", res.status, res.body)
	}
	if live := e.secrets.liveIDs(); len(live) != 0 {
		t.Fatalf("orphaned secrets %v", live)
	}
	e.do(http.MethodGet, webhooksPath+"/"+hook.ID, tok, nil).wantError(t, http.StatusNotFound, "not_found")
	if logs := e.logs.String(); !strings.Contains(logs, "webhook deleted without releasing its slot") || !strings.Contains(logs, hook.ID) {
		t.Fatalf("operators are not told about the kept slot:\n%s", logs)
	}
}

// A delete whose secret deletion fails answers 5xx, and its retry, which
// finds the webhook gone, schedules the secret then: the retry finishes the
// delete instead of answering 404 over an orphaned secret. Another org's
// retry of the same id reaches nothing.
func TestDeleteRetriedAfterTheSecretDeletionFailedFinishesIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_retry")
	hook := e.create(tok, createBody("retry", "emailOpen"))

	e.secrets.mu.Lock()
	e.secrets.failDeletions = 1
	e.secrets.mu.Unlock()
	msg := e.do(http.MethodDelete, webhooksPath+"/"+hook.ID, tok, nil).wantError(t, http.StatusInternalServerError, "internal_error")
	if strings.Contains(msg, "boom") {
		t.Fatalf("the cause leaked to the client: %q", msg)
	}
	e.do(http.MethodGet, webhooksPath+"/"+hook.ID, tok, nil).wantError(t, http.StatusNotFound, "not_found")
	if live := e.secrets.liveIDs(); !live["org_retry/"+hook.ID] {
		t.Fatalf("the failed deletion was reported as done: live %v", live)
	}

	e.do(http.MethodDelete, webhooksPath+"/"+hook.ID, e.token("org_other"), nil).wantError(t, http.StatusNotFound, "not_found")
	if live := e.secrets.liveIDs(); !live["org_retry/"+hook.ID] {
		t.Fatal("another org's delete removed the secret")
	}
	if res := e.do(http.MethodDelete, webhooksPath+"/"+hook.ID, tok, nil); res.status != http.StatusNoContent {
		t.Fatalf("retried delete: %d %s", res.status, res.body)
	}
	if live := e.secrets.liveIDs(); len(live) != 0 {
		t.Fatalf("orphaned secrets after the retry: %v", live)
	}
	e.do(http.MethodDelete, webhooksPath+"/"+hook.ID, tok, nil).wantError(t, http.StatusNotFound, "not_found")
}
