package portal

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/signing"
)

// malformedCase is one call of both snippet functions on a header set,
// with what verify_signature and verify_standard_webhooks must answer.
type malformedCase struct {
	Name    string            `json:"name"`
	Headers map[string]string `json:"headers"`
	Want    [2]bool           `json:"want"`
}

// TestSnippetsRefuseMalformedHeaders runs the Node and Python snippets the
// "Verify your endpoint" page shows on malformed signature headers: each
// must answer false, never throw (a receiver that throws answers 500 to
// any sender, and hookrelay retries), as docs/signatures.md promises of
// its own. A real delivery's headers are the control.
func TestSnippetsRefuseMalformedHeaders(t *testing.T) {
	const secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	body := `{"id":"evt_1","event_name":"emailClick","organization_id":"org_a","timestamp":1,"data":{}}`
	h, err := signing.Headers(signing.Request{
		Prefix: "Acme", EventName: "emailClick", DeliveryID: "dlv_0f1e2d3c4b5a69788796a5b4c3d2e1f0",
		Timestamp: time.Now(), Secrets: []string{secret}, Body: []byte(body),
	})
	if err != nil {
		t.Fatal(err)
	}
	now := strconv.FormatInt(time.Now().Unix(), 10)
	sig := h.Get("X-Acme-Signature")
	v1 := sig[strings.Index(sig, ",")+1:] // the v1= part, without t=
	id, ts, std := h.Get("Webhook-Id"), h.Get("Webhook-Timestamp"), h.Get("Webhook-Signature")
	stripe := func(name, header string) malformedCase {
		return malformedCase{Name: name, Headers: map[string]string{"x-acme-signature": header}}
	}
	standard := func(name, id, ts, header string) malformedCase {
		return malformedCase{Name: name, Headers: map[string]string{"webhook-id": id, "webhook-timestamp": ts, "webhook-signature": header}}
	}
	cases := []malformedCase{
		{Name: "a real delivery", Headers: map[string]string{"x-acme-signature": sig, "webhook-id": id, "webhook-timestamp": ts, "webhook-signature": std}, Want: [2]bool{true, true}},
		stripe("a part without =", "t="+now+",garbage"),
		stripe("only commas", ",,"),
		stripe("no t=", v1),
		stripe("t without a value", "t,"+v1),
		stripe("t not a number", "t=abc,v1=00"),
		stripe("t with a fraction", "t="+now+".5,"+v1),
		stripe("t negative", "t=-"+now+","+v1),
		stripe("t not ASCII digits", "t=١٧٤٥٠٠٠٠٠٠,"+v1),
		stripe("t of 5,000 digits", "t="+strings.Repeat("9", 5000)+","+v1),
		stripe("v1 not ASCII", "t="+now+",v1=é"),
		stripe("v1 of the right length, not ASCII", "t="+now+",v1="+strings.Repeat("é", 64)),
		standard("webhook-signature not ASCII", id, ts, "v1,é"),
		standard("webhook-signature of the right length, not ASCII", id, ts, "v1,"+strings.Repeat("é", 44)),
		standard("webhook-timestamp not a number", id, "abc", std),
		standard("webhook-timestamp with a fraction", id, ts+".5", std),
		standard("webhook-timestamp of 5,000 digits", id, strings.Repeat("9", 5000), std),
		standard("no webhook-timestamp", id, "", std),
		standard("no webhook-id", "", ts, std),
	}
	for _, c := range cases {
		for k, v := range c.Headers {
			if v == "" {
				delete(c.Headers, k)
			}
		}
	}
	calls := make([]snippetCall, len(cases))
	for i, c := range cases {
		calls[i] = snippetCall{Name: c.Name, Secret: secret, Headers: c.Headers, Body: body}
	}
	for lang, got := range runSnippets(t, "Acme", calls) {
		for i, c := range cases {
			if got[i][0] != c.Want[0] || got[i][1] != c.Want[1] {
				t.Errorf("%s snippet, %s: verify_signature, verify_standard_webhooks = %v, %v; want %v, %v",
					lang, c.Name, got[i][0], got[i][1], c.Want[0], c.Want[1])
			}
		}
	}
}
