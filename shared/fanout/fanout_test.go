package fanout

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/healthnotice"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// jsonEqual compares two JSON texts by meaning.
func jsonEqual(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func TestPublishedEventReachesExactlyTheSubscribedWebhooks(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, testCatalog)
	click := e.webhook(t, "org_a", true, "emailClick")
	all := e.webhook(t, "org_a", true, "*")
	both := e.webhook(t, "org_a", true, "emailOpen", "emailClick")
	openOnly := e.webhook(t, "org_a", true, "emailOpen")
	e.webhook(t, "org_a", false, "emailClick") // disabled
	e.webhook(t, "org_b", true, "emailClick")
	e.webhook(t, "org_b", true, "*")

	data := json.RawMessage(`{"url": "https://x.example/?a=1&b=<2>", "price": 1.50, "tags": ["é", "\u00e9"], "nested": {"k": [1, 2]}}`)
	before := time.Now().Unix()
	eventID, err := e.pub.Publish(e.ctx, "org_a", "emailClick", data, "")
	if err != nil {
		t.Fatal(err)
	}
	if !ids.Valid(ids.EventPrefix, eventID) {
		t.Fatalf("event id %q", eventID)
	}
	ingest := e.drain(t, e.ingest, 1)
	e.handle(t, ingest...)

	got := deliveries(t, e.drain(t, e.delivery, 3))
	if want := []string{click, all, both}; !sameSet(slices.Collect(maps.Keys(got)), want) {
		t.Fatalf("delivered to %v, want exactly org_a's click/all/both %v", slices.Collect(maps.Keys(got)), want)
	}
	var envelope string
	for wh, d := range got {
		if d.EventID != eventID || d.OrgID != "org_a" || d.EventName != "emailClick" || d.DeliveryID != ids.Delivery(eventID, wh) {
			t.Errorf("delivery %+v", d)
		}
		if envelope == "" {
			envelope = d.Envelope
		} else if d.Envelope != envelope {
			t.Errorf("envelopes differ between endpoints:\n%s\n%s", d.Envelope, envelope)
		}
	}
	checkEnvelope(t, []byte(envelope), eventID, "emailClick", "org_a", data, before)

	// A re-run of the same SQS record yields the very same deliveries.
	e.handle(t, ingest...)
	again := deliveries(t, e.drain(t, e.delivery, 3))
	for wh, d := range got {
		if again[wh].DeliveryID != d.DeliveryID || again[wh].Envelope != d.Envelope {
			t.Errorf("re-run changed the delivery to %s: %+v vs %+v", wh, again[wh], d)
		}
	}

	// emailOpen reaches the open subscribers and "all", not click-only ones.
	if _, err := e.pub.Publish(e.ctx, "org_a", "emailOpen", json.RawMessage(`{}`), ""); err != nil {
		t.Fatal(err)
	}
	e.handle(t, e.drain(t, e.ingest, 1)...)
	opens := deliveries(t, e.drain(t, e.delivery, 3))
	if want := []string{all, both, openOnly}; !sameSet(slices.Collect(maps.Keys(opens)), want) {
		t.Fatalf("emailOpen delivered to %v, want %v", slices.Collect(maps.Keys(opens)), want)
	}
	e.drain(t, e.dlq, 0)
}

