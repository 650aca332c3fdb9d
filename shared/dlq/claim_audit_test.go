package dlq

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// The claim audit of the ways a dead letter goes back to its delivery lane
// (the delivery queue's and the ingest queue's are in shared/delivery and
// shared/fanout): a tenant's recover (RedriveWebhook, from the webhook's
// index of dead letters) and an operator's redrive (Redrive, from the
// DLQ), each step failed once in every way a process can fail there
// (testenv.OneFault). The caller calls again until it says it is done;
// then the other one runs, unfaulted. At every point the letter is in the
// DLQ with its item open, or was sent back; at the end it was sent back
// once, or twice (a crash between the send and the tombstone or delete:
// the same delivery id again, which receivers deduplicate), never lost,
// with its attempts reset, its item closed and the DLQ copy gone.
//
// Steps: the recover's read of the index, its claim of the index item, the
// reset of the delivery's attempts, the send to its lane, the tombstone
// (the index item closed); the redrive's hold of the DLQ copy, its claim
// of the index item, the reset, the send, the tombstone and the delete
// from the DLQ. A caller killed after its claim finds the letter again once
// the claim ran out (a second here, as what it held in the DLQ).

const (
	stepIndexRead = "read the index"
	stepPosRead   = "read the open-from position"
	stepPosMove   = "move the open-from position"
	stepHold      = "hold"
	stepState     = "read the tombstone"
	stepClaim     = "claim the index item"
	stepRelease   = "release the claim"
	stepReset     = "reset attempts"
	stepSend      = "send to the delivery lane"
	stepClose     = "close the index item"
	stepDelete    = "delete from the DLQ"
)

const (
	byRecover = "recover"
	byRedrive = "redrive"
)

// auditStepOf names the step of each SDK call a recover or redrive makes.
func auditStepOf(_ string, input any) string {
	switch v := input.(type) {
	case *sqs.ChangeMessageVisibilityBatchInput:
		if v.Entries[0].VisibilityTimeout > 0 { // 0 releases what a run did not get to
			return stepHold
		}
	case *dynamodb.QueryInput:
		return stepIndexRead
	case *dynamodb.GetItemInput:
		if strings.HasPrefix(pkOf(v.Key), dynamo.DeadLetterPosKeyPrefix) {
			return stepPosRead
		}
		return stepState
	case *dynamodb.UpdateItemInput:
		switch pk := pkOf(v.Key); {
		case strings.HasPrefix(pk, dynamo.DeadLetterPosKeyPrefix):
			return stepPosMove
		case strings.HasPrefix(pk, "DLQ#"):
			return indexUpdateStep(v)
		}
		return stepReset
	case *sqs.SendMessageInput:
		return stepSend
	case *sqs.DeleteMessageInput:
		return stepDelete
	}
	return ""
}

// indexUpdateStep names an update of a dead letter's index item: its
// claim, the claim's release, or its close.
func indexUpdateStep(v *dynamodb.UpdateItemInput) string {
	switch {
	case strings.HasPrefix(*v.UpdateExpression, "SET #claim"):
		return stepClaim
	case strings.HasPrefix(*v.UpdateExpression, "REMOVE #claim"):
		return stepRelease
	}
	return stepClose
}

func pkOf(key map[string]ddbtypes.AttributeValue) string {
	pk, _ := key[dynamo.AttrPK].(*ddbtypes.AttributeValueMemberS)
	if pk == nil {
		return ""
	}
	return pk.Value
}

type auditCase struct{ by, step, fault string }

