// Package verify checks hookrelay webhook signatures on the receiving side.
// Tenants who write their endpoint in Go import
// github.com/hookrelay/hookrelay/verify; it uses the standard library only
// and keeps no state between calls. The algorithm (for any language) is in
// docs/signatures.md.
//
// Read the raw body before parsing it (the signature covers the exact
// bytes), then verify with the signing secret the API returned, and
// deduplicate on the event id VerifyDelivery returns:
//
//	func handle(w http.ResponseWriter, r *http.Request) {
//		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
//		if err != nil {
//			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
//			return
//		}
//		d, err := verify.VerifyDelivery(secret, r.Header, body, "Hookrelay", time.Now())
//		if err != nil {
//			http.Error(w, "bad signature", http.StatusUnauthorized)
//			return
//		}
//		// Deduplicate on d.EventID: retries, resends and redrives carry
//		// the same, and the signature covers it.
//		w.WriteHeader(http.StatusNoContent)
//	}
//
// Never deduplicate on the X-Hookrelay-Delivery header: no signature covers
// it, so whoever saw one delivery could replay it within the tolerance
// under a new id. VerifyDelivery returns only ids a signature covers.
//
// Verify checks every header family present: the Stripe-compatible
// X-<Prefix>-Signature and the Standard Webhooks webhook-signature. At
// least one must be present. A signature older or newer than five minutes is
// refused (replay protection), comparisons are constant-time, and during a
// secret rotation any of the v1 entries may match. A receiver that holds
// both its old and new secret while it migrates uses Verifier with both.
//
// Every secret must be the whsec_… value the API returned: an empty or
// malformed one fails every request with ErrBadSecret (CheckSecret), so a
// missing WEBHOOK_SECRET can never accept forgeries keyed by "". Check it
// once at startup too, to fail loudly:
//
//	if err := verify.CheckSecret(secret); err != nil {
//		log.Fatalf("WEBHOOK_SECRET: %v", err)
//	}
package verify

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// DefaultTolerance is the largest accepted distance between the signed
// timestamp and the receiver's clock.
const DefaultTolerance = 5 * time.Minute

// DefaultPrefix is the header brand of a deployment that did not set one.
const DefaultPrefix = "Hookrelay"

// Errors; callers test them with errors.Is. None contains a secret. An
// unusable secret (empty, no whsec_ prefix, not base64) is ErrBadSecret, a
// configuration error: answer 500, not 401, so hookrelay retries.
var (
	ErrNoSignature = errors.New("verify: no signature header")
	ErrMalformed   = errors.New("verify: malformed signature header")
	ErrTimestamp   = errors.New("verify: timestamp outside tolerance")
	ErrMismatch    = errors.New("verify: no signature matches")
)

// Verifier verifies with one or more secrets.
type Verifier struct {
	Secrets   []string
	Prefix    string        // DefaultPrefix when empty
	Tolerance time.Duration // DefaultTolerance when zero
	// RequireStandardWebhooks refuses a request without webhook-signature
	// (ErrNoSignature), which hookrelay always sends: then webhook-id, which
	// that signature covers, is authenticated on every request verified.
	RequireStandardWebhooks bool
}

// Verify checks headers and body with one secret (see the package doc).
func Verify(secret string, headers http.Header, body []byte, prefix string, now time.Time) error {
	return Verifier{Secrets: []string{secret}, Prefix: prefix}.Verify(headers, body, now)
}

// Verify checks every signature family present in headers; at least one
// must be present (webhook-signature, with RequireStandardWebhooks) and
// all present must verify.
func (v Verifier) Verify(headers http.Header, body []byte, now time.Time) error {
	_, err := v.check(headers, body, now)
	return err
}

