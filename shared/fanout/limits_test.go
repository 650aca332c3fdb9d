package fanout

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// shortStrings is compact data of many empty strings, exactly size bytes:
// the shape a JSON-escaped envelope grew most (each `""` became `\"\"`).
func shortStrings(size int) json.RawMessage {
	const tail = `],"p":""}`
	var b strings.Builder
	b.WriteString(`{"s":[""`)
	for b.Len()+len(`,""`)+len(tail) <= size {
		b.WriteString(`,""`)
	}
	b.WriteString(`],"p":"`)
	b.WriteString(strings.Repeat("p", size-b.Len()-2))
	b.WriteString(`"}`)
	return json.RawMessage(b.String())
}

// Events at the pipeline's limits, published through the bus onto a real
// (goaws) ingest queue, are fanned out, not dead-lettered, and their data
// reaches the delivery message byte for byte.
func TestEventsAtThePipelineLimitsAreFannedOut(t *testing.T) {
	t.Parallel() // its own emulators
	cases := map[string]json.RawMessage{
		"188 KB of short strings":       shortStrings(188 << 10),
		"maximum size of short strings": shortStrings(message.MaxDataBytes),
		"maximum depth":                 json.RawMessage(`{"d":` + strings.Repeat("[", message.MaxDataDepth-1) + strings.Repeat("]", message.MaxDataDepth-1) + `}`),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if err := message.CheckData(data); err != nil || name != "maximum depth" && len(data) != map[bool]int{true: 188 << 10, false: message.MaxDataBytes}[strings.HasPrefix(name, "188")] {
				t.Fatalf("test data outside the limits: %v", err)
			}
			e := newEnv(t, testCatalog)
			hook := e.webhook(t, "org_a", true, "*")
			if _, err := e.pub.Publish(e.ctx, "org_a", "emailClick", data, ""); err != nil {
				t.Fatalf("publish: %v", err)
			}
			e.handle(t, e.drain(t, e.ingest, 1)...)
			e.drain(t, e.dlq, 0)
			d := deliveries(t, e.drain(t, e.delivery, 1))[hook]
			var env struct{ Data json.RawMessage }
			if err := json.Unmarshal([]byte(d.Envelope), &env); err != nil || !bytes.Equal(env.Data, data) {
				t.Fatalf("envelope data differs from the published data (err %v)", err)
			}
		})
	}
}

