package dlq

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// The claim audit of a tenant's recover of its dead letters (the delivery
// queue's and the ingest queue's are in shared/delivery and shared/fanout):
// RedriveWebhook's every step, failed once in every way a process can fail
// there (testenv.OneFault), and the dead letter is at every point in the
// DLQ or sent back, so the tenant's next recover call finishes it: in the
// delivery queue, body unchanged, with its attempts reset, and gone from
// the DLQ.
//
// Steps: the hold of a selected dead letter (its visibility change), the
// reset of its delivery record's attempts, the send to its lane, and the
// delete from the DLQ.

const (
	stepHold   = "hold"
	stepReset  = "reset attempts"
	stepSend   = "send to the delivery lane"
	stepDelete = "delete from the DLQ"
)

// recoverStepOf names the step of each SDK call RedriveWebhook makes.
func recoverStepOf(_ string, input any) string {
	switch v := input.(type) {
	case *sqs.ChangeMessageVisibilityInput:
		if v.VisibilityTimeout > 0 { // 0 releases what a run did not get to
			return stepHold
		}
	case *dynamodb.UpdateItemInput:
		return stepReset
	case *sqs.SendMessageInput:
		return stepSend
	case *sqs.DeleteMessageInput:
		return stepDelete
	}
	return ""
}

type recoverCase struct{ step, fault string }

func TestEveryStepOfARecoversRedriveKeepsTheClaim(t *testing.T) {
	sqsEndpoint := testenv.Goaws(t)
	ddbEndpoint := testenv.Dynalite(t)
	plainDB := testenv.DynamoClient(t, ddbEndpoint)
	table := "hookrelay-recover-audit"
	if err := dynamo.EnsureTable(context.Background(), plainDB, table); err != nil {
		t.Fatal(err)
	}
	var cases []recoverCase
	for _, step := range []string{stepHold, stepReset, stepSend, stepDelete} {
		for _, f := range testenv.AllFaults {
			cases = append(cases, recoverCase{step, f})
		}
	}
	name := func(c recoverCase) string { return c.step + "/" + c.fault }
	// Eight at a time: a case mostly waits for what a failed call held.
	testenv.RunWide(t, 8, cases, name, func(t *testing.T, i int, c recoverCase) {
		auditRecover(t, c, fmt.Sprintf("recover-%02d", i), sqsEndpoint, ddbEndpoint, plainDB, table)
	})
}

func auditRecover(t *testing.T, c recoverCase, name, sqsEndpoint, ddbEndpoint string, plainDB *dynamodb.Client, table string) {
	ctx := context.Background()
	plain := testenv.SQSClient(t, sqsEndpoint)
	dlqURL := testenv.Queue(t, plain, name+"-dlq", nil)
	deliveryURL := testenv.Queue(t, plain, name+"-delivery", nil)
	records := dynamo.NewDeliveryStore(plainDB, table, time.Hour)

	// One dead letter, whose delivery was attempted three times.
	org, hook := "org_a", "wh_"+name[len("recover-"):]
	d := message.Delivery{DeliveryID: "dlv_" + name, EventID: "evt_" + name, OrgID: org, WebhookID: hook, EventName: "emailClick",
		Envelope: `{"id":"evt_1","event_name":"emailClick","organization_id":"org_a","timestamp":1745000000,"data":{}}`}
	body, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	dead := time.Now().UTC().Truncate(time.Second)
	if err := records.Save(ctx, deliverylog.DeliveryRecord{DeliveryID: d.DeliveryID, OrgID: org, WebhookID: hook, EventID: d.EventID,
		EventName: d.EventName, Message: body, Attempts: 3, FirstAttemptAt: dead, LastAttemptAt: dead, Status: deliverylog.StatusInFlight}); err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{message.AttrReason: message.ReasonRetriesExhausted, message.AttrAttempts: "3",
		message.AttrOrgID: org, message.AttrWebhookID: hook, message.AttrEventName: d.EventName,
		message.AttrFirstAttempt: dead.Format(time.RFC3339), message.AttrLastAttempt: dead.Format(time.RFC3339)}
	if err := sqsqueue.New(plain).Send(ctx, dlqURL, queue.Message{Body: body, Attributes: attrs}); err != nil {
		t.Fatal(err)
	}

	fault := &testenv.OneFault{Step: c.step, Kind: c.fault, StepOf: recoverStepOf}
	o := New(sqsqueue.New(testenv.FaultySQS(t, sqsEndpoint, fault.On("recover"))), dlqURL, lanes.Lanes{deliveryURL},
		dynamo.NewDeliveryStore(testenv.FaultyDynamo(t, ddbEndpoint, fault.On("recover")), table, time.Hour))
	// What a killed call held comes back within a second or two.
	o.Wait, o.PeekVisibility, o.HoldVisibility = 0, time.Second, 2*time.Second
	recoverOnce := func() (n int, err error) {
		rctx, cancel := context.WithCancel(ctx)
		defer cancel()
		fault.SetCancel("recover", cancel)
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("recover killed: %v", r)
			}
		}()
		return o.RedriveWebhook(rctx, org, hook, dead)
	}
	depth := func(url string) int {
		n, err := testenv.QueueDepth(ctx, plain, url)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// The tenant calls again until its recover says it is done; at every
	// point the dead letter is still in the DLQ, or was sent back.
	testenv.WaitFor(t, 60*time.Second, "a recover call that finishes", func() bool {
		_, err := recoverOnce()
		inDLQ, sent := depth(dlqURL), depth(deliveryURL)
		if inDLQ+sent == 0 {
			t.Fatalf("the dead letter is neither in the DLQ nor sent back (after %v)", err)
		}
		return err == nil && inDLQ == 0
	})
	if !fault.Fired() {
		t.Fatalf("the %s fault never fired at %s: the step was not exercised", c.fault, c.step)
	}
	msgs, err := sqsqueue.New(plain).Receive(ctx, deliveryURL, 10, time.Second, 0)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("nothing sent back: %v", err)
	}
	for _, m := range msgs {
		if m.Body != body {
			t.Fatalf("sent back changed: %.80s", m.Body)
		}
	}
	if rec, err := records.Get(ctx, d.DeliveryID); err != nil || rec.Attempts != 0 {
		t.Fatalf("attempts not reset: %+v, %v", rec, err)
	}
}
