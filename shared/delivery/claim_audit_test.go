package delivery

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// The claim audit: every place a delivery message leaves the delivery
// queue, each failed in every way a process can fail there, and the event
// still ends delivered, dead-lettered, recorded as skipped with a reason,
// removed by a 410, or parked and then delivered by a recover.
//
// Exits: the event source's delete after a handled message (delivered,
// skipped, parked, removed), the visibility change of a retry and the
// delivery record saved before it, the gate's deferral (the visibility
// change of a delivery to an endpoint that keeps timing out), the DLQ send
// with the index item written before it and the delete after it, a skip's
// one record (its attempt log entry), the parked item of an endpoint
// disabled for failing and the read of the webhook that confirms the park,
// the webhook's removal on
// a 410, and a recover's send and unpark of what was parked (shared/dlq's
// claim audit covers the dead letters it redrives). The final state is
// read where the handler leaves it: the delivery's newest attempt log entry,
// the DLQ and the index items its letters name, the parked items, the
// webhook. Faults, injected once into the
// real SDK call to the real emulator: the process killed before the call
// or right after it (a panic the handler confines to the message, as a
// crash leaves it to come back; a recover's caller sees it fail and calls
// again), the emulator unreachable, and the invocation's context cancelled
// (deadline, shutdown) just before it.

// Steps, and what each SDK call of a step looks like.
const (
	stepESMDelete     = "event source delete"
	stepVisibility    = "visibility change"
	stepRecordSave    = "record save before a retry"
	stepDeferral      = "deferral visibility change"
	stepDLQIndex      = "dead-letter index item"
	stepDLQSend       = "DLQ send"
	stepDLQDelete     = "delete after DLQ send"
	stepSkipLog       = "skip: attempt log entry"
	stepPark          = "park: parked item"
	stepParkCheck     = "park: webhook read again"
	stepRemove        = "410: webhook remove"
	stepRecoverSend   = "recover: send"
	stepRecoverUnpark = "recover: unpark"
)

// Final states the claim allows.
const (
	endDelivered    = "delivered"
	endDeadLettered = "dead-lettered"
	endSkipped      = "skipped with a reason"
	// Skipped as unsubscribed: the webhook dropped the event's type.
	endUnsubscribed = "skipped as unsubscribed"
	// Removed: the webhook is gone, and the delivery's entry says removed
	// (or, when the process died after the removal, skipped as
	// webhook_deleted when the message came back).
	endRemoved = "removed by 410"
	// Parked, not POSTed, while the endpoint is disabled for failing; then
	// enabled and recovered, and delivered.
	endRecovered = "parked, then delivered by a recover"
)

// Webhook states after fan-out.
const (
	hookEnabled  = ""
	hookDisabled = "disabled by its tenant"
	hookFailing  = "disabled for failing"
	// Enabled, but its event types no longer hold the event's (a PATCH).
	hookUnsubscribed = "unsubscribed from the event"
)

type auditCase struct {
	step, fault string
	endpoint    string // "ok", "flaky" (500 once, then 200), "bad" (400) or "gone" (410)
	hook        string // the webhook's state after fan-out
	deferred    bool   // the endpoint keeps timing out in this process: the gate defers
	want        string
}

func auditCases() []auditCase {
	all := testenv.AllFaults
	var cs []auditCase
	add := func(c auditCase, faults ...string) {
		for _, f := range faults {
			c.fault = f
			cs = append(cs, c)
		}
	}
	// The event source's delete is not the handler's code: a crash there
	// means it never happens (killed) or fails (unreachable).
	esm := []string{testenv.KilledBefore, testenv.Unreachable}
	add(auditCase{step: stepESMDelete, endpoint: "ok", want: endDelivered}, esm...)
	add(auditCase{step: stepESMDelete, endpoint: "ok", hook: hookDisabled, want: endSkipped}, esm...)
	add(auditCase{step: stepESMDelete, endpoint: "ok", hook: hookFailing, want: endRecovered}, esm...)
	add(auditCase{step: stepESMDelete, endpoint: "ok", hook: hookUnsubscribed, want: endUnsubscribed}, esm...)
	add(auditCase{step: stepESMDelete, endpoint: "gone", want: endRemoved}, esm...)
	add(auditCase{step: stepVisibility, endpoint: "flaky", want: endDelivered}, all...)
	add(auditCase{step: stepRecordSave, endpoint: "flaky", want: endDelivered}, all...)
	add(auditCase{step: stepDeferral, endpoint: "ok", deferred: true, want: endDelivered}, all...)
	add(auditCase{step: stepDLQIndex, endpoint: "bad", want: endDeadLettered}, all...)
	add(auditCase{step: stepDLQSend, endpoint: "bad", want: endDeadLettered}, all...)
	add(auditCase{step: stepDLQDelete, endpoint: "bad", want: endDeadLettered}, all...)
	add(auditCase{step: stepSkipLog, endpoint: "ok", hook: hookDisabled, want: endSkipped}, all...)
	add(auditCase{step: stepSkipLog, endpoint: "ok", hook: hookUnsubscribed, want: endUnsubscribed}, all...)
	add(auditCase{step: stepPark, endpoint: "ok", hook: hookFailing, want: endRecovered}, all...)
	add(auditCase{step: stepParkCheck, endpoint: "ok", hook: hookFailing, want: endRecovered}, all...)
	add(auditCase{step: stepRemove, endpoint: "gone", want: endRemoved}, all...)
	add(auditCase{step: stepRecoverSend, endpoint: "ok", hook: hookFailing, want: endRecovered}, all...)
	add(auditCase{step: stepRecoverUnpark, endpoint: "ok", hook: hookFailing, want: endRecovered}, all...)
	return cs
}

