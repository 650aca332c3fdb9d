package costrun

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// receiver is every endpoint of a run: one loopback server, a path per
// endpoint. It counts POSTs, 2xx answers and the most POSTs it held at
// once; with failFirst the first POST of each delivery to each endpoint
// gets a 503. Each answer takes latency.
type receiver struct {
	srv       *httptest.Server
	failFirst bool
	latency   time.Duration
	mu        sync.Mutex
	seen      map[string]bool
	posts     int
	delivered int
	inFlight  int
	peak      int
	done      chan struct{}
	want      int
}

func newReceiver(want int, failFirst bool, latency time.Duration) *receiver {
	r := &receiver{failFirst: failFirst, latency: latency, seen: map[string]bool{}, done: make(chan struct{}), want: want}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	key := req.URL.Path + " " + req.Header.Get("Webhook-Id")
	r.mu.Lock()
	r.inFlight++
	r.peak = max(r.peak, r.inFlight)
	r.mu.Unlock()
	// An endpoint across the internet takes time to answer, which the
	// deliver invocation waits for (and Lambda bills).
	time.Sleep(r.latency)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inFlight--
	r.posts++
	if r.failFirst && !r.seen[key] {
		r.seen[key] = true
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	r.delivered++
	if r.delivered == r.want {
		close(r.done)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) counts() (posts, delivered, peak int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.posts, r.delivered, r.peak
}
