package delivery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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

// The claim audit: every place a delivery message leaves the delivery
// queue, each failed in every way a process can fail there, and the event
// still ends delivered, dead-lettered or recorded as skipped with a reason.
//
// Exits: the event source's delete after a handled message, the visibility
// change of a retry, the DLQ send and the delete after it, and a skip's
// one record (its attempt log entry). The final state is read where the
// handler leaves it: the delivery's newest attempt log entry. Faults, injected once into
// the real SDK call to the real emulator: the process killed before the
// call or right after it (a panic the handler confines to the message, as
// a crash leaves it to come back), the emulator unreachable, and the
// invocation's context cancelled (deadline, shutdown) just before it.

const (
	killedBefore = "killed before"
	killedAfter  = "killed after"
	unreachable  = "emulator unreachable"
	cancelled    = "context cancelled"
)

// Steps, and what each SDK call of a step looks like.
const (
	stepESMDelete  = "event source delete"
	stepVisibility = "visibility change"
	stepDLQSend    = "DLQ send"
	stepDLQDelete  = "delete after DLQ send"
	stepSkipLog    = "skip: attempt log entry"
)

// Final states the claim allows.
const (
	endDelivered    = "delivered"
	endDeadLettered = "dead-lettered"
	endSkipped      = "skipped with a reason"
)

type auditCase struct {
	step, fault string
	endpoint    string // "ok", "flaky" (500 once, then 200) or "bad" (400)
	disabled    bool   // the webhook was disabled after fan-out
	want        string
}

func auditCases() []auditCase {
	all := []string{killedBefore, killedAfter, unreachable, cancelled}
	var cs []auditCase
	add := func(step, endpoint string, disabled bool, want string, faults ...string) {
		for _, f := range faults {
			cs = append(cs, auditCase{step: step, fault: f, endpoint: endpoint, disabled: disabled, want: want})
		}
	}
	// The event source's delete is not the handler's code: a crash there
	// means it never happens (killed) or fails (unreachable).
	add(stepESMDelete, "ok", false, endDelivered, killedBefore, unreachable)
	add(stepESMDelete, "ok", true, endSkipped, killedBefore, unreachable)
	add(stepVisibility, "flaky", false, endDelivered, all...)
	add(stepDLQSend, "bad", false, endDeadLettered, all...)
	add(stepDLQDelete, "bad", false, endDeadLettered, all...)
	add(stepSkipLog, "ok", true, endSkipped, all...)
	return cs
}

// injector fails the first call of its step, its way.
type injector struct {
	step, fault string
	dlqURL      string
	fired       atomic.Bool
	mu          sync.Mutex
	cancel      context.CancelFunc // the current invocation's
}

var errKilled = errors.New("process killed")

// on is the testenv.Fault for one client ("handler", "event source",
// "dynamodb").
func (in *injector) on(client string) testenv.Fault {
	return func(ctx context.Context, input any, call func() error) error {
		if in.stepOf(client, input) != in.step || !in.fired.CompareAndSwap(false, true) {
			return call()
		}
		switch {
		case client == "event source" && in.fault == killedBefore:
			return errKilled // the poller's process died before deleting
		case in.fault == killedBefore:
			panic(errKilled)
		case in.fault == killedAfter:
			_ = call()
			panic(errKilled)
		case in.fault == unreachable:
			return &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
		default: // cancelled: the invocation ends now; the call gets whatever context it was given
			in.mu.Lock()
			in.cancel()
			in.mu.Unlock()
			return call()
		}
	}
}

func (in *injector) stepOf(client string, input any) string {
	switch v := input.(type) {
	case *sqs.DeleteMessageBatchInput:
		if client == "event source" {
			return stepESMDelete
		}
	case *sqs.DeleteMessageInput:
		if client == "event source" {
			return stepESMDelete
		}
		return stepDLQDelete
	case *sqs.ChangeMessageVisibilityInput:
		return stepVisibility
	case *sqs.SendMessageInput:
		if aws.ToString(v.QueueUrl) == in.dlqURL {
			return stepDLQSend
		}
	case *dynamodb.PutItemInput:
		if o, ok := v.Item["outcome"].(*ddbtypes.AttributeValueMemberS); ok && o.Value == deliverylog.OutcomeSkipped {
			return stepSkipLog
		}
	}
	return ""
}

// auditReceiver answers per path: /<case>/ok, /<case>/flaky, /<case>/bad.
type auditReceiver struct {
	mu   sync.Mutex
	hits map[string][]int // path → statuses answered
}

func (rc *auditReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	code := http.StatusOK
	switch {
	case strings.HasSuffix(r.URL.Path, "/bad"):
		code = http.StatusBadRequest
	case strings.HasSuffix(r.URL.Path, "/flaky") && len(rc.hits[r.URL.Path]) == 0:
		code = http.StatusInternalServerError
	}
	rc.hits[r.URL.Path] = append(rc.hits[r.URL.Path], code)
	w.WriteHeader(code)
}