// checkEnvelope asserts the contract: exactly these keys in this order,
// the API's event id, the event time, and the producer's data.
func checkEnvelope(t testing.TB, env []byte, eventID, name, org string, data json.RawMessage, notBefore int64) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(env))
	var keys []string
	if tok, _ := dec.Token(); tok != json.Delim('{') {
		t.Fatalf("envelope %s is not an object", env)
	}
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		_ = dec.Decode(&skip)
	}
	if strings.Join(keys, ",") != "id,event_name,organization_id,timestamp,data" {
		t.Fatalf("envelope keys %v", keys)
	}
	var got message.Envelope
	if err := json.Unmarshal(env, &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != eventID || got.EventName != name || got.OrgID != org {
		t.Errorf("envelope %s", env)
	}
	if got.Timestamp < notBefore || got.Timestamp > time.Now().Unix() {
		t.Errorf("timestamp %d not the event time (published at or after %d)", got.Timestamp, notBefore)
	}
	if !jsonEqual(t, got.Data, data) {
		t.Errorf("data %s, want the meaning of %s", got.Data, data)
	}
	if bytes.Contains(env, []byte(`\u003c`)) {
		t.Errorf("envelope HTML-escaped the producer's text: %s", env)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestEventsWithNobodyToDeliverTo(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, testCatalog)
	e.webhook(t, "org_disabled", false, "*")
	e.webhook(t, "org_open", true, "emailOpen")
	e.webhook(t, "org_other", true, "emailClick") // must not leak into the others

	for _, org := range []string{"org_unknown", "org_disabled", "org_open"} {
		if _, err := e.pub.Publish(e.ctx, org, "emailClick", json.RawMessage(`{"a":1}`), ""); err != nil {
			t.Fatal(err)
		}
	}
	e.handle(t, e.drain(t, e.ingest, 3)...)
	e.drain(t, e.delivery, 0)
	e.drain(t, e.dlq, 0)
}

func TestMalformedEventsAreDeadLetteredAndConsumed(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, testCatalog)
	hook := e.webhook(t, "org_a", true, "*")
	at := time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)
	valid := record(t, "ok", bus.Record{ID: "u-ok", DetailType: "emailClick", Time: at,
		Detail: json.RawMessage(`{"organization_id":"org_a","data":{"a":1}}`)})
	// Fits the ingest queue, but not the pipeline's data limit.
	huge := bus.Record{ID: "u6", DetailType: "emailClick", Time: at}
	huge.Detail, _ = json.Marshal(map[string]any{"organization_id": "org_a",
		"data": strings.Repeat("x", message.MaxDataBytes-1)})
	// Data one level deeper than the API accepts: the event nests 10,001 levels.
	deep := events.SQSMessage{MessageId: "too-deep", Body: `{"version":"0","id":"u7","detail-type":"emailClick","source":"s","account":"1",` +
		`"time":"2025-04-18T12:00:00Z","region":"us-east-1","resources":[],"detail":{"organization_id":"org_a","data":` +
		strings.Repeat("[", message.MaxDataDepth+1) + strings.Repeat("]", message.MaxDataDepth+1) + `}}`}
	bad := map[string]struct {
		msg    events.SQSMessage
		reason string
	}{
		"not-json":    {events.SQSMessage{MessageId: "not-json", Body: "<html>oops"}, message.ReasonMalformed},
		"no-org":      {record(t, "no-org", bus.Record{ID: "u1", DetailType: "emailClick", Time: at, Detail: json.RawMessage(`{"data":{}}`)}), message.ReasonMalformed},
		"no-name":     {record(t, "no-name", bus.Record{ID: "u2", Time: at, Detail: json.RawMessage(`{"organization_id":"org_a","data":{}}`)}), message.ReasonMalformed},
		"no-data":     {record(t, "no-data", bus.Record{ID: "u3", DetailType: "emailClick", Time: at, Detail: json.RawMessage(`{"organization_id":"org_a"}`)}), message.ReasonMalformed},
		"no-detail":   {record(t, "no-detail", bus.Record{ID: "u4", DetailType: "emailClick", Time: at}), message.ReasonMalformed},
		"bad-type":    {record(t, "bad-type", bus.Record{ID: "u5", DetailType: "emailExplode", Time: at, Detail: json.RawMessage(`{"organization_id":"org_a","data":{}}`)}), ReasonUnknownEventType},
		"huge-record": {record(t, "huge-record", huge), ReasonTooLarge},
		"too-deep":    {deep, ReasonTooDeep},
		// Producers calling PutEvents directly are not held to the API's rule
		// for organization ids; fan-out applies it.
		"bad-org": {record(t, "bad-org", bus.Record{ID: "u8", DetailType: "emailClick", Time: at,
			Detail: json.RawMessage(`{"organization_id":"a#b/c","data":{"a":1}}`)}), ReasonInvalidOrg},
		"nul-org": {record(t, "nul-org", bus.Record{ID: "u9", DetailType: "emailClick", Time: at,
			Detail: json.RawMessage(`{"organization_id":"org_a\u0000","data":{"a":1}}`)}), ReasonInvalidOrg},
	}
	batch := []events.SQSMessage{valid}
	for _, b := range bad {
		batch = append(batch, b.msg)
	}
	e.handle(t, batch...) // consumed: none reported as a failure

	dead := e.drain(t, e.dlq, len(bad))
	for _, m := range dead {
		attrs := queue.AttributesOf(m)
		var found bool
		for name, b := range bad {
			if b.msg.Body == m.Body {
				found = true
				if attrs[message.AttrReason] != b.reason || attrs[message.AttrLastError] == "" {
					t.Errorf("%s: attributes %v, want reason %s and an error", name, attrs, b.reason)
				}
				if b.reason == ReasonInvalidOrg && (attrs[message.AttrOrgID] != "" ||
					!strings.Contains(attrs[message.AttrLastError], "is not a valid organization id")) {
					t.Errorf("%s: attributes %v, want no org attribute and the rule in last_error", name, attrs)
				}
				if b.reason == ReasonTooLarge && !strings.Contains(attrs[message.AttrLastError], "259072") ||
					b.reason == ReasonTooDeep && !strings.Contains(attrs[message.AttrLastError], "9998") {
					t.Errorf("%s: last_error %q does not name the limit", name, attrs[message.AttrLastError])
				}
			}
		}
		if !found {
			t.Errorf("dead letter body changed or unexpected: %.200s", m.Body)
		}
	}
	got := deliveries(t, e.drain(t, e.delivery, 1))
	if _, ok := got[hook]; !ok {
		t.Fatalf("the valid record in the same batch was not delivered: %v", got)
	}
}

