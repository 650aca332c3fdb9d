package delivery

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// TestReceiptCallsGoToTheMessagesOwnLane: with several lanes, a retry's
// backoff and a dead letter's delete act on the queue the message came
// from (named by its event source), and a message from an unknown queue is
// left to its visibility timeout with an error logged.
func TestReceiptCallsGoToTheMessagesOwnLane(t *testing.T) {
	rc := newReceiver(t, false)
	cfg := testConfig()
	cfg.DeliveryQueues = lanes.Lanes{"http://127.0.0.1:1/q/delivery-0", "http://127.0.0.1:1/q/delivery-1"}
	e := newEnv(t, cfg, nil)
	e.webhooks.put(webhook.Webhook{ID: "wh_retry", OrgID: "org_a", URL: rc.srv.URL + "/status/500", Enabled: true})
	e.webhooks.put(webhook.Webhook{ID: "wh_dead", OrgID: "org_a", URL: rc.srv.URL + "/status/400", Enabled: true})
	e.webhooks.put(webhook.Webhook{ID: "wh_lost", OrgID: "org_a", URL: rc.srv.URL + "/status/500", Enabled: true})
	fromLane1 := func(m events.SQSMessage) events.SQSMessage {
		m.EventSourceARN = "arn:aws:sqs:us-east-1:000000000000:delivery-1"
		return m
	}
	retry := fromLane1(sqsMessage(t, "org_a", "wh_retry", "evt_r"))
	dead := fromLane1(sqsMessage(t, "org_a", "wh_dead", "evt_d"))
	stray := sqsMessage(t, "org_a", "wh_lost", "evt_l")
	stray.EventSourceARN = "arn:aws:sqs:us-east-1:000000000000:elsewhere"
	resp, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{retry, dead, stray}})
	if err != nil || len(resp.BatchItemFailures) != 2 {
		t.Fatalf("failures %+v, %v: want the retry and the stray", resp.BatchItemFailures, err)
	}
	q := e.queue
	byReceipt := map[string]string{}
	for _, v := range q.visibility {
		byReceipt[v.receipt] = v.queue
	}
	if byReceipt[retry.ReceiptHandle] != cfg.DeliveryQueues[1] || byReceipt[stray.ReceiptHandle] != "" {
		t.Errorf("visibility calls %+v: want the retry's on lane 1, the stray's on no queue", q.visibility)
	}
	if len(q.deletedAt) != 1 || q.deletedAt[0] != cfg.DeliveryQueues[1] || q.deleted[0] != dead.ReceiptHandle {
		t.Errorf("deletes %v on %v: want the dead letter's on lane 1", q.deleted, q.deletedAt)
	}
	if !strings.Contains(e.logs.String(), "not a delivery lane") {
		t.Errorf("no error logged for the stray message:\n%s", e.logs.String())
	}
}
