package delivery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/poller"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// One case of the claim audit (claim_audit_test.go): its setup, its run,
// and the reads of where it ended.

// auditRun is one case: a delivery queue, its DLQ and a table of its own,
// a handler over faulty clients, and the event source's poller.
type auditRun struct {
	t           *testing.T
	c           auditCase
	in          *testenv.OneFault
	e           *env
	rc          *auditReceiver
	plainSQS    *sqs.Client
	sqsEndpoint string
	queueURL    string
	dlqURL      string
	path        string
	hook        webhook.Webhook
	store       *dynamo.WebhookStore    // unfaulted: the test's own reads and writes
	parked      *dynamo.ParkedStore     // unfaulted
	log         *dynamo.AttemptLog      // unfaulted
	index       *dynamo.DeadLetterIndex // unfaulted
	recovery    Recovery                // over faulty clients of its own
}

func newAuditRun(t *testing.T, c auditCase, name, sqsEndpoint, ddbEndpoint, srvURL string, rc *auditReceiver) *auditRun {
	a := &auditRun{t: t, c: c, rc: rc,
		plainSQS: testenv.SQSClient(t, sqsEndpoint), sqsEndpoint: sqsEndpoint}
	a.queueURL = testenv.Queue(t, a.plainSQS, name, map[string]string{"VisibilityTimeout": "2"})
	a.dlqURL = testenv.Queue(t, a.plainSQS, name+"-dlq", nil)
	a.in = &testenv.OneFault{Step: c.step, Kind: c.fault, StepOf: auditStepOf(c.step, a.dlqURL)}
	plainDB := testenv.DynamoClient(t, ddbEndpoint)
	table := "hookrelay-" + name
	if err := dynamo.EnsureTable(context.Background(), plainDB, table); err != nil {
		t.Fatal(err)
	}
	a.store, a.parked = dynamo.NewWebhookStore(plainDB, table), dynamo.NewParkedStore(plainDB, table, time.Hour)
	a.log = dynamo.NewAttemptLog(plainDB, table, time.Hour)
	a.index = dynamo.NewDeadLetterIndex(plainDB, table)

	faultyDB := testenv.FaultyDynamo(t, ddbEndpoint, a.in.On("handler"))
	faultyQueue := sqsqueue.New(testenv.FaultySQS(t, sqsEndpoint, a.in.On("handler")))
	hooks := dynamo.NewWebhookStore(faultyDB, table)
	records := dynamo.NewDeliveryStore(faultyDB, table, time.Hour)
	parked := dynamo.NewParkedStore(faultyDB, table, time.Hour)
	cfg := testConfig()
	// Two retries: a POST a loaded machine slows past the timeout costs
	// the flaky endpoint's case one, not its delivery.
	cfg.RetrySchedule = []time.Duration{time.Second, time.Second}
	cfg.DeliveryTimeout = 2 * time.Second
	cfg.DLQURL, cfg.DeliveryQueues = a.dlqURL, lanes.Lanes{a.queueURL}
	a.e = newEnv(t, cfg, func(d *Deps) {
		d.Queue, d.Records, d.Attempts = faultyQueue, records, dynamo.NewAttemptLog(faultyDB, table, time.Hour)
		d.Webhooks, d.Health, d.Parked = hooks, hooks, parked
		d.DeadLetters = dynamo.NewDeadLetterIndex(faultyDB, table)
		d.Remover = WebhookRemover{Webhooks: hooks, Secrets: d.Remover.(WebhookRemover).Secrets}
	})
	recoverDB := testenv.FaultyDynamo(t, ddbEndpoint, a.in.On("recover"))
	a.recovery = Recovery{Parked: dynamo.NewParkedStore(recoverDB, table, time.Hour), Records: dynamo.NewDeliveryStore(recoverDB, table, time.Hour),
		Queue: sqsqueue.New(testenv.FaultySQS(t, sqsEndpoint, a.in.On("recover"))), Lanes: lanes.Lanes{a.queueURL}}

	a.path = fmt.Sprintf("/%s/%s", name, c.endpoint)
	now := time.Now().UTC()
	a.hook = webhook.Webhook{ID: "wh_audit", OrgID: "org_a", Name: name, URL: srvURL + a.path, EventTypes: []string{"emailClick"},
		Enabled: c.hook == hookEnabled, CreatedAt: now, UpdatedAt: now}
	switch c.hook {
	case hookFailing:
		a.hook.DisabledReason, a.hook.DisabledAt = webhook.DisabledFailing, now
	case hookUnsubscribed:
		a.hook.EventTypes, a.hook.Enabled = []string{"emailOpen"}, true
	}
	if err := a.store.Create(context.Background(), a.hook, 100); err != nil {
		t.Fatal(err)
	}
	if c.deferred {
		// The endpoint timed out tripAfter times in a row in this process,
		// and stays deferred until the fault fired (openGate).
		a.e.h.gate.cool = time.Second
		a.e.h.gate.eps[a.hook.ID] = &endpoint{timeouts: tripAfter, suspect: true, slowUntil: now.Add(time.Hour)}
	}
	return a
}

