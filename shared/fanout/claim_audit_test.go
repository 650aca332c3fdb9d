package fanout

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/poller"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// The fan-out's claim audit (shared/delivery has the delivery queue's):
// every place an ingest record leaves the ingest queue, failed once in
// every way a process can fail there (testenv.OneFault: killed before or
// after the call, the emulator unreachable, the invocation cancelled just
// before it), and the event still ends fanned out (a delivery message to
// its endpoint, with the same delivery id however often it was sent) or in
// the ingest DLQ, body unchanged, with its reason.
//
// Exits: SendMessageBatch to the delivery lane, the ingest DLQ send of a
// record that can never be fanned out (malformed, too large), the ingest
// queue send of a record's continuation (more deliveries than its
// invocation's budget takes), and the event source's delete after any of
// them. The record that fans out carries a producer's idempotency key,
// claimed before the send: when the send fails, the record comes back and
// finds its own claim, and so does its continuation.

const (
	stepLaneSend  = "delivery lane send"
	stepIngestDLQ = "ingest DLQ send"
	stepContinue  = "ingest continuation send"
	stepESMDelete = "event source delete"
)

type fanoutCase struct {
	step, fault string
	record      string // "valid", "continued" (11 endpoints, 10 per invocation), "malformed" or "too large"
	reason      string // the dead letter's; "" when the record fans out
}

func fanoutCases() []fanoutCase {
	var cs []fanoutCase
	add := func(c fanoutCase, faults ...string) {
		for _, f := range faults {
			c.fault = f
			cs = append(cs, c)
		}
	}
	// The event source's delete is not the handler's code: a crash there
	// means it never happens (killed) or fails (unreachable).
	esm := []string{testenv.KilledBefore, testenv.Unreachable}
	add(fanoutCase{step: stepLaneSend, record: "valid"}, testenv.AllFaults...)
	add(fanoutCase{step: stepIngestDLQ, record: "malformed", reason: message.ReasonMalformed}, testenv.AllFaults...)
	add(fanoutCase{step: stepIngestDLQ, record: "too large", reason: ReasonTooLarge}, testenv.AllFaults...)
	add(fanoutCase{step: stepContinue, record: "continued"}, testenv.AllFaults...)
	add(fanoutCase{step: stepESMDelete, record: "valid"}, esm...)
	add(fanoutCase{step: stepESMDelete, record: "continued"}, esm...)
	add(fanoutCase{step: stepESMDelete, record: "malformed", reason: message.ReasonMalformed}, esm...)
	return cs
}

// fanoutStepOf names the step of each call of the handler's client
// ("handler") and the poller's ("event source").
func fanoutStepOf(dlqURL, ingestURL string) func(client string, input any) string {
	return func(client string, input any) string {
		switch v := input.(type) {
		case *sqs.SendMessageBatchInput:
			return stepLaneSend
		case *sqs.SendMessageInput:
			switch aws.ToString(v.QueueUrl) {
			case dlqURL:
				return stepIngestDLQ
			case ingestURL:
				return stepContinue
			}
		case *sqs.DeleteMessageBatchInput:
			if client == "event source" {
				return stepESMDelete
			}
		}
		return ""
	}
}

// auditRecord is the ingest record of a case's event for org.
func auditRecord(t *testing.T, kind, org string) string {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	r := bus.Record{ID: "u-" + org, DetailType: "emailClick", Time: at}
	switch kind {
	case "malformed":
		return "<html>oops " + org
	case "too large": // fits the ingest queue, not the pipeline's data limit
		r.Detail, _ = json.Marshal(map[string]any{"organization_id": org, "data": strings.Repeat("x", message.MaxDataBytes-1)})
	default: // put on the bus directly, with the producer's idempotency key: claimed before the send
		r.Detail = json.RawMessage(fmt.Sprintf(`{"id":"order-1","organization_id":%q,"data":{"a":1}}`, org))
	}
	return record(t, org, r).Body
}

func TestEveryExitFromTheIngestQueueKeepsTheClaim(t *testing.T) {
	sqsEndpoint := testenv.Goaws(t)
	db, table := testenv.Table(t)
	store, claims := dynamo.NewWebhookStore(db, table), dynamo.NewIdempotencyStore(db, table)
	name := func(c fanoutCase) string { return fmt.Sprintf("%s/%s/%s", c.step, c.record, c.fault) }
	// Eight at a time: each case mostly waits on its queue's 2 s visibility timeout.
	testenv.RunWide(t, 8, fanoutCases(), name, func(t *testing.T, i int, c fanoutCase) {
		org := fmt.Sprintf("org_audit%02d", i) // each case's own endpoints
		hooks := []string{fmt.Sprintf("wh_audit%02d", i)}
		if c.record == "continued" {
			hooks = nil
			for j := range 11 {
				hooks = append(hooks, fmt.Sprintf("wh_audit%02dn%02d", i, j))
			}
		}
		now := time.Now().UTC()
		for _, id := range hooks {
			hook := webhook.Webhook{ID: id, OrgID: org, Name: "audit", URL: "https://example.com/hook",
				EventTypes: []string{"emailClick"}, Enabled: true, CreatedAt: now, UpdatedAt: now}
			if err := store.Create(context.Background(), hook, 100); err != nil {
				t.Fatal(err)
			}
		}
		auditFanOut(t, c, Deps{Webhooks: store, Claims: claims}, sqsEndpoint, org, hooks)
	})
}

