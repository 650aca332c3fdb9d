package verify_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/signing"
	"github.com/hookrelay/hookrelay/verify"
)

const (
	secretNew  = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	secretOld  = "whsec_ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
	deliveryID = "dlv_0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	body       = `{"id":"evt_01hzy3k7q8m9v0w1x2y3z4a5b6","event_name":"emailClick","organization_id":"org_abc","timestamp":1745000000,"data":{"email":"ada@example.com"}}`
)

var signedAt = time.Unix(1745000000, 0)

// vectorHeaders are the headers of docs/signatures.md, written out by hand
// (digests computed with openssl), so this test does not trust the signer.
func vectorHeaders() http.Header {
	h := http.Header{}
	h.Set("X-Hookrelay-Signature", "t=1745000000,v1=35feacb005d32358c10156c2e460512d6039d3e535a8983dfc36cd2f0a22aa47,v1=99d199d10a137fa554657cfb4244d81063951d6a12e3572e298bf13fe3c3725c")
	h.Set("webhook-id", deliveryID)
	h.Set("webhook-timestamp", "1745000000")
	h.Set("webhook-signature", "v1,dVQudng9sgRTdSnZI+taPjXHowPtQGLvRX9Y50ERILo= v1,/xycR/mTPOToPf8WE/NCuKetRbLOnEmTI9KlcP1ZTyE=")
	return h
}

func signed(t *testing.T, prefix string, active ...string) http.Header {
	t.Helper()
	h, err := signing.Headers(signing.Request{Prefix: prefix, EventName: "emailClick", DeliveryID: deliveryID,
		Timestamp: signedAt, Secrets: active, Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestVerify(t *testing.T) {
	now := signedAt.Add(90 * time.Second)
	stripeOnly := vectorHeaders()
	stripeOnly.Del("webhook-signature")
	standardOnly := vectorHeaders()
	standardOnly.Del("X-Hookrelay-Signature")
	tamperedStd := vectorHeaders()
	tamperedStd.Set("webhook-signature", "v1,"+strings.Repeat("A", 43)+"=")
	noID := vectorHeaders()
	noID.Del("webhook-id")

	cases := []struct {
		name    string
		secret  string
		headers http.Header
		body    string
		prefix  string
		now     time.Time
		want    error
	}{
		{"vectors, new secret", secretNew, vectorHeaders(), body, "Hookrelay", now, nil},
		{"vectors, old secret during rotation", secretOld, vectorHeaders(), body, "Hookrelay", now, nil},
		{"signer output, custom prefix", secretNew, signed(t, "Aigeon", secretNew), body, "Aigeon", now, nil},
		{"stripe family only", secretNew, stripeOnly, body, "Hookrelay", now, nil},
		{"standard family only", secretOld, standardOnly, body, "Hookrelay", now, nil},
		{"tampered body", secretNew, vectorHeaders(), strings.Replace(body, "ada@", "eve@", 1), "Hookrelay", now, verify.ErrMismatch},
		{"wrong secret", "whsec_" + strings.Repeat("Zm9v", 10) + "YmE=", vectorHeaders(), body, "Hookrelay", now, verify.ErrMismatch},
		{"one family tampered", secretNew, tamperedStd, body, "Hookrelay", now, verify.ErrMismatch},
		{"stale by 5m01s", secretNew, vectorHeaders(), body, "Hookrelay", signedAt.Add(5*time.Minute + time.Second), verify.ErrTimestamp},
		{"from the future by 6m", secretNew, vectorHeaders(), body, "Hookrelay", signedAt.Add(-6 * time.Minute), verify.ErrTimestamp},
		{"exactly 5m old", secretNew, vectorHeaders(), body, "Hookrelay", signedAt.Add(5 * time.Minute), nil},
		{"wrong prefix sees only the standard family", secretNew, vectorHeaders(), body, "Aigeon", now, nil},
		{"no headers", secretNew, http.Header{}, body, "Hookrelay", now, verify.ErrNoSignature},
		{"standard without webhook-id", secretNew, noID, body, "Hookrelay", now, verify.ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := verify.Verify(c.secret, c.headers, []byte(c.body), c.prefix, c.now)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}

// A receiver migrating between secrets holds both; an old delivery signed
// by the previous secret alone still verifies.
func TestVerifierWithSeveralReceiverSecrets(t *testing.T) {
	h := signed(t, "Hookrelay", secretOld)
	v := verify.Verifier{Secrets: []string{secretNew, secretOld}}
	if err := v.Verify(h, []byte(body), signedAt); err != nil {
		t.Fatalf("Verify = %v", err)
	}
	if err := (verify.Verifier{Secrets: []string{secretNew}}).Verify(h, []byte(body), signedAt); !errors.Is(err, verify.ErrMismatch) {
		t.Fatalf("new secret alone: %v, want ErrMismatch", err)
	}
}

func TestErrorsNeverContainSecret(t *testing.T) {
	err := verify.Verify(secretNew, vectorHeaders(), []byte("x"), "Hookrelay", signedAt)
	if err == nil || strings.Contains(err.Error(), secretNew[6:20]) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseSignatureHeader(t *testing.T) {
	d := strings.Repeat("ab", 32)
	good := []string{"t=1,v1=" + d, " t=1 , v1=" + d + ",v0=zz,v2=whatever", "v1=" + d + ",t=42,v1=" + d}
	for _, g := range good {
		if _, err := verify.ParseSignatureHeader(g); err != nil {
			t.Errorf("%q: %v", g, err)
		}
	}
	bad := []string{"", "t=1", "v1=" + d, "t=1,t=2,v1=" + d, "t=-1,v1=" + d, "t=1,v1=abc", "t=1,v1=" + d[:62] + "zz",
		"t=1;v1=" + d, "t=99999999999999,v1=" + d, "t=1,v1=" + d + strings.Repeat(",v1="+d, verify.MaxEntries)}
	for _, b := range bad {
		if _, err := verify.ParseSignatureHeader(b); !errors.Is(err, verify.ErrMalformed) {
			t.Errorf("%q: err = %v, want ErrMalformed", b, err)
		}
	}
}

// FuzzParseSignatureHeader: the parser never panics, accepts only
// well-formed values, and what it accepts survives a format/parse round trip.
func FuzzParseSignatureHeader(f *testing.F) {
	f.Add("t=1745000000,v1=35feacb005d32358c10156c2e460512d6039d3e535a8983dfc36cd2f0a22aa47")
	f.Add("t=1,v1=" + strings.Repeat("00", 32) + ",v1=" + strings.Repeat("ff", 32))
	f.Add("t=,v1=")
	f.Add("v1=x,t=1,,=")
	f.Fuzz(func(t *testing.T, v string) {
		s, err := verify.ParseSignatureHeader(v)
		if err != nil {
			if !errors.Is(err, verify.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if s.Timestamp < 0 || s.Timestamp > verify.MaxTimestamp || len(s.V1) == 0 || len(s.V1) > verify.MaxEntries+1 {
			t.Fatalf("accepted out-of-range value %+v from %q", s, v)
		}
		again, err := verify.ParseSignatureHeader(s.String())
		if err != nil || again.String() != s.String() {
			t.Fatalf("round trip of %q: %q, %v", v, again.String(), err)
		}
	})
}
