package listener

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// heldWriter is a terminal nobody reads: every Write waits until release.
type heldWriter struct {
	release chan struct{}
	testenv.Buffer
}

func (h *heldWriter) Write(p []byte) (int, error) {
	<-h.release
	return h.Buffer.Write(p)
}

// heldListener serves a listener whose output is held until release.
func heldListener(t *testing.T, secret string) (srv *httptest.Server, out *heldWriter, release func()) {
	t.Helper()
	out = &heldWriter{release: make(chan struct{})}
	l, err := New(Options{Secret: secret, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	var releaseOnce sync.Once
	return httptest.NewServer(l), out, func() { releaseOnce.Do(func() { close(out.release) }) }
}

func envelope(t *testing.T, data string) []byte {
	t.Helper()
	env, err := message.BuildEnvelope("evt_1", "emailClick", "org_a", 1745000000, json.RawMessage(data))
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// Data at the documented depth limit: the sender gets its answer while
// the output is still held, and what is printed is about the body's size,
// not its indentation (about 200 MB).
func TestAnswerAtTheDepthLimitDoesNotWaitOnPrinting(t *testing.T) {
	secret := secretstest.Generate(t)
	srv, out, release := heldListener(t, secret)
	defer srv.Close() // joins the handler, after the release below
	defer release()

	deep := envelope(t, strings.Repeat("[", message.MaxDataDepth)+strings.Repeat("]", message.MaxDataDepth))
	req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(deep))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = signedHeaders(t, "dlv_deep", time.Now(), deep, secret)
	// The timeout only stops a hang from holding the test: the output is
	// held until the response is read, so an answer that waited on the
	// printing would never come.
	client := &http.Client{Timeout: time.Minute}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("no answer while the output was held: %v", err)
	}
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Fatalf("response body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	if got := out.String(); got != "" {
		t.Fatalf("the held output was written: %q", got)
	}

	release()
	srv.Close()
	got := out.String()
	for _, want := range []string{
		"dlv_deep", "attempt 1", "✓ X-Hookrelay-Signature", "✓ webhook-signature", "→ 200",
		fmt.Sprintf("(nested %d levels deep: printed as sent, not indented)", message.MaxDataDepth+1),
		"\n  " + string(deep) + "\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %.120q", want)
		}
	}
	if len(got) > len(deep)+500 {
		t.Fatalf("printed %d bytes for a %d-byte body", len(got), len(deep))
	}
}

// A large body is cut at printMax bytes with a note of what was left out;
// the cut text is the start of the indented body.
func TestLargeBodyIsCutWithANote(t *testing.T) {
	secret := secretstest.Generate(t)
	items := make([]string, 20000)
	for i := range items {
		items[i] = fmt.Sprintf(`{"n":%d,"s":"é"}`, i)
	}
	large := envelope(t, "["+strings.Join(items, ",")+"]")
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, large, "  ", "  "); err != nil {
		t.Fatal(err)
	}
	full := "  " + pretty.String()

	l, buf := newListener(t, Options{Secret: secret})
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(large))
	r.Header = signedHeaders(t, "dlv_large", time.Now(), large, secret)
	if code := serve(l, r); code != http.StatusOK {
		t.Fatalf("status %d, want 200", code)
	}
	got := buf.String()
	head, printed, ok := strings.Cut(got, "\n")
	if !ok || !strings.Contains(head, "dlv_large") {
		t.Fatalf("no header line: %.200q", got)
	}
	shown, note, ok := strings.Cut(printed, "\n  (… ")
	if !ok {
		t.Fatalf("no note of what was left out: ...%q", got[max(0, len(got)-200):])
	}
	if len(shown) > 2+printMax || len(shown) < printMax-4 || !strings.HasPrefix(full, shown) {
		t.Fatalf("printed %d bytes of the body, want the first %d of the indented body", len(shown), printMax)
	}
	if want := fmt.Sprintf("%d more bytes of the body not printed)\n", len(full)-len(shown)); note != want {
		t.Fatalf("note %q, want %q", note, want)
	}
}

// Rejected requests are answered, body and all, while the output is held:
// a terminal nobody reads must not turn a 400 into a timeout and a retry.
func TestRejectedRequestsAreAnsweredBeforePrinting(t *testing.T) {
	secret := secretstest.Generate(t)
	payload := envelope(t, `{"email":"ada@example.com"}`)
	cases := []struct {
		name    string
		method  string
		body    []byte
		headers func() http.Header
		status  int
		line    string
	}{
		{"bad signature", http.MethodPost, payload, func() http.Header {
			return signedHeaders(t, "dlv_bad", time.Now(), payload, secretstest.Generate(t))
		}, http.StatusBadRequest, "dlv_bad"},
		{"wrong method", http.MethodPut, payload, func() http.Header {
			return signedHeaders(t, "dlv_put", time.Now(), payload, secret)
		}, http.StatusMethodNotAllowed, "hookrelay only POSTs"},
		{"body too large", http.MethodPost, bytes.Repeat([]byte("x"), maxBody+1), http.Header{}.Clone,
			http.StatusRequestEntityTooLarge, "body unreadable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, out, release := heldListener(t, secret)
			defer srv.Close() // joins the handler, after the release below
			defer release()
			req, err := http.NewRequest(c.method, srv.URL, bytes.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = c.headers()
			// The timeout only stops a hang from holding the test.
			client := &http.Client{Timeout: time.Minute}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("no answer while the output was held: %v", err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatalf("response body while the output was held: %v", err)
			}
			if resp.StatusCode != c.status || len(got) == 0 {
				t.Fatalf("answered %d %q, want %d with an error body", resp.StatusCode, got, c.status)
			}
			if printed := out.String(); printed != "" {
				t.Fatalf("the held output was written: %q", printed)
			}

			release()
			srv.Close()
			if printed := out.String(); !strings.Contains(printed, "✗") || !strings.Contains(printed, c.line) {
				t.Fatalf("output %q does not flag the request with %q", printed, c.line)
			}
		})
	}
}
