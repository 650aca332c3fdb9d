package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// refusingBus refuses every Put and keeps the event ids it was asked to
// put: the API's PutEvents failing after the producer id was claimed.
type refusingBus struct{ asked []string }

func (r *refusingBus) Put(_ context.Context, evs []bus.Event) error {
	for _, ev := range evs {
		r.asked = append(r.asked, ev.EventID)
	}
	return errors.New("bus down")
}

// pendingAPIClaim runs an API publish of producerID that fails after its
// claim, and returns the event id the claim was left pending under.
func (e *env) pendingAPIClaim(t *testing.T, org, producerID string) string {
	t.Helper()
	b := &refusingBus{}
	if id, err := NewPublisher(b, e.idem).Publish(e.ctx, org, "emailClick", json.RawMessage(`{"via":"api"}`), producerID); err == nil {
		t.Fatalf("Publish on a failing bus returned %q without error", id)
	}
	if len(b.asked) != 1 || !ids.Valid(ids.EventPrefix, b.asked[0]) {
		t.Fatalf("the failed publish put %v, want one event id", b.asked)
	}
	return b.asked[0]
}

// directPut is the ingest record of a producer's own PutEvents with
// detail.id producerID (bridgeID is EventBridge's id for the entry).
func directPut(t *testing.T, bridgeID, org, producerID string) events.SQSMessage {
	t.Helper()
	detail, err := json.Marshal(map[string]any{"organization_id": org, "id": producerID, "data": map[string]any{"via": "bus"}})
	if err != nil {
		t.Fatal(err)
	}
	return record(t, "msg-"+bridgeID, bus.Record{ID: bridgeID, DetailType: "emailClick", Time: time.Now().UTC(), Detail: detail})
}

// fallback is an org_a endpoint of emailClick, the API's publish of a
// producer id that failed after its claim (owner, the pending claim's
// event id), and the direct put the producer fell back to.
type fallback struct {
	*env
	hook, owner string
	direct      events.SQSMessage
}

func newFallback(t *testing.T, producerID, bridgeID string) fallback {
	t.Helper()
	e := newEnv(t, testCatalog)
	return fallback{
		env:    e,
		hook:   e.webhook(t, "org_a", true, "emailClick"),
		owner:  e.pendingAPIClaim(t, "org_a", producerID),
		direct: directPut(t, bridgeID, "org_a", producerID),
	}
}

// deliveredAs checks that the deliveries went to exactly hooks, each under
// eventID (delivery id, event id and envelope id), and returns their ids.
func deliveredAs(t *testing.T, msgs []events.SQSMessage, eventID string, hooks ...string) []string {
	t.Helper()
	got := deliveries(t, msgs)
	if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, slices.Sorted(slices.Values(hooks))) {
		t.Fatalf("deliveries to %v, want %v", keys, hooks)
	}
	var out []string
	for hook, d := range got {
		var env message.Envelope
		if err := json.Unmarshal([]byte(d.Envelope), &env); err != nil {
			t.Fatal(err)
		}
		if d.EventID != eventID || env.ID != eventID || d.DeliveryID != ids.Delivery(eventID, hook) {
			t.Fatalf("delivery to %s: event %s, envelope id %s, delivery %s; want all under %s", hook, d.EventID, env.ID, d.DeliveryID, eventID)
		}
		out = append(out, d.DeliveryID)
	}
	slices.Sort(out)
	return out
}

// confirmed checks that the claim of producerID is confirmed under
// eventID: the API's retry answers with it and publishes nothing.
func (e *env) confirmed(t *testing.T, org, producerID, eventID string) {
	t.Helper()
	id, err := e.pub.Publish(e.ctx, org, "emailClick", json.RawMessage(`{"via":"api"}`), producerID)
	if err != nil || id != eventID {
		t.Fatalf("API retry: %q (%v), want %s", id, err, eventID)
	}
	e.drain(t, e.ingest, 0)
}

// The producer's API publish failed after its claim, and it put the same
// event on the bus itself: that event is delivered, once, under the id the
// API reserved, and the claim is confirmed.
func TestDirectPutOfAnUnconfirmedAPIPublishIsDeliveredUnderItsEventID(t *testing.T) {
	t.Parallel() // its own emulators
	e := newFallback(t, "order-7", "77777777-b491-4cf7-a9f1-bf3703467718")
	all := e.webhook(t, "org_a", true, "*")
	e.webhook(t, "org_a", true, "emailOpen")
	owner, direct := e.owner, e.direct

	e.handle(t, direct)
	deliveredAs(t, e.drain(t, e.delivery, 2), owner, e.hook, all)
	e.drain(t, e.dlq, 0)
	if !strings.Contains(e.logs.String(), `"original_event_id":"`+owner+`"`) {
		t.Fatalf("no log line names the API's event %s:\n%s", owner, e.logs)
	}
	e.confirmed(t, "org_a", "order-7", owner)

	// The claim is confirmed now: another receive of the record (SQS
	// delivers at least once) is the duplicate of a delivered event.
	e.handle(t, direct)
	e.drain(t, e.delivery, 0)
}