func TestDirectPutEventsIdentity(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, testCatalog)
	hook := e.webhook(t, "org_a", true, "emailClick")
	at := time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)
	direct := func(msgID, bridgeID, detail string) events.SQSMessage {
		return record(t, msgID, bus.Record{ID: bridgeID, DetailType: "emailClick", Time: at, Detail: json.RawMessage(detail)})
	}
	deliveryOf := func(recs ...events.SQSMessage) message.Delivery {
		t.Helper()
		e.handle(t, recs...)
		return deliveries(t, e.drain(t, e.delivery, 1))[hook]
	}

	// Without detail.id the id derives from EventBridge's: stable per record.
	first := deliveryOf(direct("m1", "6a7e8feb-b491-4cf7-a9f1-bf3703467718", `{"organization_id":"org_a","data":{"x":1}}`))
	rerun := deliveryOf(direct("m1", "6a7e8feb-b491-4cf7-a9f1-bf3703467718", `{"organization_id":"org_a","data":{"x":1}}`))
	other := deliveryOf(direct("m2", "0f0e8feb-b491-4cf7-a9f1-bf3703467718", `{"organization_id":"org_a","data":{"x":1}}`))
	if !ids.Valid(ids.EventPrefix, first.EventID) || first.DeliveryID != rerun.DeliveryID || first.EventID != rerun.EventID {
		t.Fatalf("re-run changed ids: %s/%s vs %s/%s", first.EventID, first.DeliveryID, rerun.EventID, rerun.DeliveryID)
	}
	if other.EventID == first.EventID {
		t.Fatal("two EventBridge events got the same event id")
	}
	var env message.Envelope
	_ = json.Unmarshal([]byte(first.Envelope), &env)
	if env.ID != first.EventID || env.Timestamp != at.Unix() {
		t.Fatalf("envelope %s: want id %s and timestamp %d", first.Envelope, first.EventID, at.Unix())
	}

	// A producer idempotency key: the second EventBridge event with the
	// same key is not fanned out, a re-run of the first still is.
	keyed := direct("k1", "11111111-b491-4cf7-a9f1-bf3703467718", `{"organization_id":"org_a","data":{},"id":"order-42"}`)
	original := deliveryOf(keyed)
	e.handle(t, direct("k2", "22222222-b491-4cf7-a9f1-bf3703467718", `{"organization_id":"org_a","data":{},"id":"order-42"}`))
	e.drain(t, e.delivery, 0)
	if again := deliveryOf(keyed); again.DeliveryID != original.DeliveryID {
		t.Fatalf("re-run of the keyed event: %s, want %s", again.DeliveryID, original.DeliveryID)
	}
	// The same key in another org is another event.
	e.webhook(t, "org_b", true, "emailClick")
	e.handle(t, direct("k3", "33333333-b491-4cf7-a9f1-bf3703467718", `{"organization_id":"org_b","data":{},"id":"order-42"}`))
	e.drain(t, e.delivery, 1)

	// An "evt_" detail.id that hookrelay put (the API's) is the event id as-is.
	fromAPI := record(t, "a1", bus.Record{Version: "0", Source: bus.DefaultSource, ID: "44444444-b491-4cf7-a9f1-bf3703467718",
		DetailType: "emailClick", Time: at, Detail: json.RawMessage(`{"organization_id":"org_a","data":{},"id":"evt_01jqexample"}`)})
	if api := deliveryOf(fromAPI); api.EventID != "evt_01jqexample" || api.DeliveryID != ids.Delivery("evt_01jqexample", hook) {
		t.Fatalf("API event id not kept: %+v", api)
	}
	// From a producer the same form is an idempotency key like any other:
	// the event gets its own id, and a second put is not fanned out.
	own := deliveryOf(direct("e1", "55555555-b491-4cf7-a9f1-bf3703467718", `{"organization_id":"org_a","data":{},"id":"evt_order42"}`))
	if own.EventID == "evt_order42" || !ids.Valid(ids.EventPrefix, own.EventID) {
		t.Fatalf("a producer's evt_ key became the event id: %+v", own)
	}
	e.handle(t, direct("e2", "66666666-b491-4cf7-a9f1-bf3703467718", `{"organization_id":"org_a","data":{},"id":"evt_order42"}`))
	e.drain(t, e.delivery, 0)
}