func TestEveryStepOfARecoverOrRedriveKeepsTheClaim(t *testing.T) {
	sqsEndpoint := testenv.Goaws(t)
	ddbEndpoint := testenv.Dynalite(t)
	plainDB := testenv.DynamoClient(t, ddbEndpoint)
	table := "hookrelay-recover-audit"
	if err := dynamo.EnsureTable(context.Background(), plainDB, table); err != nil {
		t.Fatal(err)
	}
	steps := map[string][]string{
		byRecover: {stepPosRead, stepIndexRead, stepPosMove, stepClaim, stepReset, stepSend, stepClose},
		byRedrive: {stepHold, stepClaim, stepReset, stepSend, stepClose, stepDelete},
	}
	var cases []auditCase
	for _, by := range []string{byRecover, byRedrive} {
		for _, step := range steps[by] {
			for _, f := range testenv.AllFaults {
				cases = append(cases, auditCase{by, step, f})
			}
		}
	}
	name := func(c auditCase) string { return c.by + "/" + c.step + "/" + c.fault }
	// Eight at a time: a case mostly waits for what a failed call held.
	testenv.RunWide(t, 8, cases, name, func(t *testing.T, i int, c auditCase) {
		audit(t, c, fmt.Sprintf("audit-%02d", i), sqsEndpoint, ddbEndpoint, plainDB, table)
	})
}