func TestDirectPutOfAConfirmedAPIPublishIsADuplicate(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, testCatalog)
	e.webhook(t, "org_a", true, "emailClick")
	owner, err := e.pub.Publish(e.ctx, "org_a", "emailClick", json.RawMessage(`{"via":"api"}`), "order-8")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.publishedIDs(t, 1); got[0] != owner {
		t.Fatalf("bus carried %v, want %s", got, owner)
	}
	e.handle(t, directPut(t, "88888888-b491-4cf7-a9f1-bf3703467718", "org_a", "order-8"))
	e.drain(t, e.delivery, 0)
	e.drain(t, e.dlq, 0)
	if !strings.Contains(e.logs.String(), "duplicate producer id: not fanned out") {
		t.Fatalf("the duplicate was not logged:\n%s", e.logs)
	}
}

// unconfirmedClaims fails every confirmation: the fan-out Lambda dies
// between queueing the deliveries and confirming the claim.
type unconfirmedClaims struct{ Claimer }

func (unconfirmedClaims) Published(context.Context, string, string, string) error {
	return errors.New("dynamodb unreachable")
}

// A fan-out that queued the deliveries but never confirmed the claim
// leaves it pending: the next receive of the record fans out again under
// the same ids (endpoints deduplicate), and confirms.
func TestDirectPutFannedOutButNotConfirmedFansOutAgainUnderTheSameIDs(t *testing.T) {
	t.Parallel() // its own emulators
	e := newFallback(t, "order-9", "99999999-b491-4cf7-a9f1-bf3703467718")
	hook, owner, direct := e.hook, e.owner, e.direct

	d := e.deps(testCatalog)
	d.Claims = unconfirmedClaims{e.idem}
	if resp, err := NewHandler(d).Handle(e.ctx, events.SQSEvent{Records: []events.SQSMessage{direct}}); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle: err=%v failures=%v (the deliveries are queued: nothing to retry)", err, resp.BatchItemFailures)
	}
	first := deliveredAs(t, e.drain(t, e.delivery, 1), owner, hook)
	if !strings.Contains(e.logs.String(), "the producer id claim was not confirmed") {
		t.Fatalf("the unconfirmed claim was not logged:\n%s", e.logs)
	}

	e.handle(t, direct)
	if again := deliveredAs(t, e.drain(t, e.delivery, 1), owner, hook); !slices.Equal(again, first) {
		t.Fatalf("the second fan-out delivered %v, want the same ids %v", again, first)
	}
	e.confirmed(t, "org_a", "order-9", owner)
}

// sendFailsOnce fails its first SendMessageBatch call.
type sendFailsOnce struct {
	Queue
	failed atomic.Bool
}

func (q *sendFailsOnce) SendBatch(ctx context.Context, url string, msgs []queue.Message) (int, error) {
	if q.failed.CompareAndSwap(false, true) {
		return 1, errors.New("sqs unavailable")
	}
	return q.Queue.SendBatch(ctx, url, msgs)
}

// The claim is confirmed only once the deliveries are queued: had it been
// confirmed before a send that failed, the record's retry would find a
// confirmed claim and drop the event.
func TestDirectPutWhoseDeliveriesFailedLeavesTheClaimPending(t *testing.T) {
	t.Parallel() // its own emulators
	e := newFallback(t, "order-10", "10101010-b491-4cf7-a9f1-bf3703467718")
	hook, owner, direct := e.hook, e.owner, e.direct

	d := e.deps(testCatalog)
	d.Queue = &sendFailsOnce{Queue: e.q}
	resp, err := NewHandler(d).Handle(e.ctx, events.SQSEvent{Records: []events.SQSMessage{direct}})
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != direct.MessageId {
		t.Fatalf("Handle: err=%v failures=%v, want the record retried", err, resp.BatchItemFailures)
	}
	e.drain(t, e.delivery, 0)

	e.handle(t, direct) // SQS's retry of the record
	deliveredAs(t, e.drain(t, e.delivery, 1), owner, hook)
	e.confirmed(t, "org_a", "order-10", owner)
}

// The API's retry republished the pending claim (and its confirmation was
// lost) while the producer also put the event on the bus: both fan out
// under the API's event id, so endpoints get the same delivery ids twice
// at most, never a second event.
func TestAPIRetryAndDirectPutOfOnePendingClaimShareDeliveryIDs(t *testing.T) {
	t.Parallel() // its own emulators
	e := newFallback(t, "order-11", "11111111-0000-4cf7-a9f1-bf3703467718")
	hook, owner := e.hook, e.owner
	id, err := NewPublisher(e.bus, idemDown{e.idem}).Publish(e.ctx, "org_a", "emailClick", json.RawMessage(`{"via":"api"}`), "order-11")
	if err != nil || id != owner {
		t.Fatalf("API retry: %q (%v), want %s republished", id, err, owner)
	}
	apiRecord := e.drain(t, e.ingest, 1)[0]

	e.handle(t, e.direct)
	viaBus := deliveredAs(t, e.drain(t, e.delivery, 1), owner, hook)
	e.handle(t, events.SQSMessage{MessageId: apiRecord.MessageId, Body: apiRecord.Body})
	if viaAPI := deliveredAs(t, e.drain(t, e.delivery, 1), owner, hook); !slices.Equal(viaAPI, viaBus) {
		t.Fatalf("the API's publish delivered %v, the direct put %v: want the same ids", viaAPI, viaBus)
	}
	e.confirmed(t, "org_a", "order-11", owner)
}
