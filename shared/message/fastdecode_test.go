package message

import (
	"encoding/json"
	"strings"
	"testing"
)

// decodeJSON is Decode without the fast path.
func decodeJSON(body string) (Delivery, error) {
	var d Delivery
	err := json.Unmarshal([]byte(body), &d)
	return d, err
}

func canonicalSeeds(t testing.TB) []string {
	envs := []string{
		`{"a":1}`,
		`{"id":"evt_1","event_name":"emailClick","organization_id":"org_abc","timestamp":1745000000,"data":{"url":"https://x.test/a?b=1&c=<d>"}}`,
		"{\"s\":\"line\\nbreak \\\"q\\\" \\\\ \\/ é ✓ 𝄞 \u2028 \\u0000\"}",
		"tab\there\u0001ctl",
		"\x7f\u00ff",
	}
	var out []string
	for _, e := range envs {
		d := Delivery{DeliveryID: "dlv_1", EventID: "evt_1", OrgID: "org<&>", WebhookID: "wh_é", EventName: "x\"y", Envelope: e}
		b, err := d.Encode()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return append(out,
		`{"v":1,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":"\ud834\udd1e"}`,
		`{"v":1,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":"\u00e9\u2028\u0041"}`,
		`{"v":1,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":"\ud800"}`,
		"{\"v\":1,\"delivery_id\":\"d\",\"event_id\":\"e\",\"organization_id\":\"o\",\"webhook_id\":\"w\",\"event_name\":\"n\",\"envelope\":\"\xff\"}",
		`{"v":1,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":"x"} `,
		`{"v":1,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":"x","extra":1}`,
		`{"v":1,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":""}`,
		`{"v":1,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":"a\q"}`,
		`{"v":1,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":"a\u12"}`,
		`{"v":1,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":"a`,
		`{"v":1,"Delivery_ID":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":"x"}`,
		`{"v":10,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":"x"}`,
	)
}

// Whatever the fast path accepts, encoding/json decodes to the same value.
func checkFastPath(t *testing.T, body string) {
	fast, ok := decodeCanonical(body)
	if !ok {
		return
	}
	slow, err := decodeJSON(body)
	if err != nil {
		t.Fatalf("fast path accepted %q, encoding/json says %v", body, err)
	}
	if fast != slow {
		t.Fatalf("body %q:\nfast %+v\njson %+v", body, fast, slow)
	}
}

func TestFastDecodeMatchesJSON(t *testing.T) {
	accepted := 0
	for _, s := range canonicalSeeds(t) {
		checkFastPath(t, s)
		if _, ok := decodeCanonical(s); ok {
			accepted++
		}
		// Decode as a whole behaves as before: same value, same error text.
		got, err := Decode(s)
		want, wantErr := decodeGeneral(s)
		if got != want || (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Errorf("Decode(%q) = %+v, %v; want %+v, %v", s, got, err, want, wantErr)
		}
	}
	if accepted < 6 {
		t.Fatalf("fast path took only %d of the canonical seeds", accepted)
	}
}

func TestFastDecodeDoesNotAllocateForPlainStrings(t *testing.T) {
	body, _ := Delivery{DeliveryID: "dlv_1", EventID: "evt_1", OrgID: "org", WebhookID: "wh_1", EventName: "x", Envelope: "plain"}.Encode()
	if n := testing.AllocsPerRun(100, func() { Decode(body) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
	if !strings.Contains(body, `"envelope":"plain"`) {
		t.Fatal(body)
	}
}

func FuzzDecodeFastPath(f *testing.F) {
	for _, s := range canonicalSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		checkFastPath(t, body)
		// Also through Encode: every decodable value re-encodes to a
		// canonical body the fast path must read back identically.
		if d, err := decodeJSON(body); err == nil {
			if b, err := d.Encode(); err == nil {
				checkFastPath(t, b)
			}
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	env, _ := BuildEnvelope("evt_bench", "emailClick", "org_a", 1745000000, []byte(`{"email":"ada@example.com","url":"https://x.test/a?b=1&c=2","n":42}`))
	body, _ := Delivery{DeliveryID: "dlv_bench_01", EventID: "evt_bench", OrgID: "org_a", WebhookID: "wh_01", EventName: "emailClick", Envelope: string(env)}.Encode()
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Decode(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeGeneral(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