// check is Verify, also telling whether the Standard Webhooks family (the
// one that signs webhook-id) was verified.
func (v Verifier) check(headers http.Header, body []byte, now time.Time) (standard bool, err error) {
	prefix := v.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	keys, err := v.keys()
	if err != nil {
		return false, err
	}
	checked := 0
	if raw := headers.Get(HeaderName(prefix, "Signature")); raw != "" {
		if err := v.verifyStripe(raw, body, now); err != nil {
			return false, fmt.Errorf("%s: %w", HeaderName(prefix, "Signature"), err)
		}
		checked++
	}
	if raw := headers.Get(HeaderWebhookSignature); raw != "" {
		if err := v.verifyStandard(keys, headers, raw, body, now); err != nil {
			return false, fmt.Errorf("%s: %w", HeaderWebhookSignature, err)
		}
		standard = true
		checked++
	}
	if v.RequireStandardWebhooks && !standard {
		return false, fmt.Errorf("%s: %w", HeaderWebhookSignature, ErrNoSignature)
	}
	if checked == 0 {
		return false, ErrNoSignature
	}
	return standard, nil
}

// keys checks every secret (CheckSecret) and returns their Standard
// Webhooks keys. One unusable secret fails every request, whatever the
// others: a receiver keyed by "" would accept forgeries in either family.
func (v Verifier) keys() ([][]byte, error) {
	if len(v.Secrets) == 0 {
		return nil, fmt.Errorf("verify: no secret: %w", ErrBadSecret)
	}
	keys := make([][]byte, len(v.Secrets))
	for i, secret := range v.Secrets {
		if err := CheckSecret(secret); err != nil {
			return nil, fmt.Errorf("verify: secret %d of %d: %w", i+1, len(v.Secrets), err)
		}
		keys[i], _ = StandardKey(secret) // CheckSecret has decoded it
	}
	return keys, nil
}

func (v Verifier) verifyStripe(raw string, body []byte, now time.Time) error {
	sig, err := ParseSignatureHeader(raw)
	if err != nil {
		return err
	}
	if err := v.fresh(sig.Timestamp, now); err != nil {
		return err
	}
	for _, secret := range v.Secrets {
		want := Sum(secret, sig.Timestamp, body)
		if anyEqual(want, sig.V1) {
			return nil
		}
	}
	return ErrMismatch
}

func (v Verifier) verifyStandard(keys [][]byte, h http.Header, raw string, body []byte, now time.Time) error {
	id := h.Get(HeaderWebhookID)
	t, err := parseTimestamp(h.Get(HeaderWebhookTimestamp))
	if id == "" || err != nil {
		return fmt.Errorf("%w: webhook-id or webhook-timestamp missing or invalid", ErrMalformed)
	}
	sigs, err := ParseStandardSignatureHeader(raw)
	if err != nil {
		return err
	}
	if err := v.fresh(t, now); err != nil {
		return err
	}
	for _, key := range keys {
		if anyEqual(StandardSum(key, id, t, body), sigs) {
			return nil
		}
	}
	return ErrMismatch
}

func (v Verifier) fresh(t int64, now time.Time) error {
	tol := v.Tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	// Seconds arithmetic: t is bounded by parseTimestamp, so no overflow.
	d := now.Unix() - t
	if d < 0 {
		d = -d
	}
	if d > int64(tol/time.Second) {
		return ErrTimestamp
	}
	return nil
}

// anyEqual compares want with every candidate in constant time per
// candidate (hmac.Equal), so timing reveals nothing about the digest.
func anyEqual(want []byte, candidates [][]byte) bool {
	ok := false
	for _, c := range candidates {
		if hmac.Equal(want, c) {
			ok = true
		}
	}
	return ok
}

// maxTimestamp bounds parsed timestamps (year 5138) so arithmetic on them
// cannot overflow.
const maxTimestamp = 1 << 37

func parseTimestamp(s string) (int64, error) {
	if s == "" || len(s) > 12 {
		return 0, ErrMalformed
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, ErrMalformed
		}
	}
	t, err := strconv.ParseInt(s, 10, 64)
	if err != nil || t > maxTimestamp {
		return 0, ErrMalformed
	}
	return t, nil
}
