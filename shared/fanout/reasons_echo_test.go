package fanout

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
)

// A dead letter's reason names what a producer sent (an event type, a
// key) by its start only, and so does fan-out's log line: a 10,000-byte
// event type or key, or a schema error quoting a value whole, is not
// written out whole.
func TestDeadLetterReasonsEchoOnlyTheStart(t *testing.T) {
	long := "kxxxxxxxxx" + strings.Repeat("😀", 2_500)
	for _, c := range []struct {
		what, name, data, lastError string
		validate                    func(string, json.RawMessage) error
		max                         int
	}{
		{what: "unknown event type", name: long, data: `{}`, lastError: `event type "kxxxxxxxxx`},
		{what: "repeated key", name: "emailClick", data: `{"` + long + `":1,"` + long + `":2}`, lastError: `repeats the key "kxxxxxxxxx`},
		{what: "schema error", name: "emailClick", data: `{}`, lastError: "/email: kxxxxxxxxx",
			max:      message.MaxErrorAttr, // the validator's wording is not the producer's text
			validate: func(string, json.RawMessage) error { return errors.New("/email: " + long) }},
	} {
		q := &deadLetterQueue{}
		var logs bytes.Buffer
		h := NewHandler(Deps{Webhooks: pagedStore{pages: []int{1}}, Queue: q, KnownEvent: func(n string) bool { return n == "emailClick" },
			ValidateData:   c.validate,
			DeliveryQueues: lanes.Lanes{"delivery"}, IngestDLQURL: "dlq", Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
		body := `{"version":"0","id":"u1","detail-type":"` + c.name + `","source":"com.example","account":"1","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],` +
			`"detail":{"organization_id":"org_a","data":` + c.data + `}}`
		if resp, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m", Body: body}}}); err != nil || len(resp.BatchItemFailures) != 0 || len(q.sent) != 1 {
			t.Fatalf("%s: %v %v, %d dead letters", c.what, resp, err, len(q.sent))
		}
		last := q.sent[0].Attributes[message.AttrLastError]
		if c.max == 0 {
			c.max = 200
		}
		if len(last) > c.max || !strings.Contains(last, c.lastError) {
			t.Errorf("%s: %d-byte last_error %.300q, want at most %d bytes with %q", c.what, len(last), last, c.max, c.lastError)
		}
		if logs.Len() > 1_000 || !strings.Contains(logs.String(), c.lastError[:10]) {
			t.Errorf("%s: %d bytes of log %.300q, want at most 1,000", c.what, logs.Len(), logs.String())
		}
	}
}
