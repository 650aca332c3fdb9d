package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/message"
)

// clickData is a valid emailClick payload whose compact JSON is exactly
// size bytes (the schema allows extra properties).
func clickData(t *testing.T, size int) string {
	t.Helper()
	const head = `{"email":"a@example.com","message_id":"m1","url":"https://x.test/","occurred_at":"2026-11-23T10:00:00Z","subject":"`
	pad := size - len(head) - len(`"}`)
	if pad < 0 {
		t.Fatalf("size %d too small", size)
	}
	return head + strings.Repeat("s", pad) + `"}`
}

// deepData is a valid emailClick payload nested depth levels deep.
func deepData(depth int) string {
	return `{"email":"a@example.com","message_id":"m1","url":"https://x.test/","occurred_at":"2026-11-23T10:00:00Z","deep":` +
		strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + `}`
}

func TestPublishAcceptsOnlyWhatThePipelineCarries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_limits")
	publish := func(data string) response {
		return e.do(http.MethodPost, "/api/v1/events", tok, `{"event_name":"emailClick","data":`+data+`}`)
	}
	accepted := 0
	for _, data := range []string{clickData(t, message.MaxDataBytes), deepData(message.MaxDataDepth)} {
		if res := publish(data); res.status != http.StatusAccepted {
			t.Fatalf("data at the limit: %d %s", res.status, res.body)
		}
		accepted++
	}

	// An envelope of about 262,000 bytes: under 256 KiB itself, but its
	// EventBridge event and queue messages are not.
	msg := publish(clickData(t, 262_000-120)).wantError(t, http.StatusRequestEntityTooLarge, "body_too_large")
	if !strings.Contains(msg, fmt.Sprint(message.MaxDataBytes)) {
		t.Fatalf("message %q does not name the limit", msg)
	}
	publish(clickData(t, message.MaxDataBytes+1)).wantError(t, http.StatusRequestEntityTooLarge, "body_too_large")
	// A request nested exactly 10,000 levels: fan-out's wrapper would make it 10,001.
	msg = publish(deepData(message.MaxDataDepth+1)).wantError(t, http.StatusUnprocessableEntity, "invalid_event_data")
	if !strings.Contains(msg, "9998") {
		t.Fatalf("message %q does not name the depth limit", msg)
	}
	// Whitespace is not carried, so it does not count against the limit.
	if res := publish(" " + strings.Replace(clickData(t, message.MaxDataBytes), ",", ",   ", 3)); res.status != http.StatusAccepted {
		t.Fatalf("padded data at the limit: %d %s", res.status, res.body)
	}
	accepted++
	if len(e.pub.calls) != accepted {
		t.Fatalf("published %d events, want the %d accepted ones", len(e.pub.calls), accepted)
	}
}

// SQS refuses U+FFFE and U+FFFF in a message, the ingest queue's DLQ too:
// such data would be accepted here and dropped on the way.
func TestPublishRefusesTheNoncharactersSQSRefuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_nonchar")
	publish := func(subject string) response {
		return e.do(http.MethodPost, "/api/v1/events", tok, `{"event_name":"emailClick","data":`+
			`{"email":"a@example.com","message_id":"m1","url":"https://x.test/","occurred_at":"2026-11-23T10:00:00Z","subject":"`+subject+`"}}`)
	}
	for _, subject := range []string{"a\uffff", "\ufffeb", `a\uffff`, `\uFFFE`, `\uFfFf`} {
		msg := publish(subject).wantError(t, http.StatusUnprocessableEntity, "invalid_event_data")
		if !strings.Contains(msg, "U+FFF") {
			t.Errorf("%q: message %q does not name the character", subject, msg)
		}
	}
	// Their neighbours, and an escaped backslash before "uffff", are text.
	for _, subject := range []string{"a\ufffd", `\ufffd`, `\\uffff`, "\U0010ffff"} {
		if res := publish(subject); res.status != http.StatusAccepted {
			t.Errorf("%q: %d %s", subject, res.status, res.body)
		}
	}
	if len(e.pub.calls) != 4 {
		t.Fatalf("published %d events, want the 4 accepted ones", len(e.pub.calls))
	}
}

// Keys are read exactly, as every other parser reads them: encoding/json
// alone would take "DATA" for "data", and keep the last of a repeated key.
func TestPublishReadsItsKeysExactly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_keys")
	data := clickData(t, 200)
	for _, c := range []struct{ body, code, names string }{
		{`{"event_name":"emailClick","data":` + data + `,"DATA":{"injected":true}}`, "unknown_field", `"DATA"`},
		{`{"Event_Name":"emailClick","data":` + data + `}`, "unknown_field", `"Event_Name"`},
		{`{"event_name":"emailClick","data":` + data + `,"id":"a","ID":"b"}`, "unknown_field", `"ID"`},
		{`{"event_name":"emailClick","data":` + data + `,"data":{"injected":true}}`, "invalid_json", `"data"`},
		// Inside data too: the schema would check the last value, the
		// endpoint's parser may read the first.
		{`{"event_name":"emailClick","data":` + strings.Replace(data, "{", `{"url":"https://evil.example/","url":"https://example.com/",`, 1) + `}`, "invalid_json", `"url"`},
	} {
		msg := e.do(http.MethodPost, "/api/v1/events", tok, c.body).wantError(t, http.StatusBadRequest, c.code)
		if !strings.Contains(msg, c.names) {
			t.Errorf("%s: message %q does not name %s", c.body, msg, c.names)
		}
	}
	if len(e.pub.calls) != 0 {
		t.Fatalf("published %d events, want none", len(e.pub.calls))
	}
}
