package listener

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
	"github.com/hookrelay/hookrelay/shared/signing"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/verify"
)

const body = `{"id":"evt_1","event_name":"emailClick","organization_id":"org_a","timestamp":1745000000,"data":{"email":"ada@example.com"}}`

func newListener(t *testing.T, o Options) (*Listener, *testenv.Buffer) {
	t.Helper()
	var buf testenv.Buffer
	o.Out = &buf
	l, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return l, &buf
}

// signed builds a delivery POST exactly as the delivery handler signs it.
func signed(t *testing.T, delivery string, at time.Time, secretList ...string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header = signedHeaders(t, delivery, at, []byte(body), secretList...)
	return r
}

// signedHeaders are the headers the delivery handler sends with payload.
func signedHeaders(t *testing.T, delivery string, at time.Time, payload []byte, secretList ...string) http.Header {
	t.Helper()
	h, err := signing.Headers(signing.Request{
		Prefix: "Hookrelay", EventName: "emailClick", DeliveryID: delivery,
		Timestamp: at, Secrets: secretList, Body: payload,
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func serve(l *Listener, r *http.Request) int {
	w := httptest.NewRecorder()
	l.ServeHTTP(w, r)
	return w.Code
}

func TestVerifiedEventIsPrintedAndAnswered(t *testing.T) {
	secret := secretstest.Generate(t)
	l, buf := newListener(t, Options{Secret: secret})
	if code := serve(l, signed(t, "dlv_a", time.Now(), secret)); code != http.StatusOK {
		t.Fatalf("status %d, want 200", code)
	}
	got := buf.String()
	for _, want := range []string{
		"emailClick", "dlv_a", "attempt 1", "✓ X-Hookrelay-Signature", "✓ webhook-signature", "→ 200",
		"\n      \"email\": \"ada@example.com\"", // the body is pretty-printed
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "✗") {
		t.Errorf("a valid request was marked unverified:\n%s", got)
	}
}

func TestFailFirstCountsPerDeliveryID(t *testing.T) {
	secret := secretstest.Generate(t)
	l, buf := newListener(t, Options{Secret: secret, FailFirst: 2, Status: http.StatusNoContent})
	var codes []int
	for _, d := range []string{"dlv_a", "dlv_a", "dlv_b", "dlv_a", "dlv_b", "dlv_b"} {
		codes = append(codes, serve(l, signed(t, d, time.Now(), secret)))
	}
	want := []int{500, 500, 500, 204, 500, 204}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("statuses %v, want %v", codes, want)
		}
	}
	if !strings.Contains(buf.String(), "dlv_a  attempt 3") || !strings.Contains(buf.String(), "dlv_b  attempt 3") {
		t.Errorf("attempts per delivery id not printed:\n%s", buf.String())
	}
}

func TestBadSignaturesGet400AndUseNoAttempt(t *testing.T) {
	secret := secretstest.Generate(t)
	now := time.Now()
	cases := map[string]func() *http.Request{
		"another secret": func() *http.Request { return signed(t, "dlv_x", now, secretstest.Generate(t)) },
		"tampered body": func() *http.Request {
			r := signed(t, "dlv_x", now, secret)
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(body, "ada", "eve", 1)))
			return r
		},
		"stale timestamp": func() *http.Request { return signed(t, "dlv_x", now.Add(-time.Hour), secret) },
		"standard family missing": func() *http.Request {
			r := signed(t, "dlv_x", now, secret)
			r.Header.Del(verify.HeaderWebhookSignature)
			return r
		},
		"stripe family missing": func() *http.Request {
			r := signed(t, "dlv_x", now, secret)
			r.Header.Del("X-Hookrelay-Signature")
			return r
		},
	}
	for name, req := range cases {
		t.Run(name, func(t *testing.T) {
			l, buf := newListener(t, Options{Secret: secret, FailFirst: 1})
			if code := serve(l, req()); code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", code)
			}
			if got := buf.String(); !strings.Contains(got, "✗") || !strings.Contains(got, "bad signature") {
				t.Fatalf("output does not flag the request:\n%s", got)
			}
			// The forged request did not consume --fail-first.
			if code := serve(l, signed(t, "dlv_x", now, secret)); code != http.StatusInternalServerError {
				t.Fatalf("first genuine request answered %d, want 500 (fail-first 1)", code)
			}
		})
	}
}