func (rc *auditReceiver) delivered(path string) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, code := range rc.hits[path] {
		if code == http.StatusOK {
			return true
		}
	}
	return false
}

func TestEveryExitFromTheDeliveryQueueKeepsTheClaim(t *testing.T) {
	sqsEndpoint, ddbEndpoint := testenv.Goaws(t), testenv.Dynalite(t)
	plainSQS := testenv.SQSClient(t, sqsEndpoint)
	rc := &auditReceiver{hits: map[string][]int{}}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)

	for i, c := range auditCases() {
		t.Run(fmt.Sprintf("%s/%s", c.step, c.fault), func(t *testing.T) {
			t.Parallel()
			name := fmt.Sprintf("audit-%02d", i)
			in := &injector{step: c.step, fault: c.fault}
			queueURL := testenv.Queue(t, plainSQS, name, map[string]string{"VisibilityTimeout": "2"})
			in.dlqURL = testenv.Queue(t, plainSQS, name+"-dlq", nil)
			plainDB := testenv.DynamoClient(t, ddbEndpoint)
			table := "hookrelay-" + name
			if err := dynamo.EnsureTable(context.Background(), plainDB, table); err != nil {
				t.Fatal(err)
			}
			faultyDB := testenv.FaultyDynamo(t, ddbEndpoint, in.on("dynamodb"))

			cfg := testConfig()
			cfg.RetrySchedule = []time.Duration{time.Second}
			cfg.DeliveryTimeout = 2 * time.Second
			cfg.DLQURL, cfg.DeliveryQueues = in.dlqURL, lanes.Lanes{queueURL}
			e := newEnv(t, cfg, func(d *Deps) {
				d.Queue = sqsqueue.New(testenv.FaultySQS(t, sqsEndpoint, in.on("handler")))
				d.Records = dynamo.NewDeliveryStore(faultyDB, table, time.Hour)
				d.Attempts = dynamo.NewAttemptLog(faultyDB, table, time.Hour)
			})
			path := fmt.Sprintf("/%s/%s", name, c.endpoint)
			e.webhooks.put(webhook.Webhook{ID: "wh_audit", OrgID: "org_a", URL: srv.URL + path, Enabled: !c.disabled})
			m := sqsMessage(t, "org_a", "wh_audit", "evt_"+strings.ReplaceAll(name, "-", ""))
			if err := sqsqueue.New(plainSQS).Send(context.Background(), queueURL, queue.Message{Body: m.Body}); err != nil {
				t.Fatal(err)
			}

			ctx, stop := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			defer wg.Wait()
			defer stop()
			p := &poller.Poller{Name: "deliver", Queue: sqsqueue.New(testenv.FaultySQS(t, sqsEndpoint, in.on("event source"))),
				QueueURL: queueURL, Wait: time.Second, Logger: e.h.log,
				Handler: func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
					ictx, cancel := context.WithCancel(ctx)
					defer cancel()
					in.mu.Lock()
					in.cancel = cancel
					in.mu.Unlock()
					return e.h.Handle(ictx, ev)
				}}
			wg.Go(func() { _ = p.Run(ctx) })

			log := dynamo.NewAttemptLog(plainDB, table, time.Hour)
			newest := func() deliverylog.Attempt {
				entries, _, err := log.List(ctx, "org_a", "wh_audit", 10, "")
				if err != nil || len(entries) == 0 {
					return deliverylog.Attempt{}
				}
				return entries[0]
			}
			reached := func() bool {
				switch c.want {
				case endDelivered:
					return rc.delivered(path) && newest().Outcome == deliverylog.OutcomeDelivered
				case endDeadLettered:
					n, err := testenv.QueueDepth(ctx, plainSQS, in.dlqURL)
					return err == nil && n > 0 && newest().Outcome == deliverylog.OutcomeDeadLettered
				default:
					e := newest()
					return e.Outcome == deliverylog.OutcomeSkipped && e.ErrorClass == ClassWebhookDisabled
				}
			}
			testenv.WaitFor(t, 60*time.Second, c.want, reached)
			testenv.WaitFor(t, 30*time.Second, "an empty delivery queue", func() bool {
				n, err := testenv.QueueDepth(ctx, plainSQS, queueURL)
				return err == nil && n == 0
			})
			if !in.fired.Load() {
				t.Fatalf("the %s fault never fired at %s: the step was not exercised", c.fault, c.step)
			}
			if c.want == endDeadLettered {
				msgs, err := sqsqueue.New(plainSQS).Receive(ctx, in.dlqURL, 10, time.Second, 0)
				if err != nil || len(msgs) == 0 || queue.AttributesOf(msgs[0])[message.AttrReason] != message.ReasonPermanentStatus {
					t.Fatalf("dead letter without its reason: %v %+v", err, msgs)
				}
			}
		})
	}
}
