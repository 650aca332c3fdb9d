package testenv

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// LogKeys is the log schema: every key a hookrelay log line may carry and
// its JSON type. docs/internals.md ("Log schema") lists the same keys; a
// test keeps the two equal. A new key goes in both, or reuses one.
var LogKeys = map[string]string{
	// slog's own
	"time": "string", "level": "string", "msg": "string",
	// who and what: the same names on every line that knows them
	"org_id": "string", "webhook_id": "string", "delivery_id": "string",
	"event_id": "string", "event_name": "string", "message_id": "string",
	"attempt": "number", "error": "string",
	// one delivery attempt
	"outcome": "string", "status": "number", "error_class": "string", "reason": "string",
	"retry_in": "number", "latency_ms": "number", "url": "string",
	// endpoint health
	"consecutive_failures": "number", "failing_since": "string",
	// fan-out
	"matched": "number", "original_event_id": "string",
	// API and portal requests
	"method": "string", "route": "string",
	// dev pollers and panics
	"poller": "string", "messages": "number", "failed": "number", "panic": "string", "stack": "string",
}

// maskedURL is the only form a URL may take in a log: scheme and host.
var maskedURL = regexp.MustCompile(`^(https?://[^/?#@\s]+/…|<invalid url>)$`)

// secretURL finds a URL with credentials or a query (where endpoints carry
// their tokens) inside any value: an error may name a queue's URL, never a
// webhook's.
var secretURL = regexp.MustCompile(`https?://[^\s"]*[?@]`)

// CheckLogLines fails t for each line of text (JSON lines, as the Lambdas
// write) that is not a JSON object, uses a key outside LogKeys or with
// another type, names a webhook, delivery or event without its org_id,
// has a url beyond its scheme and host, a URL with credentials or a query
// anywhere, or a signing secret (whsec_...).
func CheckLogLines(t testing.TB, text string) {
	t.Helper()
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if err := CheckLogLine(line); err != "" {
			t.Errorf("log line breaks the schema: %s\n%s", err, line)
		}
	}
}

// CheckLogLine returns why line breaks the schema, or "".
func CheckLogLine(line string) string {
	var fields map[string]any
	if err := json.Unmarshal([]byte(line), &fields); err != nil {
		return "not a JSON object"
	}
	if strings.Contains(line, "whsec_") {
		return "holds a signing secret"
	}
	// A tenant's lines are found by org_id: a line naming one of its
	// webhooks, deliveries or events must name the organization too.
	if _, ok := fields["org_id"]; !ok {
		for _, k := range []string{"webhook_id", "delivery_id", "event_id"} {
			if _, named := fields[k]; named {
				return k + " without org_id"
			}
		}
	}
	for k, v := range fields {
		want, ok := LogKeys[k]
		if !ok {
			return "unknown key " + k
		}
		if got := jsonType(v); got != want {
			return k + " is a " + got + ", want a " + want
		}
		s, _ := v.(string)
		if k == "url" && !maskedURL.MatchString(s) {
			return "url is not masked"
		}
		if k != "url" && secretURL.MatchString(s) {
			return k + " holds a URL with credentials or a query"
		}
	}
	return ""
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	case []any:
		return "array"
	default:
		return "object"
	}
}