// A bad signature's line names each failing header once, with why it
// failed: verify's error already starts with the header's name.
func TestBadSignatureLineNamesEachHeaderOnce(t *testing.T) {
	l, buf := newListener(t, Options{Secret: secretstest.Generate(t)})
	if code := serve(l, signed(t, "dlv_w", time.Now(), secretstest.Generate(t))); code != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", code)
	}
	got := buf.String()
	for _, want := range []string{
		"(X-Hookrelay-Signature: verify: no signature matches; webhook-signature: verify: no signature matches)",
	} {
		if !strings.Contains(got, want) {
			t.Fatalf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Signature: X-Hookrelay-Signature") || strings.Contains(got, "webhook-signature: webhook-signature") {
		t.Fatalf("a header is named twice:\n%s", got)
	}
	secret := secretstest.Generate(t)
	l, buf = newListener(t, Options{Secret: secret})
	r := signed(t, "dlv_m", time.Now(), secret)
	r.Header.Del(verify.HeaderWebhookSignature)
	serve(l, r)
	if got := buf.String(); !strings.Contains(got, "(webhook-signature: missing)") {
		t.Fatalf("a missing family is not named:\n%s", got)
	}
}

func TestRotationAcceptsTheOldSecret(t *testing.T) {
	oldSecret, newSecret := secretstest.Generate(t), secretstest.Generate(t)
	l, _ := newListener(t, Options{Secret: oldSecret})
	// During a rotation hookrelay signs with both, newest first.
	if code := serve(l, signed(t, "dlv_r", time.Now(), newSecret, oldSecret)); code != http.StatusOK {
		t.Fatalf("status %d, want 200", code)
	}
}