func (a *auditRun) run() {
	t, c := a.t, a.c
	m := sqsMessage(t, "org_a", a.hook.ID, "evt_"+strings.ReplaceAll(a.hook.Name, "-", ""))
	if err := sqsqueue.New(a.plainSQS).Send(context.Background(), a.queueURL, queue.Message{Body: m.Body}); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop()
	p := &poller.Poller{Name: "deliver", Queue: sqsqueue.New(testenv.FaultySQS(t, a.sqsEndpoint, a.in.OnPoller("event source"))),
		QueueURL: a.queueURL, Wait: time.Second, Logger: a.e.h.log,
		Handler: func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			ictx, cancel := context.WithCancel(ctx)
			defer cancel()
			a.in.SetCancel("handler", cancel)
			return a.e.h.Handle(ictx, ev)
		}}
	wg.Go(func() { _ = p.Run(ctx) })

	switch {
	case c.deferred:
		testenv.WaitFor(t, 60*time.Second, "the deferral's fault", a.in.Fired)
		// Nothing was POSTed yet: the visibility change was the gate's.
		if n := a.rc.posts(a.path); n != 0 {
			t.Fatalf("POSTed %d times through a closed gate", n)
		}
		a.openGate()
	case c.want == endRecovered:
		a.parkThenRecover(ctx)
	}
	testenv.WaitFor(t, 60*time.Second, c.want, func() bool { return a.reached(ctx) })
	testenv.WaitFor(t, 30*time.Second, "an empty delivery queue", func() bool { return a.queueEmpty(ctx) })
	if !a.in.Fired() {
		t.Fatalf("the %s fault never fired at %s: the step was not exercised", c.fault, c.step)
	}
	switch {
	case c.want == endDeadLettered:
		msgs, err := sqsqueue.New(a.plainSQS).Receive(ctx, a.dlqURL, 10, time.Second, 0)
		if err != nil || len(msgs) == 0 || queue.AttributesOf(msgs[0])[message.AttrReason] != message.ReasonPermanentStatus {
			t.Fatalf("dead letter without its reason: %v %+v", err, msgs)
		}
		// Each DLQ copy names an open item of the webhook's index, which
		// the tenant's recover reads: none is in the DLQ unseen by it.
		open, _, err := a.index.Open(ctx, a.hook.OrgID, a.hook.ID, time.Time{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			id := queue.AttributesOf(m)[message.AttrDeadLetterID]
			if !slices.ContainsFunc(open, func(d deliverylog.DeadLetter) bool { return d.ID() == id && d.Message == m.Body }) {
				t.Fatalf("the DLQ copy names index item %q, which the index does not hold open (%d open)", id, len(open))
			}
		}
	case c.want == endRecovered:
		if left := a.parkedItems(ctx); len(left) != 0 {
			t.Fatalf("%d parked after the recover", len(left))
		}
	}
}

// newest is the delivery's newest attempt log entry (zero when none).
func (a *auditRun) newest(ctx context.Context) deliverylog.Attempt {
	entries, _, err := a.log.List(ctx, a.hook.OrgID, a.hook.ID, 10, "")
	if err != nil || len(entries) == 0 {
		return deliverylog.Attempt{}
	}
	return entries[0]
}

