package api_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/delivery"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// failingRecovery queued some of the parked deliveries, then failed (an
// AWS error, the function's deadline).
type failingRecovery struct{}

func (failingRecovery) Requeue(context.Context, webhook.Webhook, time.Time) (delivery.RecoverResult, error) {
	return delivery.RecoverResult{Queued: 4, Parked: 3, DeadLettered: 1}, errors.New("queue parked delivery dlv_1: context deadline exceeded")
}

// A recover that enabled the endpoint and then could not queue all of
// its parked deliveries answers what it queued and more (call again), not
// a 500 that hides the enable and what is left.
func TestRecoverFailingAfterTheEnableSaysMore(t *testing.T) {
	t.Parallel()
	he := &healthEnv{notices: &recordingNotices{}}
	he.env = newEnv(t, func(d *api.Deps) {
		he.health = d.Webhooks.(*dynamo.WebhookStore)
		d.Notices, d.Recovery = he.notices, failingRecovery{}
	})
	tok := he.token("org_abc")
	id := he.failing(t, tok, "org_abc")
	res := he.do(http.MethodPost, webhooksPath+"/"+id+"/recover", tok, map[string]any{"since": time.Now().Add(-3 * time.Hour).UTC().Format(time.RFC3339)})
	if out := res.json(t); res.status != http.StatusAccepted || out["enabled"] != true || out["queued"] != float64(4) || out["more"] != true {
		t.Fatalf("recover: %d %s; want 202, enabled, the 4 queued and more", res.status, res.body)
	}
	if he.get(t, tok, id)["enabled"] != true {
		t.Fatal("not enabled")
	}
}