func TestCustomPrefix(t *testing.T) {
	secret := secretstest.Generate(t)
	l, buf := newListener(t, Options{Secret: secret, Prefix: "Aigeon"})
	h, err := signing.Headers(signing.Request{Prefix: "Aigeon", EventName: "emailOpen", DeliveryID: "dlv_p",
		Timestamp: time.Now(), Secrets: []string{secret}, Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header = h
	if code := serve(l, r); code != http.StatusOK || !strings.Contains(buf.String(), "✓ X-Aigeon-Signature") {
		t.Fatalf("status %d, output:\n%s", code, buf.String())
	}
}

func TestDelayHoldsTheAnswer(t *testing.T) {
	secret := secretstest.Generate(t)
	l, _ := newListener(t, Options{Secret: secret, Delay: 300 * time.Millisecond})
	t0 := time.Now()
	if code := serve(l, signed(t, "dlv_d", time.Now(), secret)); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if took := time.Since(t0); took < 300*time.Millisecond {
		t.Fatalf("answered after %s, before the 300ms delay", took)
	}
}

func TestSenderTimeoutEndsTheDelay(t *testing.T) {
	secret := secretstest.Generate(t)
	l, buf := newListener(t, Options{Secret: secret, Delay: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	serve(l, signed(t, "dlv_t", time.Now(), secret).WithContext(ctx))
	if took := time.Since(t0); took > 5*time.Second { // far below the 10 s delay, far above a prompt return
		t.Fatalf("the handler held on for %s after the sender gave up", took)
	}
	if !strings.Contains(buf.String(), "hung up") {
		t.Fatalf("the timeout is not reported:\n%s", buf.String())
	}
}

func TestNonPostAndNonJSON(t *testing.T) {
	secret := secretstest.Generate(t)
	l, buf := newListener(t, Options{Secret: secret})
	if code := serve(l, httptest.NewRequest(http.MethodGet, "/", nil)); code != http.StatusMethodNotAllowed {
		t.Fatalf("GET answered %d, want 405", code)
	}
	h, err := signing.Headers(signing.Request{Prefix: "Hookrelay", EventName: "x", DeliveryID: "dlv_n",
		Timestamp: time.Now(), Secrets: []string{secret}, Body: []byte("not json\x1b[2J")})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("not json\x1b[2J"))
	r.Header = h
	if code := serve(l, r); code != http.StatusOK {
		t.Fatalf("signed non-JSON body answered %d", code)
	}
	if got := buf.String(); !strings.Contains(got, "not JSON") || strings.Contains(got, "\x1b") {
		t.Fatalf("non-JSON body must be printed quoted:\n%q", got)
	}
}

func TestHeaderValuesArePrintedSafely(t *testing.T) {
	l, buf := newListener(t, Options{Secret: secretstest.Generate(t)})
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("X-Hookrelay-Event", "evil\x1b]0;pwned\x07")
	serve(l, r)
	if strings.ContainsAny(buf.String(), "\x1b\x07") {
		t.Fatalf("control characters reached the terminal: %q", buf.String())
	}
}

// A non-POST request is anyone's too (a web page's <img> can send one to
// the port): its percent-decoded path must not write terminal escapes, and
// neither the path nor the method may flood the line.
func TestNonPostPathIsPrintedSafely(t *testing.T) {
	l, out := newListener(t, Options{Secret: secretstest.Generate(t)})
	r := httptest.NewRequest("GET", "/%1b]0;owned%07%1b[2K%1b[1A%1b[2K", nil)
	l.ServeHTTP(httptest.NewRecorder(), r)
	if s := out.String(); strings.ContainsAny(s, "\x1b\x07") || !strings.Contains(s, "GET /]0;owned[2K[1A[2K: hookrelay only POSTs") {
		t.Fatalf("the listener printed an unauthenticated request's path unsafely: %q", s)
	}

	l, out = newListener(t, Options{Secret: secretstest.Generate(t)})
	r = httptest.NewRequest(strings.Repeat("M", 4000), "/"+strings.Repeat("p", 4000), nil)
	l.ServeHTTP(httptest.NewRecorder(), r)
	if s := out.String(); len(s) > 400 || !strings.Contains(s, "hookrelay only POSTs") {
		t.Fatalf("a long method and path were printed unbounded (%d bytes): %.200q", len(s), s)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	good := secretstest.Generate(t)
	for name, o := range map[string]Options{
		"no secret":          {},
		"no whsec_ prefix":   {Secret: strings.TrimPrefix(good, "whsec_")},
		"not base64":         {Secret: "whsec_???"},
		"status not http":    {Secret: good, Status: 42},
		"negative failfirst": {Secret: good, FailFirst: -1},
		"negative delay":     {Secret: good, Delay: -time.Second},
		"prefix with space":  {Secret: good, Prefix: "Acme Corp"},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestListenBindsLoopbackAndReportsAPortInUse(t *testing.T) {
	ln, err := Listen(0)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() {
		t.Fatalf("listening on %s, want loopback only", addr)
	}
	_, err = Listen(addr.Port)
	if err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("second Listen on %d: %v", addr.Port, err)
	}
}

// Attempts go by the signed webhook-id, not by X-Hookrelay-Delivery,
// which no signature covers: a replay with a new header value is the
// same delivery's next attempt, and the line says what the header
// claimed.
func TestAttemptsGoByTheSignedDeliveryID(t *testing.T) {
	secret := secretstest.Generate(t)
	l, buf := newListener(t, Options{Secret: secret, FailFirst: 1, Status: http.StatusNoContent})
	var codes []int
	for _, claimed := range []string{"", "dlv_other", "dlv_third"} {
		r := signed(t, "dlv_a", time.Now(), secret)
		if claimed != "" {
			r.Header.Set("X-Hookrelay-Delivery", claimed)
		}
		codes = append(codes, serve(l, r))
	}
	if codes[0] != 500 || codes[1] != 204 || codes[2] != 204 {
		t.Fatalf("statuses %v, want [500 204 204]: one delivery, whatever the unsigned header says", codes)
	}
	out := buf.String()
	for _, want := range []string{"dlv_a  attempt 2", "(X-Hookrelay-Delivery says dlv_other)", "dlv_a  attempt 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "dlv_other  attempt") {
		t.Errorf("the unsigned header was counted:\n%s", out)
	}
}
