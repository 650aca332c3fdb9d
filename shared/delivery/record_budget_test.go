package delivery

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// slowRemover removes the webhook only when its context ends: a removal
// whose writes took all the time the bookkeeping after a POST allows.
type slowRemover struct{ Remover }

func (r slowRemover) Remove(ctx context.Context, read webhook.Webhook) error {
	<-ctx.Done()
	return r.Remover.Remove(context.WithoutCancel(ctx), read)
}

// The attempt entry saying why a webhook vanished is written in time of
// its own: a slow removal before it (a loaded store) must not leave the
// tenant a webhook gone without its "removed" entry.
func TestASlowRemovalStillRecordsItsAttempt(t *testing.T) {
	rc := newReceiver(t, false)
	e := newEnv(t, testConfig(), func(d *Deps) { d.Remover = slowRemover{d.Remover} })
	e.webhooks.put(webhook.Webhook{ID: "wh_1", OrgID: "org_a", URL: rc.srv.URL + "/status/410", Enabled: true})
	if _, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{sqsMessage(t, "org_a", "wh_1", "evt_1")}}); err != nil {
		t.Fatal(err)
	}
	got := e.attempts.list()
	if len(got) != 1 || got[0].Outcome != deliverylog.OutcomeRemoved {
		t.Fatalf("attempt entries %+v, want the one removed", got)
	}
}
