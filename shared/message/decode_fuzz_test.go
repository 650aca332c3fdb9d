package message

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzDecode holds Decode's contract for any queue body: it never panics;
// a refusal is ErrMalformed (the handler dead-letters those as poison) and
// returns no half-filled value; an acceptance has every field a delivery
// needs, and, when its envelope is a JSON object (always, for version 2),
// re-encodes to a body that decodes to the same delivery with the envelope
// bytes unchanged (resend and redrive re-send what they read).
func FuzzDecode(f *testing.F) {
	v2, err := Delivery{DeliveryID: "dlv_1", EventID: "evt_1", OrgID: "org<&>", WebhookID: "wh_é", EventName: "x\"y",
		Envelope: `{"id":"evt_1", "data":{"s":"line\nbreak \u2028 <b>"} }`}.Encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(v2)
	// Complete but for one field: seeds that reach the fuzz's check of
	// what Decode accepts.
	f.Add(`{"v":2,"delivery_id":"d","event_id":"e","webhook_id":"w","event_name":"n","envelope":{}}`)
	f.Add(`{"v":2,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"","event_name":"n","envelope":{}}`)
	f.Add(`{"v":2,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"webhook.test","test":true,"envelope":{}}`)
	f.Add(`{"v":1,"delivery_id":"dlv_1","event_id":"evt_1","organization_id":"org","webhook_id":"wh_1","event_name":"x","envelope":"{\"id\":\"evt_1\",\"data\":{\"u\":\"\u003cb\u003e\"}}"}`)
	f.Add(`{"v":1,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":"plain"}`)
	f.Add(`{"v":2,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":{},"envelope":{"a":1}}`)
	f.Add(`{"v":2.0,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":{}}`)
	f.Add(`{"v":2,"delivery_id":"d","event_id":"e","organization_id":"o","webhook_id":"w","event_name":"n","envelope":{"a":"\ud800"}}`)
	f.Add("{\"v\":2,\"delivery_id\":\"\xff\",\"event_id\":\"e\",\"organization_id\":\"o\",\"webhook_id\":\"w\",\"event_name\":\"n\",\"envelope\":{}}")
	f.Add(``)
	f.Add(`null`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		d, err := Decode(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode(%q): %v does not wrap ErrMalformed", body, err)
			}
			if d != (Delivery{}) {
				t.Fatalf("Decode(%q) refused but returned %+v", body, d)
			}
			return
		}
		if d.V != 1 && d.V != Version || d.DeliveryID == "" || d.EventID == "" || d.OrgID == "" || d.WebhookID == "" || d.EventName == "" || d.Envelope == "" {
			t.Fatalf("Decode(%q) accepted an incomplete delivery %+v", body, d)
		}
		object := json.Valid([]byte(d.Envelope)) && bytes.HasPrefix([]byte(d.Envelope), []byte("{"))
		if d.V == Version && !object {
			t.Fatalf("Decode(%q) accepted a version %d envelope that is not a JSON object", body, d.V)
		}
		if !object {
			return // a version 1 envelope of any text: delivered as is, never re-encoded as v2
		}
		again, err := d.Encode()
		if err != nil {
			t.Fatalf("accepted delivery does not encode: %v", err)
		}
		want := d
		want.V = Version
		if back, err := Decode(again); err != nil || back != want {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", body, back, err, want)
		}
	})
}
