package fanout

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	catalog "github.com/hookrelay/hookrelay/events"
	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/message"
)

// Every catalog sample, exactly as EventBridge's SQS target delivers it,
// fans out to the one endpoint subscribed to its type with the producer's
// data, under the real catalog.
func TestCatalogSamplesFanOut(t *testing.T) {
	samples, err := catalog.Samples()
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) == 0 {
		t.Fatal("no catalog samples")
	}
	e := newEnv(t, nil)
	d := e.deps(nil)
	d.KnownEvent = catalog.Default().Has
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
		if r.DetailType != name || !catalog.Default().Has(name) {
			t.Fatalf("sample %s has detail-type %q", name, r.DetailType)
		}
		if err := catalog.Default().Validate(name, det.Data); err != nil {
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
