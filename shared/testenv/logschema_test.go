package testenv

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// docs/internals.md's "Log schema" table and LogKeys list the same keys
// with the same types.
func TestLogSchemaMatchesTheDocs(t *testing.T) {
	b, err := os.ReadFile("../../docs/internals.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "## Log schema")
	if !ok {
		t.Fatal(`docs/internals.md has no "## Log schema" section`)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| ([a-z]+) \\|")
	documented := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		documented[m[1]] = m[2]
	}
	for k, typ := range LogKeys {
		if documented[k] != typ {
			t.Errorf("key %s: documented as %q, LogKeys says %q", k, documented[k], typ)
		}
	}
	for k := range documented {
		if _, ok := LogKeys[k]; !ok {
			t.Errorf("key %s is documented but not in LogKeys", k)
		}
	}
}

func TestCheckLogLineRefuses(t *testing.T) {
	good := `{"time":"2026-11-30T10:00:00Z","level":"INFO","msg":"delivery attempt","org_id":"org_a","attempt":1,"url":"https://example.com/…"}`
	if why := CheckLogLine(good); why != "" {
		t.Fatalf("good line refused: %s", why)
	}
	for line, want := range map[string]string{
		`time=10:00 msg=x`:                                        "not a JSON object",
		`{"msg":"x","err":"boom"}`:                                "unknown key err",
		`{"msg":"x","org":"org_a"}`:                               "unknown key org",
		`{"msg":"x","attempt":"1"}`:                               "attempt is a string",
		`{"msg":"x","url":"https://example.com/hook?token=t"}`:    "url is not masked",
		`{"msg":"x","url":"https://example.com/hooks/1"}`:         "url is not masked",
		`{"msg":"x","error":"Post \"https://u:p@example.com/\""}`: "error holds a URL",
		`{"msg":"x","error":"dial https://example.com/?t=1"}`:     "error holds a URL",
		`{"msg":"x","error":"secret whsec_abc"}`:                  "signing secret",
		`{"msg":"x","webhook_id":"wh_1","error":"boom"}`:          "webhook_id without org_id",
		`{"msg":"x","delivery_id":"dlv_1"}`:                       "delivery_id without org_id",
		`{"msg":"x","event_id":"evt_1"}`:                          "event_id without org_id",
	} {
		if why := CheckLogLine(line); !strings.Contains(why, want) {
			t.Errorf("%s: %q, want a refusal naming %q", line, why, want)
		}
	}
	keys := make([]string, 0, len(LogKeys))
	for k := range LogKeys {
		keys = append(keys, k)
	}
	for _, forbidden := range []string{"err", "org", "event", "ms"} {
		if slices.Contains(keys, forbidden) {
			t.Errorf("LogKeys has %q, the drifted form of a schema key", forbidden)
		}
	}
}
