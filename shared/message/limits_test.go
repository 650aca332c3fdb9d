package message

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hookrelay/hookrelay/shared/plainjson"
)

func TestMeasureAgreesWithEncodingJSON(t *testing.T) {
	for _, doc := range []string{
		`1`, `"x"`, `{}`, `[]`, ` { "a" : [ 1 , { "b" : "}]\"[{" } ] } `,
		"[\n\t[\r\n[]]]", `{"a":"\\","b":["\\\"", {"c":[[[]]]}]}`,
		`[1,-2.5e3, 0 ,{"7":8E-1},"9",true,false,null,[-0]]`, `-12`, `{"-1e5":"2"}`,
	} {
		var compact bytes.Buffer
		if err := json.Compact(&compact, []byte(doc)); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		size, depth, _, _, numbers := measure([]byte(doc))
		if size != compact.Len() {
			t.Errorf("measure(%s) size %d, compact is %d", doc, size, compact.Len())
		}
		if want := depthByDecoding(t, doc); depth != want {
			t.Errorf("measure(%s) depth %d, want %d", doc, depth, want)
		}
		if want := numbersByDecoding(t, doc); numbers != want {
			t.Errorf("measure(%s) numbers %d, want %d", doc, numbers, want)
		}
	}
}

// numbersByDecoding is the reference count of number literals: the numbers
// in the decoded value.
func numbersByDecoding(t *testing.T, doc string) int {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	var count func(any) int
	count = func(v any) int {
		n := 0
		switch x := v.(type) {
		case json.Number:
			return 1
		case map[string]any:
			for _, e := range x {
				n += count(e)
			}
		case []any:
			for _, e := range x {
				n += count(e)
			}
		}
		return n
	}
	return count(v)
}

// depthByDecoding is the reference depth: the nesting of the decoded value.
func depthByDecoding(t *testing.T, doc string) int {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	var depth func(any) int
	depth = func(v any) int {
		d := 0
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				d = max(d, depth(e))
			}
			return d + 1
		case []any:
			for _, e := range x {
				d = max(d, depth(e))
			}
			return d + 1
		}
		return 0
	}
	return depth(v)
}

func nested(levels int) []byte {
	return []byte(strings.Repeat("[", levels) + strings.Repeat("]", levels))
}

func TestCheckDataAtItsLimits(t *testing.T) {
	exact := []byte(`"` + strings.Repeat("x", MaxDataBytes-2) + `"`)
	if err := CheckData(exact); err != nil {
		t.Fatalf("data of exactly MaxDataBytes: %v", err)
	}
	// Whitespace does not count: every wrapper compacts it away.
	if err := CheckData(append([]byte("   "), exact...)); err != nil {
		t.Fatalf("padded data: %v", err)
	}
	over := []byte(`"` + strings.Repeat("x", MaxDataBytes-1) + `"`)
	if err := CheckData(over); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "259072") {
		t.Fatalf("one byte over: %v, want ErrTooLarge naming the limit", err)
	}
	if err := CheckData(nested(MaxDataDepth)); err != nil {
		t.Fatalf("data nested MaxDataDepth: %v", err)
	}
	if err := CheckData(nested(MaxDataDepth + 1)); !errors.Is(err, ErrTooDeep) || !strings.Contains(err.Error(), "9998") {
		t.Fatalf("one level deeper: %v, want ErrTooDeep naming the limit", err)
	}
}

func TestMaxDepthDataSurvivesTheDeliveryMessage(t *testing.T) {
	env, err := BuildEnvelope("evt_1", "x", "org", 1, nested(MaxDataDepth))
	if err != nil {
		t.Fatal(err)
	}
	body, err := Delivery{DeliveryID: "dlv_1", EventID: "evt_1", OrgID: "org", WebhookID: "wh_1", EventName: "x", Envelope: string(env)}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(body); err != nil {
		t.Fatalf("a delivery message of maximum-depth data: %v", err)
	}
	env, _ = BuildEnvelope("evt_1", "x", "org", 1, nested(MaxDataDepth+1))
	body, _ = Delivery{DeliveryID: "dlv_1", EventID: "evt_1", OrgID: "org", WebhookID: "wh_1", EventName: "x", Envelope: string(env)}.Encode()
	if _, err := Decode(body); err == nil {
		t.Fatal("one level deeper decoded: MaxDataDepth is not the binding limit")
	}
}

// The worst-case delivery message and its dead letter, built by the real
// encoder with every variable field at its maximum, fit their budgets.
func TestWorstCaseDeliveryFitsItsOverhead(t *testing.T) {
	eventID := "evt_" + strings.Repeat("z", maxEventID-4)
	name := strings.Repeat("n", MaxEventName)
	org := strings.Repeat("o", MaxOrgID)
	data := []byte(`"` + strings.Repeat("x", MaxDataBytes-2) + `"`)
	env, err := BuildEnvelope(eventID, name, org, math.MinInt64, data)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(env) - len(data); got > envelopeOverhead {
		t.Fatalf("envelope overhead %d > budget %d", got, envelopeOverhead)
	}
	body, err := Delivery{DeliveryID: "dlv_" + strings.Repeat("f", 32), EventID: eventID, OrgID: org,
		WebhookID: "wh_" + strings.Repeat("w", 26), EventName: name, Envelope: string(env), Test: true, Resend: 9_999_999_999}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(body) - len(data); got != deliveryOverhead {
		t.Fatalf("delivery message overhead %d, budget %d: the arithmetic no longer describes the encoder", got, deliveryOverhead)
	}
	if len(body)+deliveryDLQAttrs > MessageMax {
		t.Fatalf("worst-case dead letter is %d bytes", len(body)+deliveryDLQAttrs)
	}
}

