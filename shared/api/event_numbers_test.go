package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/message"
)

// The schema validator turns every number it checks (integer, minimum,
// maximum) into an exact fraction: 1e999999 costs it a million-digit
// power of ten, a 200,000-digit mantissa as much. Such literals are
// refused before it runs, by the documented number bounds.
func TestPublishRefusesNumbersBeyondTheBounds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_numbers")
	publish := func(code string) response {
		return e.do(http.MethodPost, "/api/v1/events", tok, `{"event_name":"emailSoftBounce","data":`+
			`{"email":"a@b.co","message_id":"m","reason":"r","occurred_at":"2026-01-01T00:00:00Z","smtp_code":`+code+`}}`)
	}
	for _, code := range []string{
		"1e999999",
		"1" + strings.Repeat("7", 200_000) + "e800000",
		"550." + strings.Repeat("0", 200_000), // 550 exactly, which the schema would accept
	} {
		msg := publish(code).wantError(t, http.StatusUnprocessableEntity, "invalid_event_data")
		if !strings.Contains(msg, "64 characters") || !strings.Contains(msg, "±400") || len(msg) > 200 {
			t.Errorf("%.20s…: message %q does not name the limits, or echoes the number", code, msg)
		}
	}
	// Within the bounds, the schema decides.
	if res := publish("5.50e2"); res.status != http.StatusAccepted {
		t.Errorf("5.50e2: %d %s", res.status, res.body)
	}
	publish("1e400").wantError(t, http.StatusUnprocessableEntity, "invalid_event_data")
	if len(e.pub.calls) != 1 {
		t.Fatalf("published %d events, want the 1 accepted", len(e.pub.calls))
	}
}

// Each number the validator checks costs it some 20 allocations: data may
// hold message.MaxNumbers of them, wherever they are and whatever the
// schema says; one more is refused before the validator runs.
func TestPublishRefusesTooManyNumbers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_many_numbers")
	publish := func(numbers int) response {
		return e.do(http.MethodPost, "/api/v1/events", tok, `{"event_name":"emailSoftBounce","data":`+
			`{"email":"a@b.co","message_id":"m","reason":"r","occurred_at":"2026-01-01T00:00:00Z","smtp_code":550,`+
			`"sizes":[`+strings.Repeat("1,", numbers-2)+`1]}}`)
	}
	if res := publish(message.MaxNumbers); res.status != http.StatusAccepted {
		t.Fatalf("%d numbers: %d %.300s", message.MaxNumbers, res.status, res.body)
	}
	for _, n := range []int{message.MaxNumbers + 1, 100_000} {
		msg := publish(n).wantError(t, http.StatusUnprocessableEntity, "invalid_event_data")
		if !strings.Contains(msg, "too many numbers") || !strings.Contains(msg, "the limit is 10000") || len(msg) > 200 {
			t.Errorf("%d numbers: message %q does not name the limit", n, msg)
		}
	}
	if len(e.pub.calls) != 1 {
		t.Fatalf("published %d events, want the 1 accepted", len(e.pub.calls))
	}
}
