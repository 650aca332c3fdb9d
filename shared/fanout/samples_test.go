package fanout

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/catalog/catalogtest"
	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// Every catalog sample, exactly as EventBridge's SQS target delivers it,
// fans out to the one endpoint subscribed to its type with the producer's
// data, under the real catalog.
func TestCatalogSamplesFanOut(t *testing.T) {
	t.Parallel() // its own emulators
	samples, err := catalog.Samples()
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) == 0 {
		t.Fatal("no catalog samples")
	}
	e := newEnv(t, nil)
	d := e.deps(nil)
	types := catalogtest.Default(t)
	d.KnownEvent = types.Has
	e.h = NewHandler(d)

	hookOf := map[string]string{} // event type -> webhook id
	type want struct {
		rec  bus.Record
		data bus.Detail
	}
	wants := map[string]want{}
	var records []events.SQSMessage
	for name, body := range samples {
		r, det, err := bus.ParseRecord(body)
		if err != nil {
			t.Fatalf("sample %s: %v", name, err)
		}
		if r.DetailType != name || !types.Has(name) {
			t.Fatalf("sample %s has detail-type %q", name, r.DetailType)
		}
		if err := types.Validate(name, det.Data); err != nil {
			t.Fatalf("sample %s data does not match its schema: %v", name, err)
		}
		hookOf[name] = e.webhook(t, det.OrgID, true, name)
		wants[name] = want{r, det}
		records = append(records, events.SQSMessage{MessageId: "sample-" + name, Body: string(body)})
	}

	run := func() map[string]message.Delivery {
		for start := 0; start < len(records); start += 10 { // Lambda batch size
			e.handle(t, records[start:min(start+10, len(records))]...)
		}
		return deliveries(t, e.drain(t, e.delivery, len(samples)))
	}
	got := run()
	for name, w := range wants {
		dl, ok := got[hookOf[name]]
		if !ok {
			t.Errorf("%s: no delivery to its subscriber", name)
			continue
		}
		var env message.Envelope
		if err := json.Unmarshal([]byte(dl.Envelope), &env); err != nil {
			t.Fatal(err)
		}
		var compact bytes.Buffer
		_ = json.Compact(&compact, w.data.Data)
		if env.EventName != name || env.OrgID != w.data.OrgID || env.Timestamp != w.rec.Time.Unix() || env.ID != dl.EventID {
			t.Errorf("%s: envelope %.200s", name, dl.Envelope)
		}
		if !bytes.Equal(env.Data, compact.Bytes()) {
			t.Errorf("%s: data\n%s\nwant the producer's\n%s", name, env.Data, compact.Bytes())
		}
	}

	// Samples carry a producer key in detail.id; a re-run of the same
	// records is the same event, not a duplicate: same deliveries again.
	again := run()
	for wh, dl := range got {
		if again[wh].DeliveryID != dl.DeliveryID {
			t.Errorf("re-run of %s: delivery id %s, want %s", dl.EventName, again[wh].DeliveryID, dl.DeliveryID)
		}
	}
	e.drain(t, e.dlq, 0)
	t.Logf("%d samples fanned out", len(samples))
}

// A producer that calls PutEvents directly skips the API's schema check;
// fan-out applies it, so endpoints never receive data that breaks the
// catalog's contract. The record goes to the ingest DLQ with the path.
func TestDirectPutEventsWithInvalidDataIsDeadLettered(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, nil)
	d := e.deps(nil)
	types := catalogtest.Default(t)
	d.KnownEvent, d.ValidateData = types.Has, types.Validate
	e.h = NewHandler(d)
	hook := e.webhook(t, "org_a", true, "*")

	bad := record(t, "bad", bus.Record{ID: "u-bad", DetailType: "emailClick", Time: time.Now(),
		Detail: json.RawMessage(`{"organization_id":"org_a","data":{"email":42}}`)})
	samples, err := catalog.Samples()
	if err != nil {
		t.Fatal(err)
	}
	good := events.SQSMessage{MessageId: "good", Body: string(samples["emailClick"])}
	var det bus.Detail
	if _, det, err = bus.ParseRecord(samples["emailClick"]); err != nil {
		t.Fatal(err)
	}
	if det.OrgID != "org_a" {
		hook = e.webhook(t, det.OrgID, true, "*")
	}
	e.handle(t, bad, good)

	dead := e.drain(t, e.dlq, 1)
	attrs := queue.AttributesOf(dead[0])
	if dead[0].Body != bad.Body || attrs[message.AttrReason] != ReasonInvalidData || !strings.Contains(attrs[message.AttrLastError], "/email") {
		t.Fatalf("dead letter %v body %.100s: want reason %s naming /email", attrs, dead[0].Body, ReasonInvalidData)
	}
	if got := deliveries(t, e.drain(t, e.delivery, 1)); len(got) != 1 || got[hook].EventName != "emailClick" {
		t.Fatalf("the valid sample was not delivered to %s: %v", hook, got)
	}
}
