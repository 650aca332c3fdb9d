package verify_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/signing"
	"github.com/hookrelay/hookrelay/verify"
)

// FuzzParseStandardSignatureHeader: never panics; refusals are
// ErrMalformed; what it accepts is 1..verify.MaxEntries SHA-256 digests that
// survive a format/parse round trip.
func FuzzParseStandardSignatureHeader(f *testing.F) {
	d := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	f.Add("v1," + d)
	f.Add("v1a,xyz v1," + d + "  v1," + d)
	f.Add("v1,")
	f.Add("v1," + d[:43])
	f.Add(",v1 v1,,")
	f.Add(strings.Repeat("v2,x ", verify.MaxEntries+1))
	f.Fuzz(func(t *testing.T, v string) {
		sigs, err := verify.ParseStandardSignatureHeader(v)
		if err != nil {
			if !errors.Is(err, verify.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if len(sigs) == 0 || len(sigs) > verify.MaxEntries {
			t.Fatalf("accepted %d entries from %q", len(sigs), v)
		}
		var parts []string
		for _, s := range sigs {
			if len(s) != 32 {
				t.Fatalf("accepted a %d-byte digest from %q", len(s), v)
			}
			parts = append(parts, "v1,"+base64.StdEncoding.EncodeToString(s))
		}
		again, err := verify.ParseStandardSignatureHeader(strings.Join(parts, " "))
		if err != nil || len(again) != len(sigs) {
			t.Fatalf("round trip of %q: %d entries, %v", v, len(again), err)
		}
		for i := range sigs {
			if !bytes.Equal(again[i], sigs[i]) {
				t.Fatalf("round trip of %q changed entry %d", v, i)
			}
		}
	})
}

const fuzzSecret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

var fuzzNow = time.Unix(1745000000, 0)

// FuzzVerifyHeaders: arbitrary header values are refused with one of the
// documented errors, never a panic; and an acceptance is only ever for a
// value that carries the digest of this body under this secret.
func FuzzVerifyHeaders(f *testing.F) {
	good, err := signing.Headers(signing.Request{Prefix: verify.DefaultPrefix, DeliveryID: "dlv_1", Timestamp: fuzzNow,
		Secrets: []string{fuzzSecret}, Body: []byte(`{}`)})
	if err != nil {
		f.Fatal(err)
	}
	stripe := good.Get(verify.HeaderName(verify.DefaultPrefix, "Signature"))
	f.Add(stripe, "dlv_1", "1745000000", good.Get(verify.HeaderWebhookSignature), []byte(`{}`))
	f.Add(stripe, "", "", "", []byte(`{}`))
	f.Add("", "dlv_1", "1745000000", good.Get(verify.HeaderWebhookSignature), []byte(`{ }`))
	f.Add("t=1745000000,v1=00", "x", "-1", "v1,AA==", []byte{})
	f.Fuzz(func(t *testing.T, sig, id, ts, std string, body []byte) {
		h := http.Header{}
		h.Set(verify.HeaderName(verify.DefaultPrefix, "Signature"), sig)
		h.Set(verify.HeaderWebhookID, id)
		h.Set(verify.HeaderWebhookTimestamp, ts)
		h.Set(verify.HeaderWebhookSignature, std)
		err := verify.Verify(fuzzSecret, h, body, verify.DefaultPrefix, fuzzNow)
		if err != nil {
			for _, known := range []error{verify.ErrNoSignature, verify.ErrMalformed, verify.ErrTimestamp, verify.ErrMismatch} {
				if errors.Is(err, known) {
					return
				}
			}
			t.Fatalf("undocumented error %v", err)
		}
		if h.Get(verify.HeaderName(verify.DefaultPrefix, "Signature")) == "" && h.Get(verify.HeaderWebhookSignature) == "" {
			t.Fatal("accepted a request without a signature header")
		}
		if v := h.Get(verify.HeaderName(verify.DefaultPrefix, "Signature")); v != "" {
			s, err := verify.ParseSignatureHeader(v)
			if err != nil || !containsDigest(s.V1, verify.Sum(fuzzSecret, s.Timestamp, body)) {
				t.Fatalf("accepted %q without this body's digest", v)
			}
		}
		if v := h.Get(verify.HeaderWebhookSignature); v != "" {
			sigs, err := verify.ParseStandardSignatureHeader(v)
			key, _ := verify.StandardKey(fuzzSecret)
			stamp, terr := verify.ParseTimestamp(h.Get(verify.HeaderWebhookTimestamp))
			if err != nil || terr != nil || !containsDigest(sigs, verify.StandardSum(key, h.Get(verify.HeaderWebhookID), stamp, body)) {
				t.Fatalf("accepted %q without this body's digest", v)
			}
		}
	})
}

// FuzzSignThenVerify: whatever the body, what signing produces verifies,
// and changing one byte of the body breaks both signature families.
func FuzzSignThenVerify(f *testing.F) {
	f.Add([]byte(`{"id":"evt_1"}`), uint16(3), "dlv_1")
	f.Add([]byte{}, uint16(0), "d")
	f.Add([]byte{0xff, 0x00, '\n'}, uint16(1), "dlv_\u00e9")
	f.Fuzz(func(t *testing.T, body []byte, at uint16, delivery string) {
		if delivery == "" {
			return // signing needs a delivery id (the webhook-id header)
		}
		h, err := signing.Headers(signing.Request{Prefix: verify.DefaultPrefix, DeliveryID: delivery, Timestamp: fuzzNow,
			Secrets: []string{fuzzSecret}, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		if h.Get(verify.HeaderWebhookID) != delivery {
			return // a value net/http would not send as-is (e.g. with a newline)
		}
		if err := verify.Verify(fuzzSecret, h, body, verify.DefaultPrefix, fuzzNow); err != nil {
			t.Fatalf("own signature refused: %v", err)
		}
		if len(body) == 0 {
			return
		}
		changed := bytes.Clone(body)
		changed[int(at)%len(changed)] ^= 0x01
		for _, family := range []string{verify.HeaderName(verify.DefaultPrefix, "Signature"), verify.HeaderWebhookSignature} {
			one := h.Clone()
			one.Del(family)
			if err := verify.Verify(fuzzSecret, one, changed, verify.DefaultPrefix, fuzzNow); !errors.Is(err, verify.ErrMismatch) {
				t.Fatalf("changed body with only the other family than %s: %v, want ErrMismatch", family, err)
			}
		}
	})
}

func containsDigest(list [][]byte, want []byte) bool {
	for _, d := range list {
		if bytes.Equal(d, want) {
			return true
		}
	}
	return false
}

// FuzzStandardKey: the secret parser never panics; a refusal is
// verify.ErrBadSecret with no key; an accepted secret yields a non-empty key that
// its canonical form (verify.SecretPrefix + padded base64) yields again, so two
// spellings of one secret can never sign differently.
func FuzzStandardKey(f *testing.F) {
	for _, s := range []string{
		fuzzSecret, strings.TrimPrefix(fuzzSecret, verify.SecretPrefix), verify.SecretPrefix, verify.SecretPrefix + "====",
		verify.SecretPrefix + "AAEC\nAwQF", verify.SecretPrefix + "-_8", verify.SecretPrefix + verify.SecretPrefix + "AAAA", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, secret string) {
		key, err := verify.StandardKey(secret)
		if err != nil {
			if !errors.Is(err, verify.ErrBadSecret) || key != nil {
				t.Fatalf("StandardKey(%q) = %x, %v; want nil, ErrBadSecret", secret, key, err)
			}
			return
		}
		if len(key) == 0 {
			t.Fatalf("StandardKey(%q) accepted an empty key", secret)
		}
		again, err := verify.StandardKey(verify.SecretPrefix + base64.StdEncoding.EncodeToString(key))
		if err != nil || !bytes.Equal(again, key) {
			t.Fatalf("canonical form of %q: %x, %v", secret, again, err)
		}
	})
}
