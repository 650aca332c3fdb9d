package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// stallingSQS is a loopback proxy in front of goaws that holds the
// requests stall picks (by SQS action and its count so far, from 1) until
// their client gives up (or the test ends), naming each on stalled as it starts holding it.
func stallingSQS(t *testing.T, goaws string, stall func(action string, n int) bool) (endpoint string, stalled <-chan string) {
	t.Helper()
	target, err := url.Parse(goaws)
	if err != nil {
		t.Fatal(err)
	}
	// SetURL sends goaws its own host: it refuses another (421).
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target) }}
	held, done := make(chan string, 64), make(chan struct{})
	var mu sync.Mutex
	counts := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, action, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
		mu.Lock()
		counts[action]++
		n := counts[action]
		mu.Unlock()
		if !stall(action, n) {
			proxy.ServeHTTP(w, r)
			return
		}
		// Read to its end, the request is watched for its client going away.
		_, _ = io.Copy(io.Discard, r.Body)
		held <- action
		select {
		case <-r.Context().Done():
		case <-done: // the test ended first
		}
	}))
	t.Cleanup(func() {
		close(done)
		srv.Close()
	})
	return srv.URL, held
}