// auditStepOf names the step of each call of the handler's clients
// ("handler"), the poller's ("event source") and a recover's ("recover").
// The handler's first read of the webhook after a park is the park's
// check (Handler.stillParks), which only the order of calls tells from
// the reads before it.
func auditStepOf(step, dlqURL string) func(client string, input any) string {
	var parked atomic.Bool
	return func(client string, input any) string {
		s := stepOf(step, dlqURL, client, input)
		if get, ok := input.(*dynamodb.GetItemInput); ok && client == "handler" && parked.Load() &&
			strings.HasPrefix(attrS(get.Key, dynamo.AttrSK), "WH#") {
			return stepParkCheck
		}
		if s == stepPark && client == "handler" {
			parked.Store(true)
		}
		return s
	}
}

func stepOf(step, dlqURL, client string, input any) string {
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
		// A deferred delivery's endpoint never fails: its only visibility
		// changes are the gate's.
		if step == stepDeferral {
			return stepDeferral
		}
		return stepVisibility
	case *sqs.SendMessageInput:
		if client == "recover" {
			return stepRecoverSend
		}
		if aws.ToString(v.QueueUrl) == dlqURL {
			return stepDLQSend
		}
	case *dynamodb.PutItemInput:
		switch {
		case attrS(v.Item, "outcome") == deliverylog.OutcomeSkipped:
			return stepSkipLog
		case strings.HasPrefix(attrS(v.Item, dynamo.AttrPK), "PARK#"):
			return stepPark
		case strings.HasPrefix(attrS(v.Item, dynamo.AttrPK), "DLQ#"):
			return stepDLQIndex
		}
	case *dynamodb.UpdateItemInput:
		// The save sets the whole record, the stored message with it; the
		// resend's marks (Propose, Supersede) set no message.
		if strings.HasPrefix(attrS(v.Key, dynamo.AttrPK), dynamo.DeliveryKeyPrefix) && slices.Contains(slices.Collect(maps.Values(v.ExpressionAttributeNames)), "message") {
			return stepRecordSave
		}
	case *dynamodb.DeleteItemInput:
		switch {
		case strings.HasPrefix(attrS(v.Key, dynamo.AttrPK), "PARK#"):
			return stepRecoverUnpark
		case strings.HasPrefix(attrS(v.Key, dynamo.AttrSK), "WH#"):
			return stepRemove
		}
	}
	return ""
}

func attrS(item map[string]ddbtypes.AttributeValue, name string) string {
	if s, ok := item[name].(*ddbtypes.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// auditReceiver answers per path: /<case>/ok, /<case>/flaky, /<case>/bad,
// /<case>/gone.
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
	case strings.HasSuffix(r.URL.Path, "/gone"):
		code = http.StatusGone
	case strings.HasSuffix(r.URL.Path, "/flaky") && len(rc.hits[r.URL.Path]) == 0:
		code = http.StatusInternalServerError
	}
	rc.hits[r.URL.Path] = append(rc.hits[r.URL.Path], code)
	w.WriteHeader(code)
}

// answered reports whether path was answered code at least once.
func (rc *auditReceiver) answered(path string, code int) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, c := range rc.hits[path] {
		if c == code {
			return true
		}
	}
	return false
}

func (rc *auditReceiver) posts(path string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.hits[path])
}

func TestEveryExitFromTheDeliveryQueueKeepsTheClaim(t *testing.T) {
	sqsEndpoint, ddbEndpoint := testenv.Goaws(t), testenv.Dynalite(t)
	rc := &auditReceiver{hits: map[string][]int{}}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)

	name := func(c auditCase) string { return fmt.Sprintf("%s/%s/%s", c.step, c.want, c.fault) }
	// Eight at a time: each case mostly waits on its queue's 2 s visibility timeout.
	testenv.RunWide(t, 8, auditCases(), name, func(t *testing.T, i int, c auditCase) {
		newAuditRun(t, c, fmt.Sprintf("audit-%02d", i), sqsEndpoint, ddbEndpoint, srv.URL, rc).run()
	})
}