// A producer putting events on the bus directly is held to the API's rules
// on data characters, number literals (each and their count) and detail.id,
// each dead letter's reason naming the rule broken: SQS refuses
// U+FFFE/U+FFFF in a message, the schema validator would spend seconds on a
// huge number or on a hundred thousand small ones, and a producer
// id past DynamoDB's 2,048-byte key would fail every claim until SQS moved
// the record to the DLQ with no reason at all.
func TestDirectRecordsBreakingTheAPIRulesAreDeadLettered(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, testCatalog)
	hook := e.webhook(t, "org_a", true, "*")
	at := time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)
	direct := func(msgID, detail string) events.SQSMessage {
		return record(t, msgID, bus.Record{ID: "bridge-" + msgID, DetailType: "emailClick", Time: at, Detail: json.RawMessage(detail)})
	}
	withID := func(msgID, id string) events.SQSMessage {
		detail, err := json.Marshal(map[string]any{"organization_id": "org_a", "id": id, "data": map[string]any{"a": 1}})
		if err != nil {
			t.Fatal(err)
		}
		return direct(msgID, string(detail))
	}
	bad := map[string]struct {
		msg       events.SQSMessage
		reason    string
		lastError string
	}{
		"raw U+FFFF":      {direct("raw-ffff", "{\"organization_id\":\"org_a\",\"data\":{\"s\":\"a\uffff\"}}"), ReasonNoncharacter, "U+FFFF"},
		"raw U+FFFE":      {direct("raw-fffe", "{\"organization_id\":\"org_a\",\"data\":[\"\ufffe\"]}"), ReasonNoncharacter, "U+FFFE"},
		"escaped U+FFFF":  {direct("esc-ffff", `{"organization_id":"org_a","data":{"s":"\uFFFF"}}`), ReasonNoncharacter, "U+FFFF"},
		"escaped U+FFFE":  {direct("esc-fffe", `{"organization_id":"org_a","data":{"\ufffe":1}}`), ReasonNoncharacter, "U+FFFE"},
		"exponent 401":    {direct("exp-401", `{"organization_id":"org_a","data":{"n":[1e400,1e401]}}`), ReasonInvalidData, "±400"},
		"65-char number":  {direct("num-65", `{"organization_id":"org_a","data":{"n":1`+strings.Repeat("0", 64)+`}}`), ReasonInvalidData, "64 characters"},
		"10,001 numbers":  {direct("num-many", `{"organization_id":"org_a","data":{"n":[`+strings.Repeat("1,", message.MaxNumbers)+`1]}}`), ReasonInvalidData, "too many numbers"},
		"129-byte id":     {withID("id-129", strings.Repeat("k", ids.MaxProducerID+1)), ReasonInvalidProducerID, "(129 bytes)"},
		"3 KB id":         {withID("id-3k", strings.Repeat("k", 3000)), ReasonInvalidProducerID, "(3000 bytes)"},
		"control char id": {withID("id-nul", "k\x00"), ReasonInvalidProducerID, `"k\x00"`},
	}
	batch := []events.SQSMessage{withID("id-128", strings.Repeat("k", ids.MaxProducerID))} // at the limit: fanned out
	for _, b := range bad {
		batch = append(batch, b.msg)
	}
	e.handle(t, batch...) // consumed: none reported as a failure

	for _, m := range e.drain(t, e.dlq, len(bad)) {
		attrs := queue.AttributesOf(m)
		name := ""
		for n, b := range bad {
			if b.msg.Body == m.Body {
				name = n
			}
		}
		if name == "" {
			t.Errorf("dead letter body changed or unexpected: %.200s", m.Body)
			continue
		}
		b := bad[name]
		if attrs[message.AttrReason] != b.reason || !strings.Contains(attrs[message.AttrLastError], b.lastError) ||
			b.reason == ReasonInvalidProducerID && !strings.Contains(attrs[message.AttrLastError], ids.ProducerIDRule) {
			t.Errorf("%s: attributes %v, want reason %s and a last_error naming the rule and %s", name, attrs, b.reason, b.lastError)
		}
	}
	if got := deliveries(t, e.drain(t, e.delivery, 1)); got[hook].EventID == "" {
		t.Fatalf("the record with a 128-byte id was not delivered: %v", got)
	}
}

// A producer's event name may hold characters SQS refuses in an attribute
// (EventBridge's JSON carries them escaped): the dead letter's attributes
// replace them, or its send would fail on every receive and the record
// reach the DLQ without a reason.
func TestDeadLetterAttributesAreTextSQSAccepts(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, testCatalog)
	at := time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)
	names := map[string]string{"ctl": "email\x01Click", "nonchar": "email\uffffClick"}
	var batch []events.SQSMessage
	for id, name := range names {
		batch = append(batch, record(t, id, bus.Record{ID: "bridge-" + id, DetailType: name, Time: at,
			Detail: json.RawMessage(`{"organization_id":"org_a","data":{}}`)}))
	}
	e.handle(t, batch...)
	for _, m := range e.drain(t, e.dlq, len(names)) {
		attrs := queue.AttributesOf(m)
		for k, v := range attrs {
			if !message.SQSText(v) {
				t.Errorf("attribute %s = %q: SQS refuses it", k, v)
			}
		}
		if attrs[message.AttrReason] != ReasonUnknownEventType || attrs[message.AttrEventName] != "email\ufffdClick" {
			t.Errorf("attributes %q, want reason %s and the name with U+FFFD", attrs, ReasonUnknownEventType)
		}
	}
}
