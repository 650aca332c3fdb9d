package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/testenv"
)

// answer is what a receiver does with one request.
type answer struct {
	status int           // HTTP status to answer (when not reset or hang)
	hang   time.Duration // wait this long first (longer than the delivery timeout: a timeout)
	reset  bool          // close the connection without answering (RST)
	// retryAfter is the Retry-After header to answer with ("" for none).
	retryAfter string
}

func status(code int) answer { return answer{status: code} }

// hit is one request a receiver saw and what it answered.
type hit struct {
	at       time.Time
	header   http.Header
	body     []byte
	answered int // status written; 0 for resets and hangs cut short
}

func (h hit) delivery() string { return h.header.Get("X-Hookrelay-Delivery") }

// receiver is an endpoint on 127.0.0.1 that records every request and
// answers with a per-request behaviour.
type receiver struct {
	srv    *httptest.Server
	decide func(n int, r *http.Request, body []byte) answer // n: 1-based request number

	mu      sync.Mutex
	hits    []hit
	markers map[string]bool // event ids of the marker events received
}

// newReceiver starts a receiver; decide picks each answer (nil: 200).
func newReceiver(t testing.TB, decide func(n int, r *http.Request, body []byte) answer) *receiver {
	rc := &receiver{decide: decide}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve)) // binds 127.0.0.1
	t.Cleanup(rc.srv.Close)
	return rc
}

// sequence answers the listed answers in order, then the last one forever.
func sequence(answers ...answer) func(int, *http.Request, []byte) answer {
	return func(n int, _ *http.Request, _ []byte) answer {
		return answers[min(n, len(answers))-1]
	}
}

func (rc *receiver) url(path string) string { return rc.srv.URL + path }

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if rc.tookMarker(body) {
		return // 200, and not one of the hits a test counts
	}
	rc.mu.Lock()
	n := len(rc.hits) + 1
	rc.hits = append(rc.hits, hit{at: time.Now(), header: r.Header.Clone(), body: body})
	rc.mu.Unlock()
	a := answer{status: http.StatusOK}
	if rc.decide != nil {
		a = rc.decide(n, r, body)
	}
	if a.hang > 0 {
		select {
		case <-time.After(a.hang):
		case <-r.Context().Done():
			return
		}
	}
	if a.reset {
		resetConnection(w)
		return
	}
	if a.retryAfter != "" {
		w.Header().Set("Retry-After", a.retryAfter)
	}
	w.WriteHeader(a.status)
	rc.mu.Lock()
	rc.hits[n-1].answered = a.status
	rc.mu.Unlock()
}