// webhook.disabled and webhook.enabled tell endpoints about one another, so
// receivers act on them: only hookrelay's own source may put them.
func TestProducersCannotPutHookrelaysNotices(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, append(slices.Clone(testCatalog), healthnotice.Disabled, healthnotice.Enabled))
	hook := e.webhook(t, "org_a", true, healthnotice.Disabled, healthnotice.Enabled)
	at := time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)
	notice := func(msgID, source, name string) events.SQSMessage {
		return record(t, msgID, bus.Record{Version: "0", Source: source, ID: "bridge-" + msgID, DetailType: name, Time: at,
			Detail: json.RawMessage(`{"organization_id":"org_a","data":{"webhook_id":"wh_other"}}`)})
	}
	forged := []events.SQSMessage{notice("f1", "com.example.producer", healthnotice.Disabled), notice("f2", "", healthnotice.Enabled)}
	e.handle(t, append(forged, notice("h1", bus.DefaultSource, healthnotice.Disabled))...)

	for _, m := range e.drain(t, e.dlq, len(forged)) {
		if attrs := queue.AttributesOf(m); attrs[message.AttrReason] != ReasonReservedEventType || !strings.Contains(attrs[message.AttrLastError], "hookrelay's own") {
			t.Errorf("dead letter attributes %v, want reason %s", attrs, ReasonReservedEventType)
		}
	}
	if got := deliveries(t, e.drain(t, e.delivery, 1)); got[hook].EventName != healthnotice.Disabled {
		t.Fatalf("hookrelay's own notice was not delivered: %v", got)
	}
}
