package message

import (
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"
)

func TestEnvelopeFieldOrderAndBytes(t *testing.T) {
	b, err := BuildEnvelope("evt_1", "emailClick", "org_abc", 1745000000, []byte(`{"url":"https://x.test/a?b=1&c=<d>"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"evt_1","event_name":"emailClick","organization_id":"org_abc","timestamp":1745000000,"data":{"url":"https://x.test/a?b=1&c=<d>"}}`
	if string(b) != want {
		t.Fatalf("envelope\n got %s\nwant %s", b, want)
	}
	if _, err := BuildEnvelope("e", "n", "o", 1, []byte(`{`)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("invalid data: %v", err)
	}
}

func TestDeliveryRoundTripKeepsTheEnvelopeBytes(t *testing.T) {
	// Whitespace, HTML characters, escapes and U+2028 must come back byte
	// for byte: they are what the signature covers.
	for _, env := range []string{
		`{"a":1}`,
		`{"id":"evt_1", "data": {"html":"<a href=\"x\">&amp;</a>","ls":"` + "\u2028" + `","esc":"\u00e9\n"} }`,
	} {
		d := Delivery{DeliveryID: "dlv_1", EventID: "evt_1", OrgID: "org", WebhookID: "wh_1", EventName: "x", Envelope: env}
		body, err := d.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(body, `{"v":2,`) || !strings.HasSuffix(body, `"envelope":`+env+`}`) {
			t.Fatalf("body %s does not carry the envelope raw", body)
		}
		got, err := Decode(body)
		if err != nil || got.V != Version || got.Envelope != env || got.DeliveryID != "dlv_1" || got.EventName != "x" {
			t.Fatalf("round trip: %+v %v", got, err)
		}
	}
	if _, err := (Delivery{DeliveryID: "d", Envelope: "plain"}).Encode(); !errors.Is(err, ErrMalformed) {
		t.Fatalf("an envelope that is not a JSON object: %v, want ErrMalformed", err)
	}
}

// The tenant's test mark travels with the message and is left out of
// every other one, so a message written before the field existed (or by
// fan-out) reads as no test.
func TestTheTestMarkIsAdditive(t *testing.T) {
	d := Delivery{DeliveryID: "dlv_1", EventID: "evt_1", OrgID: "org", WebhookID: "wh_1", EventName: "webhook.test", Envelope: `{"a":1}`}
	plain, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"v":2,"delivery_id":"dlv_1","event_id":"evt_1","organization_id":"org","webhook_id":"wh_1","event_name":"webhook.test","envelope":{"a":1}}`
	if plain != want {
		t.Fatalf("unmarked body\n %s\nwant\n %s", plain, want)
	}
	d.Test = true
	marked, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(want, `,"envelope"`, `,"test":true,"envelope"`, 1); marked != want {
		t.Fatalf("marked body\n %s\nwant\n %s", marked, want)
	}
	for body, test := range map[string]bool{plain: false, marked: true} {
		if got, err := Decode(body); err != nil || got.Test != test {
			t.Errorf("Decode(%s) = %+v, %v; want Test %v", body, got, err, test)
		}
	}
}

func TestDecodeReadsVersionOneMessages(t *testing.T) {
	// Exactly what version 1 wrote, still in queues and DLQs after an upgrade.
	v1 := `{"v":1,"delivery_id":"dlv_1","event_id":"evt_1","organization_id":"org","webhook_id":"wh_1","event_name":"x","envelope":"{\"id\":\"evt_1\",\"data\":{\"u\":\"\u003cb\u003e\"}}"}`
	got, err := Decode(v1)
	if err != nil || got.V != 1 || got.Envelope != `{"id":"evt_1","data":{"u":"<b>"}}` {
		t.Fatalf("v1: %+v %v", got, err)
	}
}

func TestDecodeRejectsPoison(t *testing.T) {
	for _, bad := range []string{
		`not json`,
		`{"v":3,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":{}}`,
		`{"v":1,"delivery_id":"d"}`,
		`{"v":2,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":"{}"}`,
		`{"v":1,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":{}}`,
		`{"v":2,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n"}`,
		`{"v":2,"delivery_id":"","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":{}}`,
	} {
		if _, err := Decode(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("Decode(%s) = %v, want ErrMalformed", bad, err)
		}
	}
}

// Each field delivery needs is required: a message without its organization
// would be dropped as its webhook deleted instead of dead-lettered. Decode
// refuses it missing and empty alike.
func TestDecodeRequiresEveryField(t *testing.T) {
	complete := map[string]any{"v": 2, "delivery_id": "d", "event_id": "e", "organization_id": "o", "webhook_id": "w", "event_name": "n", "envelope": map[string]any{"id": "e"}}
	if _, err := Decode(mustJSON(t, complete)); err != nil {
		t.Fatalf("the complete message: %v", err)
	}
	for _, field := range []string{"delivery_id", "event_id", "organization_id", "webhook_id", "event_name"} {
		for _, value := range []any{nil, ""} {
			body := maps.Clone(complete)
			if value == nil {
				delete(body, field)
			} else {
				body[field] = value
			}
			if _, err := Decode(mustJSON(t, body)); !errors.Is(err, ErrMalformed) {
				t.Errorf("without %s (%v): %v, want ErrMalformed", field, value, err)
			}
		}
	}
}

// Encode takes only a JSON object as the envelope: what endpoints get is
// the envelope object, never an array or a string.
func TestEncodeRefusesAnEnvelopeThatIsNotAnObject(t *testing.T) {
	for _, env := range []string{`[]`, `"x"`, `1`, `plain`} {
		d := Delivery{DeliveryID: "d", EventID: "e", OrgID: "o", WebhookID: "w", EventName: "n", Envelope: env}
		if _, err := d.Encode(); !errors.Is(err, ErrMalformed) {
			t.Errorf("Encode with envelope %s: %v, want ErrMalformed", env, err)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
