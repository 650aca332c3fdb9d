package api_test

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// A schema failure names the failing value cut short, as webhook inputs
// are (100 characters), never the whole of it.
func TestPublishSchemaErrorCutsTheValue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	email := "a@" + strings.Repeat("b", 200_000)
	msg := e.do(http.MethodPost, "/api/v1/events", e.token("org_echo"), `{"event_name":"emailClick","data":`+
		`{"email":"`+email+`","message_id":"m1","url":"https://x.test/","occurred_at":"2026-11-23T10:00:00Z"}}`).
		wantError(t, http.StatusUnprocessableEntity, "invalid_event_data")
	if n := utf8.RuneCountInString(msg); n > 300 || !strings.HasPrefix(msg, "data/email: ") || !strings.Contains(msg, "a@bbb") {
		t.Fatalf("%d-character message %.300q: want data/email and the start of the value, at most 300 characters", n, msg)
	}
}
