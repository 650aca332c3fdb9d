package signing

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/verify"
)

// Fixed vectors. The expected values were computed once, independently of
// this package, with openssl (see docs/signatures.md for the commands):
//
//	echo -n "$T.$BODY" | openssl dgst -sha256 -hmac "$SECRET"
//	echo -n "$ID.$T.$BODY" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$(echo -n "${SECRET#whsec_}" | base64 -d | xxd -p -c 64) -binary | base64
const (
	vecSecretNew = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" // bytes 0..31
	vecSecretOld = "whsec_ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=" // bytes 32..63
	vecT         = 1745000000
	vecID        = "dlv_0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	vecBody      = `{"id":"evt_01hzy3k7q8m9v0w1x2y3z4a5b6","event_name":"emailClick","organization_id":"org_abc","timestamp":1745000000,"data":{"email":"ada@example.com"}}`

	vecHexNew = "35feacb005d32358c10156c2e460512d6039d3e535a8983dfc36cd2f0a22aa47"
	vecHexOld = "99d199d10a137fa554657cfb4244d81063951d6a12e3572e298bf13fe3c3725c"
	vecB64New = "dVQudng9sgRTdSnZI+taPjXHowPtQGLvRX9Y50ERILo="
	vecB64Old = "/xycR/mTPOToPf8WE/NCuKetRbLOnEmTI9KlcP1ZTyE="
)

func TestSignatureHexVector(t *testing.T) {
	if got := SignatureHex(vecSecretNew, vecT, []byte(vecBody)); got != vecHexNew {
		t.Fatalf("SignatureHex = %s, want %s", got, vecHexNew)
	}
}

// The Standard Webhooks specification's own published example.
func TestStandardWebhooksSpecVector(t *testing.T) {
	key, err := verify.StandardKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := SignatureBase64(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if want := "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestSignaturesDuringRotationNewestFirst(t *testing.T) {
	active := []string{vecSecretNew, vecSecretOld}
	sig, err := Signature(active, vecT, []byte(vecBody))
	if err != nil {
		t.Fatal(err)
	}
	if want := "t=1745000000,v1=" + vecHexNew + ",v1=" + vecHexOld; sig != want {
		t.Fatalf("Signature =\n %s\nwant\n %s", sig, want)
	}
	std, err := StandardSignature(active, vecID, vecT, []byte(vecBody))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1," + vecB64New + " v1," + vecB64Old; std != want {
		t.Fatalf("StandardSignature =\n %s\nwant\n %s", std, want)
	}
}

func TestHeaders(t *testing.T) {
	h, err := Headers(Request{
		Prefix: "Aigeon", Version: "1.2.3", EventName: "emailClick", DeliveryID: vecID,
		Timestamp: time.Unix(vecT, 999), Secrets: []string{vecSecretNew}, Body: []byte(vecBody),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := http.Header{
		"Content-Type":       {"application/json"},
		"User-Agent":         {"hookrelay/1.2.3"},
		"X-Aigeon-Event":     {"emailClick"},
		"X-Aigeon-Delivery":  {vecID},
		"X-Aigeon-Signature": {"t=1745000000,v1=" + vecHexNew},
		"Webhook-Id":         {vecID},
		"Webhook-Timestamp":  {"1745000000"},
		"Webhook-Signature":  {"v1," + vecB64New},
	}
	if len(h) != len(want) {
		t.Fatalf("got %d headers %v, want %d", len(h), h, len(want))
	}
	for k, v := range want {
		if got := h.Values(k); len(got) != 1 || got[0] != v[0] {
			t.Errorf("%s = %q, want %q", k, got, v[0])
		}
	}
}

func TestNoSecretNeverSignsEmpty(t *testing.T) {
	if _, err := Headers(Request{Prefix: "Hookrelay", Body: []byte("{}")}); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("err = %v, want ErrNoSecret", err)
	}
}

func TestBadStandardSecretDoesNotLeak(t *testing.T) {
	const secret = "whsec_not*base64!"
	_, err := StandardSignature([]string{secret}, vecID, vecT, []byte(vecBody))
	if !errors.Is(err, verify.ErrBadSecret) {
		t.Fatalf("err = %v, want verify.ErrBadSecret", err)
	}
	if msg := err.Error(); len(msg) == 0 || strings.Contains(msg, "not*base64") {
		t.Fatalf("error leaks the secret: %q", msg)
	}
}