// tookMarker records body if it is a marker event (see drained).
func (rc *receiver) tookMarker(body []byte) bool {
	var env struct {
		ID   string `json:"id"`
		Data struct {
			CampaignID string `json:"campaign_id"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &env) != nil || env.Data.CampaignID != markerCampaign {
		return false
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.markers == nil {
		rc.markers = map[string]bool{}
	}
	rc.markers[env.ID] = true
	return true
}

func (rc *receiver) gotMarker(eventID string) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.markers[eventID]
}

// resetConnection hijacks the connection and closes it with a TCP RST
// (linger 0), the way a crashing endpoint drops a request.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("receiver: response writer cannot hijack")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

// all returns a copy of the requests seen so far.
func (rc *receiver) all() []hit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make([]hit, len(rc.hits))
	copy(out, rc.hits)
	return out
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.hits)
}

// waitHits waits until the receiver has seen at least n requests.
func (rc *receiver) waitHits(t *testing.T, n int, within time.Duration) []hit {
	t.Helper()
	testenv.WaitFor(t, within, fmt.Sprintf("%d requests at %s (have %d)", n, rc.srv.URL, rc.count()), func() bool { return rc.count() >= n })
	return rc.all()
}

// verifyIndependently checks both signature families of one request from
// docs/signatures.md alone, without any hookrelay package:
//   - X-Hookrelay-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret string, "<t>.<body>")>
//   - webhook-signature: v1,<base64 HMAC-SHA256(base64decode(secret after "whsec_"), "<id>.<t>.<body>")>
//     with webhook-id and webhook-timestamp.
//
// It also requires both families to carry the same timestamp, close to now.
func verifyIndependently(secret string, h http.Header, body []byte, now time.Time) error {
	// Stripe-compatible family.
	raw := h.Get("X-Hookrelay-Signature")
	if raw == "" {
		return fmt.Errorf("no X-Hookrelay-Signature")
	}
	var ts string
	var v1s []string
	for _, part := range strings.Split(raw, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return fmt.Errorf("X-Hookrelay-Signature part %q", part)
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			v1s = append(v1s, v)
		}
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(v1s) == 0 {
		return fmt.Errorf("X-Hookrelay-Signature %q: no t or v1", raw)
	}
	if d := now.Sub(time.Unix(t, 0)); d < -time.Minute || d > time.Minute {
		return fmt.Errorf("signed timestamp %d is %s from now", t, d)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	want := hex.EncodeToString(mac.Sum(nil))
	if !containsEqual(v1s, want) {
		return fmt.Errorf("X-Hookrelay-Signature: no v1 matches")
	}

	// Standard Webhooks family.
	id, wts, wsig := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || wts == "" || wsig == "" {
		return fmt.Errorf("standard webhooks headers missing: id=%q timestamp=%q signature=%q", id, wts, wsig)
	}
	if wts != ts {
		return fmt.Errorf("webhook-timestamp %s differs from t=%s", wts, ts)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return fmt.Errorf("secret is not whsec_ + base64: %v", err)
	}
	mac = hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + wts + "." + string(body)))
	wantStd := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	var sigs []string
	for _, s := range strings.Fields(wsig) {
		if v, ok := strings.CutPrefix(s, "v1,"); ok {
			sigs = append(sigs, v)
		}
	}
	if !containsEqual(sigs, wantStd) {
		return fmt.Errorf("webhook-signature: no v1 matches")
	}
	return nil
}

func containsEqual(candidates []string, want string) bool {
	for _, c := range candidates {
		if hmac.Equal([]byte(c), []byte(want)) {
			return true
		}
	}
	return false
}

// TestIndependentVerifierRejectsTampering makes sure the verifier above can
// fail: a flipped body byte, another secret or a moved timestamp are refused.
func TestIndependentVerifierRejectsTampering(t *testing.T) {
	secret := "whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	body := []byte(`{"id":"evt_1"}`)
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)
	sign := func(secret string, ts string, body []byte) http.Header {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(ts + "." + string(body)))
		key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
		s := hmac.New(sha256.New, key)
		s.Write([]byte("dlv_1." + ts + "." + string(body)))
		h := http.Header{}
		h.Set("X-Hookrelay-Signature", "t="+ts+",v1="+hex.EncodeToString(m.Sum(nil)))
		h.Set("webhook-id", "dlv_1")
		h.Set("webhook-timestamp", ts)
		h.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(s.Sum(nil)))
		return h
	}
	if err := verifyIndependently(secret, sign(secret, ts, body), body, now); err != nil {
		t.Fatalf("good signature refused: %v", err)
	}
	other := "whsec_" + base64.StdEncoding.EncodeToString([]byte("fedcba9876543210fedcba9876543210"))
	if verifyIndependently(secret, sign(other, ts, body), body, now) == nil {
		t.Error("signature with another secret accepted")
	}
	if verifyIndependently(secret, sign(secret, ts, body), []byte(`{"id":"evt_2"}`), now) == nil {
		t.Error("tampered body accepted")
	}
	h := sign(secret, ts, body)
	h.Set("webhook-id", "dlv_2")
	if verifyIndependently(secret, h, body, now) == nil {
		t.Error("changed webhook-id accepted")
	}
	if verifyIndependently(secret, sign(secret, ts, body), body, now.Add(10*time.Minute)) == nil {
		t.Error("stale timestamp accepted")
	}
}
