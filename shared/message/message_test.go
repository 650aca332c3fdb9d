package message

import (
	"errors"
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

func TestDeliveryRoundTripAndValidation(t *testing.T) {
	d := Delivery{DeliveryID: "dlv_1", EventID: "evt_1", OrgID: "org", WebhookID: "wh_1", EventName: "x", Envelope: `{"a":1}`}
	body, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(body)
	if err != nil || got.V != Version || got.Envelope != d.Envelope {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	for _, bad := range []string{`not json`, `{"v":2}`, `{"v":1,"delivery_id":"d"}`} {
		if _, err := Decode(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("Decode(%q) = %v, want ErrMalformed", bad, err)
		}
	}
}