// auditFanOut runs one case: its own ingest queue, ingest DLQ and delivery
// queue, the handler over a faulty client, and the event source's poller.
// d has the case's stores; hooks are org's endpoints.
func auditFanOut(t *testing.T, c fanoutCase, d Deps, sqsEndpoint, org string, hooks []string) {
	plain := testenv.SQSClient(t, sqsEndpoint)
	q := sqsqueue.New(plain)
	ingest := testenv.Queue(t, plain, org+"-ingest", map[string]string{"VisibilityTimeout": "2"})
	dlq := testenv.Queue(t, plain, org+"-ingest-dlq", nil)
	delivery := testenv.Queue(t, plain, org+"-delivery", nil)
	fault := &testenv.OneFault{Step: c.step, Kind: c.fault, StepOf: fanoutStepOf(dlq, ingest)}
	logs := &testenv.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() { testenv.CheckLogLines(t, logs.String()) })
	d.Queue, d.DeliveryQueues, d.IngestQueueURL, d.IngestDLQURL = sqsqueue.New(testenv.FaultySQS(t, sqsEndpoint, fault.On("handler"))), lanes.Lanes{delivery}, ingest, dlq
	d.KnownEvent, d.Logger = func(name string) bool { return name == "emailClick" }, log
	h := NewHandler(d)
	body := auditRecord(t, c.record, org)
	if err := q.Send(context.Background(), ingest, queue.Message{Body: body}); err != nil {
		t.Fatal(err)
	}

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop()
	p := &poller.Poller{Name: "fanout", Queue: sqsqueue.New(testenv.FaultySQS(t, sqsEndpoint, fault.OnPoller("event source"))),
		QueueURL: ingest, Wait: time.Second, Logger: log,
		Handler: func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			ictx, cancel := context.WithCancel(ctx)
			defer cancel()
			fault.SetCancel("handler", cancel)
			if c.record == "continued" {
				return handleCut(ictx, d, ev)
			}
			return h.Handle(ictx, ev)
		}}
	wg.Go(func() { _ = p.Run(ctx) })

	depth := func(url string) int {
		n, err := testenv.QueueDepth(ctx, plain, url)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if c.record == "continued" {
		auditContinued(t, ctx, q, delivery, org, hooks, func() bool { return depth(ingest) == 0 })
		if !fault.Fired() || depth(dlq) != 0 {
			t.Fatalf("fault fired %v, %d in the ingest DLQ: want the fault at %s and no dead letter", fault.Fired(), depth(dlq), c.step)
		}
		return
	}
	end, other := delivery, dlq
	if c.reason != "" {
		end, other = dlq, delivery
	}
	testenv.WaitFor(t, 60*time.Second, "the record fanned out or dead-lettered, and consumed", func() bool {
		return depth(end) > 0 && depth(ingest) == 0
	})
	if !fault.Fired() {
		t.Fatalf("the %s fault never fired at %s: the step was not exercised", c.fault, c.step)
	}
	if n := depth(other); n != 0 {
		t.Fatalf("%d messages where none belong (%s)", n, other)
	}
	msgs, err := q.Receive(ctx, end, 10, time.Second, 0)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("receive %s: %d, %v", end, len(msgs), err)
	}
	if c.reason != "" {
		for _, m := range msgs {
			if m.Body != body || queue.AttributesOf(m)[message.AttrReason] != c.reason {
				t.Fatalf("dead letter changed or without its reason %s: %v %.80s", c.reason, queue.AttributesOf(m), m.Body)
			}
		}
		return
	}
	// Sent more than once (a crash after the send), still one delivery.
	ids := map[string]bool{}
	for _, m := range msgs {
		d, err := message.Decode(m.Body)
		if err != nil || d.WebhookID != hooks[0] || d.OrgID != org {
			t.Fatalf("delivery %+v, %v", d, err)
		}
		ids[d.DeliveryID] = true
	}
	if len(ids) != 1 {
		t.Fatalf("deliveries of one event to one endpoint under %d ids", len(ids))
	}
}

// handleCut runs ev in an invocation whose budget runs out after its first
// SendMessageBatch call, so a record with more deliveries than one call
// takes is continued.
func handleCut(ctx context.Context, d Deps, ev events.SQSEvent) (events.SQSEventResponse, error) {
	clock := &budgetClock{start: time.Now()}
	d.Queue = &expiringQueue{Queue: d.Queue, clock: clock, cutAfter: 1}
	h := NewHandler(d)
	h.now = clock.now
	ctx, cancel := context.WithDeadline(ctx, clock.start.Add(time.Minute))
	defer cancel()
	return h.Handle(ctx, ev)
}

// auditContinued takes the delivery messages until every one of hooks has
// its delivery and consumed() (the record and its continuations are off
// the ingest queue), then checks each endpoint got the event under one
// delivery id however many parts repeated.
func auditContinued(t *testing.T, ctx context.Context, q *sqsqueue.Client, delivery, org string, hooks []string, consumed func() bool) {
	t.Helper()
	got := map[string]map[string]bool{} // webhook → delivery ids
	testenv.WaitFor(t, 60*time.Second, "every endpoint's delivery, and the record consumed", func() bool {
		msgs, err := q.Receive(ctx, delivery, 10, 0, 0)
		if err != nil {
			t.Fatalf("receive %s: %v", delivery, err)
		}
		for _, m := range msgs {
			d, err := message.Decode(m.Body)
			if err != nil || d.OrgID != org || !slices.Contains(hooks, d.WebhookID) {
				t.Fatalf("delivery %+v, %v", d, err)
			}
			if got[d.WebhookID] == nil {
				got[d.WebhookID] = map[string]bool{}
			}
			got[d.WebhookID][d.DeliveryID] = true
			if err := q.Delete(ctx, delivery, m.ReceiptHandle); err != nil {
				t.Fatal(err)
			}
		}
		return len(got) == len(hooks) && consumed()
	})
	for hook, ids := range got {
		if len(ids) != 1 {
			t.Fatalf("the event reached %s under %d delivery ids", hook, len(ids))
		}
	}
}
