package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// cancelOnSend ends the invocation's context as soon as a send to the
// queue succeeded: a Lambda reaching its deadline, or `make dev` stopping,
// right after the dead letter was written.
type cancelOnSend struct {
	*memQueue
	cancel context.CancelFunc
}

func (q cancelOnSend) Send(ctx context.Context, url string, m queue.Message) error {
	err := q.memQueue.Send(ctx, url, m)
	q.cancel()
	return err
}

func TestContextEndingAfterDeadLetterStillRecordsIt(t *testing.T) {
	rc := newReceiver(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := newEnv(t, testConfig(), nil)
	e.h.d.Queue = cancelOnSend{e.queue, cancel}
	e.webhooks.put(webhook.Webhook{ID: "wh_400", OrgID: "org_a", URL: rc.srv.URL + "/status/400", Enabled: true})
	m := sqsMessage(t, "org_a", "wh_400", "evt_1")

	resp, _ := e.h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{m}})
	if ctx.Err() == nil || len(e.queue.sent) != 1 {
		t.Fatalf("setup: context err %v, sent %+v", ctx.Err(), e.queue.sent)
	}
	if len(resp.BatchItemFailures) != 0 {
		t.Errorf("dead-lettered message reported as failed: %+v", resp.BatchItemFailures)
	}
	if len(e.queue.deleted) != 1 || e.queue.deleted[0] != m.ReceiptHandle {
		t.Errorf("deleted %v, want the message's receipt", e.queue.deleted)
	}
	as := e.attempts.list()
	if len(as) != 1 || as[0].Outcome != deliverylog.OutcomeDeadLettered || as[0].StatusCode != 400 {
		t.Fatalf("attempt log %+v, want one dead_lettered entry", as)
	}
	if e.attempts.message(as[0].DeliveryID) != m.Body {
		t.Errorf("the entry does not keep the body for a resend")
	}
}

func TestContextEndingDuringThePOSTStillSchedulesTheRetry(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The endpoint got the request, then the invocation ends: whatever
	// the client saw (503 or a cancelled request), it is a retry.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel()
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	e := newEnv(t, testConfig(), nil)
	e.webhooks.put(webhook.Webhook{ID: "wh_503", OrgID: "org_a", URL: srv.URL, Enabled: true})
	m := sqsMessage(t, "org_a", "wh_503", "evt_1")

	resp, _ := e.h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{m}})
	if len(resp.BatchItemFailures) != 1 {
		t.Errorf("batch item failures %+v, want the message", resp.BatchItemFailures)
	}
	if len(e.queue.visibility) != 1 || e.queue.visibility[0].delay != step {
		t.Errorf("visibility calls %+v, want the first backoff step %s", e.queue.visibility, step)
	}
	if as := e.attempts.list(); len(as) != 1 || as[0].Outcome != deliverylog.OutcomeRetrying {
		t.Errorf("attempt log %+v, want one retrying entry", as)
	}
}

func TestContextEndingAtTheSkipStillRecordsIt(t *testing.T) {
	e := newEnv(t, testConfig(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.h.d.Webhooks = cancelOnGet{e.webhooks, cancel}
	m := sqsMessage(t, "org_a", "wh_gone", "evt_1") // no such webhook: skipped

	resp, _ := e.h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{m}})
	as := e.attempts.list()
	if len(resp.BatchItemFailures) != 0 || len(as) != 1 || as[0].Outcome != deliverylog.OutcomeSkipped {
		t.Fatalf("failures %+v, attempt log %+v, want one skipped entry", resp.BatchItemFailures, as)
	}
}

// cancelOnGet ends the invocation's context once the webhook was looked up.
type cancelOnGet struct {
	*memWebhooks
	cancel context.CancelFunc
}

func (w cancelOnGet) Get(ctx context.Context, org, id string) (webhook.Webhook, error) {
	hook, err := w.memWebhooks.Get(ctx, org, id)
	w.cancel()
	return hook, err
}
