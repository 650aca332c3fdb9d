package delivery

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// deletingHealth deletes the webhook just before its failure is recorded:
// the tenant's DELETE landing while the delivery's last attempt was out.
type deletingHealth struct {
	*dynamo.WebhookStore
	t *testing.T
}

func (d deletingHealth) RecordFailure(ctx context.Context, orgID, id string, start, dead time.Time) (webhook.Health, error) {
	if err := d.Delete(ctx, orgID, id); err != nil {
		d.t.Errorf("delete before recording the failure: %v", err)
	}
	return d.WebhookStore.RecordFailure(ctx, orgID, id, start, dead)
}

// The README allows a delivery to go out for a few seconds after its
// webhook's DELETE; that its health is then not recorded is expected, and
// not logged as an error an operator would chase.
func TestAFailureOfADeletedWebhookIsNotAnError(t *testing.T) {
	rc := newReceiver(t, false)
	he := newHealthEnv(t, time.Hour, 3, func(d *Deps) {
		d.Health = deletingHealth{WebhookStore: d.Health.(*dynamo.WebhookStore), t: t}
	})
	he.create(t, "wh_gone", rc.srv.URL+"/status/400", true)
	he.handle(t, sqsMessage(t, "org_a", "wh_gone", "evt_1")) // 400: dead-lettered at once
	logs := he.logs.String()
	if !strings.Contains(logs, "record endpoint failure: webhook deleted meanwhile") {
		t.Fatalf("no line saying the webhook was deleted meanwhile:\n%s", logs)
	}
	if strings.Contains(logs, `"level":"ERROR"`) {
		t.Fatalf("an expected race logged as an error:\n%s", logs)
	}
}
