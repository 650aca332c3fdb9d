package verify_test

import (
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/verify"
)

// forgedWith is what anyone can send once they guess the receiver's secret:
// the Stripe-compatible family keyed by it.
func forgedWith(secret string) http.Header {
	h := http.Header{}
	h.Set("X-Hookrelay-Signature", "t=1745000000,v1="+hex.EncodeToString(verify.Sum(secret, signedAt.Unix(), []byte(body))))
	return h
}

// A receiver whose WEBHOOK_SECRET is unset, empty or not the whsec_ value
// the API returned refuses every request with ErrBadSecret, including the
// forgery keyed by that same value, instead of checking signatures with it.
func TestVerifierRefusesUnusableSecrets(t *testing.T) {
	now := signedAt.Add(90 * time.Second)
	standardOnly := vectorHeaders()
	standardOnly.Del("X-Hookrelay-Signature")
	cases := []struct {
		name    string
		secrets []string
		headers http.Header
	}{
		{"empty secret, forged with the empty key", []string{""}, forgedWith("")},
		{"no secret at all", nil, vectorHeaders()},
		{"an empty secret beside the real one", []string{"", secretNew}, vectorHeaders()},
		{"the real one beside an empty one, Standard family only", []string{secretNew, ""}, standardOnly},
		{"no whsec_ prefix, forged with it", []string{"not-a-secret"}, forgedWith("not-a-secret")},
		{"base64 without whsec_", []string{strings.TrimPrefix(secretNew, verify.SecretPrefix)}, standardOnly},
		{"whsec_ alone, forged with it", []string{verify.SecretPrefix}, forgedWith(verify.SecretPrefix)},
		{"whsec_ + not base64, forged with it", []string{"whsec_???"}, forgedWith("whsec_???")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := verify.Verifier{Secrets: c.secrets}
			if err := v.Verify(c.headers, []byte(body), now); !errors.Is(err, verify.ErrBadSecret) {
				t.Fatalf("Verify = %v, want ErrBadSecret", err)
			}
			d, err := v.VerifyDelivery(c.headers, []byte(body), now)
			if !errors.Is(err, verify.ErrBadSecret) || d != (verify.Delivery{}) {
				t.Fatalf("VerifyDelivery = %+v, %v; want nothing, ErrBadSecret", d, err)
			}
			for _, s := range c.secrets {
				if len(s) > len(verify.SecretPrefix) && strings.Contains(err.Error(), s) {
					t.Fatalf("error %q contains the secret", err)
				}
			}
		})
	}
	if _, err := verify.VerifyDelivery("", forgedWith(""), []byte(body), "Hookrelay", now); !errors.Is(err, verify.ErrBadSecret) ||
		!strings.Contains(err.Error(), "empty") {
		t.Fatalf("VerifyDelivery with an empty secret: %v, want ErrBadSecret saying it is empty", err)
	}
}

func TestCheckSecret(t *testing.T) {
	for _, good := range []string{secretNew, secretOld, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"} {
		if err := verify.CheckSecret(good); err != nil {
			t.Errorf("CheckSecret(%q) = %v", good, err)
		}
	}
	for _, bad := range []string{"", " ", "whsec_", "whsec_====", "whsec_???", "WHSEC_AAAA", strings.TrimPrefix(secretNew, "whsec_"), " " + secretNew} {
		if err := verify.CheckSecret(bad); !errors.Is(err, verify.ErrBadSecret) {
			t.Errorf("CheckSecret(%q) = %v, want ErrBadSecret", bad, err)
		}
	}
}
