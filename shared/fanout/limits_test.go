package fanout

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/message"
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