// reached reports whether the case is in the final state it wants.
func (a *auditRun) reached(ctx context.Context) bool {
	e := a.newest(ctx)
	switch a.c.want {
	case endDelivered, endRecovered:
		return a.rc.answered(a.path, http.StatusOK) && e.Outcome == deliverylog.OutcomeDelivered
	case endDeadLettered:
		n, err := testenv.QueueDepth(ctx, a.plainSQS, a.dlqURL)
		return err == nil && n > 0 && e.Outcome == deliverylog.OutcomeDeadLettered
	case endRemoved:
		_, err := a.store.Get(ctx, a.hook.OrgID, a.hook.ID)
		return errors.Is(err, webhook.ErrNotFound) && a.rc.answered(a.path, http.StatusGone) &&
			(e.Outcome == deliverylog.OutcomeRemoved || e.Outcome == deliverylog.OutcomeSkipped && e.ErrorClass == ClassWebhookDeleted)
	case endUnsubscribed:
		return e.Outcome == deliverylog.OutcomeSkipped && e.ErrorClass == ClassUnsubscribed && a.rc.posts(a.path) == 0
	default:
		return e.Outcome == deliverylog.OutcomeSkipped && e.ErrorClass == ClassWebhookDisabled
	}
}

// queueEmpty: nothing left in the delivery queue, in flight or not.
func (a *auditRun) queueEmpty(ctx context.Context) bool {
	n, err := testenv.QueueDepth(ctx, a.plainSQS, a.queueURL)
	return err == nil && n == 0
}

func (a *auditRun) parkedItems(ctx context.Context) []deliverylog.Parked {
	ps, _, err := a.parked.Since(ctx, a.hook.OrgID, a.hook.ID, time.Time{}, 10)
	if err != nil {
		a.t.Fatal(err)
	}
	return ps
}

// openGate: the endpoint answered within the timeout again.
func (a *auditRun) openGate() {
	g := a.e.h.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	if e := g.eps[a.hook.ID]; e != nil {
		e.suspect, e.timeouts, e.slowUntil = false, 0, time.Time{}
	}
}

// parkThenRecover waits until the delivery is parked and nothing of it is
// left in the queue (with a park's fault spent), checks it was not POSTed,
// then enables the endpoint and recovers it as the API does, calling
// again while a call fails (the tenant's retry, once the failed call's
// claim ran out).
func (a *auditRun) parkThenRecover(ctx context.Context) {
	t := a.t
	atRecover := a.c.step == stepRecoverSend || a.c.step == stepRecoverUnpark
	testenv.WaitFor(t, 60*time.Second, "the delivery parked and out of the queue", func() bool {
		return (atRecover || a.in.Fired()) && len(a.parkedItems(ctx)) > 0 && a.queueEmpty(ctx)
	})
	if n := a.rc.posts(a.path); n != 0 {
		t.Fatalf("POSTed %d times while disabled for failing", n)
	}
	read := a.hook
	a.hook.Enabled, a.hook.DisabledReason = true, ""
	if err := a.store.Update(ctx, read, a.hook); err != nil {
		t.Fatal(err)
	}
	for try := 1; ; try++ {
		err := a.recoverOnce(ctx)
		if err == nil && len(a.parkedItems(ctx)) == 0 {
			return
		}
		if try == 5 {
			t.Fatalf("recover still failing after %d calls: %v", try, err)
		}
		// The tenant's retry: the failed call's claim on the parked
		// delivery has run out by then.
		rp := a.recovery.Parked.(*dynamo.ParkedStore)
		later := rp.Now().Add(parkedClaim)
		rp.Now = func() time.Time { return later }
	}
}

// recoverOnce is one recover call; a panic is its process killed.
func (a *auditRun) recoverOnce(ctx context.Context) (err error) {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a.in.SetCancel("recover", cancel)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recover killed: %v", r)
		}
	}()
	_, err = a.recovery.Requeue(rctx, a.hook, time.Time{})
	return err
}