// The README is the contract producers read; it must state these figures.
func TestReadmeStatesTheLimits(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"259,072 bytes", "9,998 levels", "at most 259,072 bytes (253 KiB)", "up to 212 bytes"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README does not state %q", want)
		}
	}
	if MaxDataBytes != 259_072 || MaxDataDepth != 9_998 || MaxEntryBytes != 259_072 || entryToRecord != 212 {
		t.Errorf("limits changed (%d bytes, %d levels, entries %d bytes of which the event's fields %d): update the README and docs/internals.md",
			MaxDataBytes, MaxDataDepth, MaxEntryBytes, entryToRecord)
	}
	for _, want := range []string{"**64 characters** long", "at most **400** either way", "`1e401` does not", "most **10,000** numbers"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README does not state the number bounds: %q", want)
		}
	}
	if MaxNumberLen != 64 || MaxNumberExponent != 400 || MaxNumbers != 10_000 {
		t.Errorf("number bounds changed (%d characters, exponent ±%d, %d numbers): update the README, docs/internals.md, openapi.json and ErrNumber",
			MaxNumberLen, MaxNumberExponent, MaxNumbers)
	}
}

func TestFitAttributesDropsTheLeastUsefulFirst(t *testing.T) {
	attrs := map[string]string{AttrReason: ReasonPermanentStatus, AttrLastError: "timeout", AttrAttempts: "4",
		AttrOrgID: "org_a", AttrFirstAttempt: "2026-11-30T10:00:00Z"}
	small := "{}"
	if got := FitAttributes(small, attrs); len(got) != len(attrs) {
		t.Fatalf("a small body lost attributes: %v", got)
	}
	// Room for everything but last_error and first_attempt_at.
	body := strings.Repeat("b", MessageMax-SQSSize("", attrs)+attr(AttrLastError, 7)+attr(AttrFirstAttempt, 20)-1)
	got := FitAttributes(body, attrs)
	if len(got) != 3 || got[AttrReason] == "" || got[AttrOrgID] == "" || got[AttrAttempts] == "" || SQSSize(body, got) > MessageMax {
		t.Fatalf("kept %v", got)
	}
	if len(attrs) != 5 {
		t.Fatal("FitAttributes changed its argument")
	}
	if got := FitAttributes(strings.Repeat("b", MessageMax-5), attrs); len(got) != 0 {
		t.Fatalf("a body with no room kept %v", got)
	}
}

func TestCheckDataRefusesTheNoncharactersSQSRefuses(t *testing.T) {
	for _, data := range []string{
		"\"a\uffff\"", "\"\ufffe\"", "{\"k\ufffe\":1}", "[1,\"x\uffffy\"]",
		`"\uffff"`, `"\uFFFE"`, `"\uFfFf"`, `{"a":["\ufffe"]}`, `"\\\uffff"`,
	} {
		err := CheckData([]byte(data))
		if !errors.Is(err, ErrNoncharacter) || !strings.Contains(err.Error(), "U+FFF") {
			t.Errorf("%q: %v, want ErrNoncharacter naming the character", data, err)
		}
		if err != nil && !SQSText(err.Error()) {
			t.Errorf("%q: the error %q cannot be an SQS attribute", data, err)
		}
	}
	// Escaped backslashes, neighbours and the noncharacters SQS accepts.
	for _, data := range []string{
		`"\\uffff"`, `"\\\\ufffe"`, `"\ufffd"`, "\"\ufffd\"", `"\uefff"`, `"\uffef"`, `"fff\u0066"`,
		"\"\U0001fffe\U0010ffff\"", `"\ud83f\udfff"`, "\"\u00ef\u00bf\u00bf\"", `"\u0000\u001f"`,
	} {
		if err := CheckData([]byte(data)); err != nil {
			t.Errorf("%q: %v", data, err)
		}
	}
}

// Every character SQS refuses, raw or escaped in valid JSON: either
// CheckData refuses the data, or encoding/json writes it again (decoded,
// then encoded as the pipeline's encoders do) as text SQS accepts.
func TestWhatCheckDataAcceptsReachesSQSAsValidText(t *testing.T) {
	var refused []rune
	for r := rune(0); r < 0x20; r++ {
		if r != '\t' && r != '\n' && r != '\r' {
			refused = append(refused, r)
		}
	}
	for r := rune(0xd800); r <= 0xdfff; r++ {
		refused = append(refused, r)
	}
	refused = append(refused, 0xfffe, 0xffff)
	for _, r := range refused {
		candidates := []string{fmt.Sprintf(`"\u%04x"`, r), fmt.Sprintf(`"\u%04X"`, r)}
		if utf8.ValidRune(r) {
			candidates = append(candidates, `"`+string(r)+`"`)
		}
		for _, data := range candidates {
			if !json.Valid([]byte(data)) || CheckData([]byte(data)) != nil {
				continue
			}
			var v any
			if err := json.Unmarshal([]byte(data), &v); err != nil {
				t.Fatal(err)
			}
			out, err := plainjson.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if !SQSText(string(out)) {
				t.Errorf("U+%04X as %q passed CheckData, and encoding/json writes %q", r, data, out)
			}
		}
	}
}
