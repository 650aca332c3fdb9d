package fanout

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// putDetail is an ingest record of a producer's own PutEvents with detail
// as written.
func putDetail(t *testing.T, bridgeID, detail string) events.SQSMessage {
	t.Helper()
	return record(t, "msg-"+bridgeID, bus.Record{ID: bridgeID, DetailType: "emailClick", Time: time.Now().UTC(), Detail: json.RawMessage(detail)})
}

// A producer that builds its detail from an upstream object keeps that
// object's "ID": it is not the contract's "id", so two events carrying the
// same "ID" are two events, not a duplicate dropped silently.
func TestAnIgnoredIDKeyIsNotAnIdempotencyKey(t *testing.T) {
	e := newEnv(t, testCatalog)
	e.webhook(t, "org_a", true, "emailClick")
	e.handle(t,
		putDetail(t, "11111111-1111-1111-1111-111111111111", `{"organization_id":"org_a","data":{"click":1},"ID":"campaign-42"}`),
		putDetail(t, "22222222-2222-2222-2222-222222222222", `{"organization_id":"org_a","data":{"click":2},"ID":"campaign-42"}`))
	e.drain(t, e.delivery, 2)
	e.drain(t, e.dlq, 0)
}

// A contract key given twice is dead-lettered, whichever one a filter or
// proxy before the bus read: delivering either could be wrong.
func TestARepeatedContractKeyIsDeadLettered(t *testing.T) {
	e := newEnv(t, testCatalog)
	e.webhook(t, "org_a", true, "emailClick")
	e.webhook(t, "org_b", true, "emailClick")
	e.handle(t,
		putDetail(t, "33333333-3333-3333-3333-333333333333", `{"organization_id":"org_a","data":{},"organization_id":"org_b"}`),
		putDetail(t, "66666666-6666-6666-6666-666666666666", `{"organization_id":"org_a","data":{"user":{"role":"viewer","role":"admin"}}}`))
	e.drain(t, e.delivery, 0)
	var said []string
	for _, m := range e.drain(t, e.dlq, 2) {
		attrs := queue.AttributesOf(m)
		if attrs[message.AttrReason] != message.ReasonMalformed {
			t.Errorf("dead letter attributes %v, want malformed_message", attrs)
		}
		said = append(said, attrs[message.AttrLastError])
	}
	for _, want := range []string{`detail repeats the key "organization_id"`, `detail.data repeats the key "role"`} {
		if !strings.Contains(strings.Join(said, "\n"), want) {
			t.Errorf("no dead letter says %q: %q", want, said)
		}
	}
}

// Two ids that differ only in a lone surrogate escape would decode to the
// same key, the second event then dropped as its duplicate: both are
// dead-lettered instead, as the API refuses them.
func TestProducerIDsWithLoneSurrogatesAreDeadLettered(t *testing.T) {
	e := newEnv(t, testCatalog)
	e.webhook(t, "org_a", true, "emailClick")
	e.handle(t,
		putDetail(t, "44444444-4444-4444-4444-444444444444", `{"organization_id":"org_a","data":{"n":1},"id":"k-\ud83d"}`),
		putDetail(t, "55555555-5555-5555-5555-555555555555", `{"organization_id":"org_a","data":{"n":2},"id":"k-\ud83e"}`))
	e.drain(t, e.delivery, 0)
	for _, m := range e.drain(t, e.dlq, 2) {
		attrs := queue.AttributesOf(m)
		if attrs[message.AttrReason] != ReasonInvalidProducerID || attrs[message.AttrOrgID] != "org_a" ||
			!strings.Contains(attrs[message.AttrLastError], "unpaired surrogate") {
			t.Errorf("dead letter attributes %v, want invalid_producer_id naming the surrogate", attrs)
		}
	}
}