func audit(t *testing.T, c auditCase, name, sqsEndpoint, ddbEndpoint string, plainDB *dynamodb.Client, table string) {
	ctx := context.Background()
	plain := testenv.SQSClient(t, sqsEndpoint)
	dlqURL := testenv.Queue(t, plain, name+"-dlq", nil)
	deliveryURL := testenv.Queue(t, plain, name+"-delivery", nil)
	records := dynamo.NewDeliveryStore(plainDB, table, time.Hour)
	index := dynamo.NewDeadLetterIndex(plainDB, table)

	// One dead letter, whose delivery was attempted three times, as
	// deliver leaves it: its index item, then its DLQ copy naming it.
	org, hook := "org_a", "wh_"+name[len("audit-"):]
	d := message.Delivery{DeliveryID: "dlv_" + name, EventID: "evt_" + name, OrgID: org, WebhookID: hook, EventName: "emailClick",
		Envelope: `{"id":"evt_1","event_name":"emailClick","organization_id":"org_a","timestamp":1745000000,"data":{}}`}
	body, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	// Dead-lettered long enough ago that a recover moves its open-from
	// position (never past LateDeadLetterWrite ago) up to the item.
	dead := time.Now().UTC().Truncate(time.Second).Add(-dynamo.LateDeadLetterWrite - 10*time.Minute)
	if err := records.Save(ctx, deliverylog.DeliveryRecord{DeliveryID: d.DeliveryID, OrgID: org, WebhookID: hook, EventID: d.EventID,
		EventName: d.EventName, Message: body, Attempts: 3, FirstAttemptAt: dead, LastAttemptAt: dead, Status: deliverylog.StatusInFlight}); err != nil {
		t.Fatal(err)
	}
	item := deliverylog.DeadLetter{OrgID: org, WebhookID: hook, DeliveryID: d.DeliveryID, At: dead, Message: body}
	if err := index.Add(ctx, item); err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{message.AttrReason: message.ReasonRetriesExhausted, message.AttrAttempts: "3",
		message.AttrOrgID: org, message.AttrWebhookID: hook, message.AttrEventName: d.EventName,
		message.AttrFirstAttempt: dead.Format(time.RFC3339), message.AttrLastAttempt: dead.Format(time.RFC3339),
		message.AttrDeadLetterID: item.ID()}
	if err := sqsqueue.New(plain).Send(ctx, dlqURL, queue.Message{Body: body, Attributes: attrs}); err != nil {
		t.Fatal(err)
	}

	fault := &testenv.OneFault{Step: c.step, Kind: c.fault, StepOf: auditStepOf}
	opsOver := func(q *sqs.Client, db *dynamodb.Client) *Ops {
		o := New(sqsqueue.New(q), dlqURL, lanes.Lanes{deliveryURL}, dynamo.NewDeliveryStore(db, table, time.Hour))
		o.Index = dynamo.NewDeadLetterIndex(db, table)
		// What a killed call held comes back within a second or two.
		o.Wait, o.PeekVisibility, o.HoldVisibility, o.LetterClaim = 0, time.Second, 2*time.Second, time.Second
		return o
	}
	faulty := opsOver(testenv.FaultySQS(t, sqsEndpoint, fault.On(c.by)), testenv.FaultyDynamo(t, ddbEndpoint, fault.On(c.by)))
	plainOps := opsOver(plain, plainDB)
	// The run after is not faulted, so nothing it holds need come back
	// soon: its peek and hold outlast a stall of a loaded machine. With
	// the 1 s and 2 s above, a hold that ran out before its delete (or a
	// peek before its hold) failed the run, and with it the test.
	plainOps.PeekVisibility, plainOps.HoldVisibility, plainOps.LetterClaim = 30*time.Second, time.Minute, time.Minute
	run := func(o *Ops, by string) (done bool, err error) {
		rctx, cancel := context.WithCancel(ctx)
		defer cancel()
		fault.SetCancel(by, cancel)
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%s killed: %v", by, r)
			}
		}()
		if by == byRecover {
			_, err = o.RedriveWebhook(rctx, org, hook, dead, queue.Pace{})
			return err == nil, err
		}
		_, err = o.Redrive(rctx, Filter{WebhookID: hook}, false, nil)
		return err == nil && depth(t, plain, dlqURL) == 0, err
	}
	closed := func() bool {
		st, err := index.State(ctx, item.Ref())
		if err != nil {
			t.Fatal(err)
		}
		return st.By != ""
	}

	// The caller calls again until it says it is done; at every point the
	// letter is in the DLQ with its item open, or was sent back.
	testenv.WaitFor(t, 60*time.Second, "a "+c.by+" that finishes", func() bool {
		done, err := run(faulty, c.by)
		inDLQ, sent := depth(t, plain, dlqURL), depth(t, plain, deliveryURL)
		if sent == 0 && (inDLQ == 0 || closed()) {
			t.Fatalf("the dead letter is neither sent back nor in the DLQ with its item open (DLQ %d, closed %v, after %v)", inDLQ, closed(), err)
		}
		return done
	})
	if !fault.Fired() {
		t.Fatalf("the %s fault never fired at %s: the step was not exercised", c.fault, c.step)
	}
	// Then the other, unfaulted: the recover after an operator's redrive
	// sends it again only if the redrive's tombstone failed; the redrive
	// after a recover deletes the DLQ copy unsent. A letter whose tombstone
	// failed is still claimed by the caller that sent it, so the other one
	// leaves it (a recover says more) until that claim ran out: it is
	// called again until it says it is done, as a tenant would.
	other := map[string]string{byRecover: byRedrive, byRedrive: byRecover}[c.by]
	last := ""
	testenv.WaitFor(t, 30*time.Second, "the "+other+" after that finishes", func() bool {
		done, err := run(plainOps, other)
		if msg := fmt.Sprint(err); !done && msg != last {
			t.Logf("the %s after: %s", other, msg)
			last = msg
		}
		return done
	})
	msgs, err := sqsqueue.New(plain).Receive(ctx, deliveryURL, 10, time.Second, 0)
	if err != nil || len(msgs) == 0 || len(msgs) > 2 {
		t.Fatalf("sent back %d times (%v): want once, or twice after a crash", len(msgs), err)
	}
	for _, m := range msgs {
		if m.Body != body {
			t.Fatalf("sent back changed: %.80s", m.Body)
		}
	}
	if n := depth(t, plain, dlqURL); n != 0 || !closed() {
		t.Fatalf("after both: %d in the DLQ, item closed %v; want the copy gone and the item closed", n, closed())
	}
	if rec, err := records.Get(ctx, d.DeliveryID); err != nil || rec.Attempts != 0 {
		t.Fatalf("attempts not reset: %+v, %v", rec, err)
	}
}

func depth(t *testing.T, api *sqs.Client, url string) int {
	t.Helper()
	n, err := testenv.QueueDepth(context.Background(), api, url)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
