package delivery

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/webhook"
)

// An at-least-once receive can hand one message over twice in a batch: the
// delivery is POSTed and dead-lettered once, and the message reported once,
// as the event source knows it by its id alone.
func TestMessageTwiceInOneBatchIsHandledOnce(t *testing.T) {
	rc := newReceiver(t, false)
	e := newEnv(t, testConfig(), nil)
	e.webhooks.put(webhook.Webhook{ID: "wh_400", OrgID: "org_a", URL: rc.srv.URL + "/status/400", Enabled: true})
	e.webhooks.put(webhook.Webhook{ID: "wh_ok", OrgID: "org_a", URL: rc.srv.URL + "/status/200", Enabled: true})
	m := sqsMessage(t, "org_a", "wh_400", "evt_1")
	other := sqsMessage(t, "org_a", "wh_ok", "evt_1")
	repeat := m
	repeat.ReceiptHandle = "rh-second-receive"

	resp, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m, other, repeat}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rc.hits.Load(); got != 2 {
		t.Errorf("the endpoints got %d POSTs, want 2 (the repeated message POSTed once)", got)
	}
	if got := len(e.queue.sent); got != 1 {
		t.Errorf("%d dead letters, want 1", got)
	}
	if len(resp.BatchItemFailures) != 0 {
		t.Errorf("batch item failures %+v, want none (dead-lettered, delivered)", resp.BatchItemFailures)
	}
	if !strings.Contains(e.logs.String(), "message twice in one batch") {
		t.Errorf("no line says the message came twice:\n%s", e.logs.String())
	}
}

// SQS honours only a message's latest receipt handle: the copy received
// last (the higher receive count) is the one handled, so a retry's
// visibility change takes effect instead of leaving the message to come
// back after the queue's default visibility.
func TestMessageTwiceInOneBatchUsesTheLatestReceipt(t *testing.T) {
	rc := newReceiver(t, false)
	e := newEnv(t, testConfig(), nil)
	e.webhooks.put(webhook.Webhook{ID: "wh_500", OrgID: "org_a", URL: rc.srv.URL + "/status/500", Enabled: true})
	first := sqsMessage(t, "org_a", "wh_500", "evt_1")
	first.Attributes = map[string]string{"ApproximateReceiveCount": "2"}
	second := first
	second.ReceiptHandle, second.Attributes = "rh-latest", map[string]string{"ApproximateReceiveCount": "3"}
	older := first
	older.ReceiptHandle, older.Attributes = "rh-oldest", map[string]string{"ApproximateReceiveCount": "1"}

	resp, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{first, second, older}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rc.hits.Load(); got != 1 {
		t.Errorf("the endpoint got %d POSTs, want 1", got)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != first.MessageId {
		t.Errorf("batch item failures %+v, want the message once (a retry)", resp.BatchItemFailures)
	}
	e.queue.mu.Lock()
	defer e.queue.mu.Unlock()
	if len(e.queue.visibility) == 0 {
		t.Fatal("the retry changed no visibility")
	}
	for _, c := range e.queue.visibility {
		if c.receipt != "rh-latest" {
			t.Errorf("visibility changed through receipt %q, want the latest receive's, rh-latest", c.receipt)
		}
	}
}
