package verify_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/hookrelay/hookrelay/verify"
)

// The signing secret the API returned when the webhook was created.
const secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// webhookHandler is a receiver's endpoint: read the raw body (the signature
// covers the exact bytes), verify it, and only then act on the event, once
// per signed event id (a real receiver keeps the ids in its database).
func webhookHandler(secret string, act func(eventID string)) http.Handler {
	var mu sync.Mutex
	seen := map[string]bool{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		d, err := verify.VerifyDelivery(secret, r.Header, body, verify.DefaultPrefix, time.Now())
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		// Deduplicate on d.EventID, which the signature covers: retries,
		// resends and redrives carry the same. Never on the
		// X-Hookrelay-Delivery header, which no signature covers.
		mu.Lock()
		first := !seen[d.EventID]
		seen[d.EventID] = true
		mu.Unlock()
		if first {
			act(d.EventID)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// signedRequest builds what hookrelay POSTs, signed in the
// X-Hookrelay-Signature family: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">.
func signedRequest(secret, body string, at time.Time) *http.Request {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.%s", at.Unix(), body)
	r := httptest.NewRequest(http.MethodPost, "/webhooks/hookrelay", strings.NewReader(body))
	r.Header.Set("X-Hookrelay-Signature", fmt.Sprintf("t=%d,v1=%x", at.Unix(), mac.Sum(nil)))
	return r
}

func Example_handler() {
	h := webhookHandler(secret, func(eventID string) { fmt.Println("acting on", eventID) })
	body := `{"id":"evt_1","event_name":"emailClick","data":{"email":"ada@example.com"}}`
	replayed := signedRequest(secret, body, time.Now())
	replayed.Header.Set("X-Hookrelay-Delivery", "dlv_made_up")
	for _, c := range []struct {
		name string
		r    *http.Request
	}{
		{"signed", signedRequest(secret, body, time.Now())},
		{"replayed under a new delivery header", replayed},
		{"other secret", signedRequest("whsec_b3RoZXI=", body, time.Now())},
		{"ten minutes old", signedRequest(secret, body, time.Now().Add(-10*time.Minute))},
		{"unsigned", httptest.NewRequest(http.MethodPost, "/webhooks/hookrelay", strings.NewReader(body))},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, c.r)
		fmt.Println(c.name, rec.Code)
	}
	// Output:
	// acting on evt_1
	// signed 204
	// replayed under a new delivery header 204
	// other secret 401
	// ten minutes old 401
	// unsigned 401
}

// During a secret rotation a receiver that has stored the new secret keeps
// the old one until its grace period ends.
func ExampleVerifier() {
	const previous = "whsec_ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
	v := verify.Verifier{Secrets: []string{secret, previous}}
	body := `{"id":"evt_2"}`
	r := signedRequest(previous, body, time.Now())
	fmt.Println(v.Verify(r.Header, []byte(body), time.Now()))
	// Output: <nil>
}

// Errors say why a request was refused, never which secret was tried.
func ExampleVerify() {
	body := []byte(`{"id":"evt_3"}`)
	err := verify.Verify(secret, http.Header{}, body, verify.DefaultPrefix, time.Now())
	fmt.Println(err)
	// Output: verify: no signature header
}
