package netguard

import (
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// An endpoint's response header block is bounded at MaxResponseHeaderBytes,
// over HTTP/1.1 and HTTP/2 alike (HPACK lets a few KB on the wire decode to
// far more): a larger one is an error, a block well under it an answer.
// HeadersTooLarge recognises the limit's own error; over HTTP/2 the HPACK
// decoder refuses some blocks before the limit is counted (one field
// longer than the limit, a block of a megabyte) with a plain connection error.
func TestClientBoundsResponseHeaders(t *testing.T) {
	// /headers/{kb} answers 204 with that many KB of headers in 1 KB
	// fields; ?one=1 puts them in a single field.
	mux := http.NewServeMux()
	mux.HandleFunc("/headers/{kb}", func(w http.ResponseWriter, r *http.Request) {
		kb, _ := strconv.Atoi(r.PathValue("kb"))
		if r.URL.Query().Get("one") == "1" {
			w.Header().Set("X-Padding", strings.Repeat("a", kb<<10))
		} else {
			for i := range kb {
				w.Header().Set(fmt.Sprintf("X-Padding-%d", i), strings.Repeat("a", 1<<10))
			}
		}
		w.WriteHeader(http.StatusNoContent)
	})
	plain := httptest.NewServer(mux)
	defer plain.Close()
	h2 := httptest.NewUnstartedServer(mux)
	h2.EnableHTTP2 = true
	h2.Config.ErrorLog = log.New(io.Discard, "", 0) // the client's refusals end connections
	h2.StartTLS()
	defer h2.Close()
	pool := x509.NewCertPool()
	pool.AddCert(h2.Certificate())
	c := NewClient(Options{Timeout: testTimeout, AllowLoopback: true, RootCAs: pool})
	post := func(u string) (*http.Response, error) {
		return c.Post(u, "application/json", strings.NewReader("{}"))
	}
	over := MaxResponseHeaderBytes>>10 + 1

	for _, srv := range []struct {
		name, url string
		proto     int
	}{{"HTTP/1.1", plain.URL, 1}, {"HTTP/2", h2.URL, 2}} {
		t.Run(srv.name, func(t *testing.T) {
			resp, err := post(srv.url + "/headers/32")
			if err != nil {
				t.Fatalf("32 KB of headers: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent || resp.ProtoMajor != srv.proto {
				t.Fatalf("32 KB of headers: status %d over %s", resp.StatusCode, resp.Proto)
			}
			cases := []struct {
				path       string
				recognised bool
			}{
				{fmt.Sprintf("/headers/%d", over), true},
				{"/headers/1024", srv.proto == 1},
				{fmt.Sprintf("/headers/%d?one=1", over), srv.proto == 1},
			}
			for _, k := range cases {
				resp, err := post(srv.url + k.path)
				if err == nil {
					resp.Body.Close()
					t.Fatalf("%s accepted: status %d", k.path, resp.StatusCode)
				}
				if k.recognised && !HeadersTooLarge(err) {
					t.Fatalf("%s: %v; HeadersTooLarge = false", k.path, err)
				}
			}
		})
	}
	if HeadersTooLarge(nil) || HeadersTooLarge(io.ErrUnexpectedEOF) {
		t.Fatal("HeadersTooLarge recognises other errors")
	}
}
