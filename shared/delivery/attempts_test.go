package delivery

import (
	"context"
	"strconv"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

func received(m events.SQSMessage, n int) events.SQSMessage {
	m.Attributes = map[string]string{message.AttrReceiveCount: strconv.Itoa(n)}
	return m
}

// Attempt numbers: a first receive is attempt 1 without a read; a later
// one continues from the record; without a record (a crash between the
// POST and the record) attempt 1 is repeated once, never lost.
func TestAttemptNumbersFromReceiveCountAndRecord(t *testing.T) {
	rc := newReceiver(t, false)
	e := newEnv(t, testConfig(), nil)
	e.webhooks.put(webhook.Webhook{ID: "wh_500", OrgID: "org_a", URL: rc.srv.URL + "/status/500", Enabled: true})
	m := sqsMessage(t, "org_a", "wh_500", "evt_1")
	handle := func(receive int) deliverylog.Attempt {
		t.Helper()
		if _, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{received(m, receive)}}); err != nil {
			t.Fatal(err)
		}
		as := e.attempts.list()
		return as[len(as)-1]
	}

	if a := handle(1); a.Attempt != 1 || e.records.gets != 0 {
		t.Fatalf("first receive: attempt %d after %d record reads, want attempt 1 without a read", a.Attempt, e.records.gets)
	}
	// The crash: the record of attempt 1 is lost, the message comes back.
	id := deliveryIDOf(t, m)
	delete(e.records.recs, id)
	if a := handle(2); a.Attempt != 1 {
		t.Fatalf("second receive without a record: attempt %d, want 1 again", a.Attempt)
	}
	if a := handle(3); a.Attempt != 2 || e.records.get(id).Attempts != 2 {
		t.Fatalf("third receive: attempt %d, record %d; want 2 and 2", a.Attempt, e.records.get(id).Attempts)
	}
	if a := handle(4); a.Attempt != 3 {
		t.Fatalf("fourth receive: attempt %d, want 3", a.Attempt)
	}
	if a := handle(5); a.Attempt != 4 || a.Outcome != deliverylog.OutcomeDeadLettered {
		t.Fatalf("fifth receive: attempt %d %s, want 4 dead_lettered (schedule of 3 retries, one extra attempt for the crash)", a.Attempt, a.Outcome)
	}
	if rc.hits.Load() != 5 {
		t.Errorf("%d POSTs, want 5: the crash cost one", rc.hits.Load())
	}
}
