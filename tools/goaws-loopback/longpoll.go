package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// recheck is how often a waiting receive looks again without a send to
// wake it: a message also becomes receivable when its visibility timeout
// ends, which no request announces. It is goaws's own polling step (a
// variable so the test can prove that a send alone wakes a receive).
var recheck = 100 * time.Millisecond

// longPoll answers a long-polling ReceiveMessage (JSON protocol,
// WaitTimeSeconds > 0) as SQS does: as soon as a message is there, not at
// goaws's next 100 ms step. It asks goaws with WaitTimeSeconds 0 and, while
// the answer is empty, waits for a request that can make a message
// receivable (a send or a visibility change), at most recheck, until the
// wait time is over. Every other request goes to goaws unchanged.
type longPoll struct {
	next http.Handler

	mu      sync.Mutex
	changed chan struct{} // closed and replaced after every send
}

func newLongPoll(next http.Handler) *longPoll {
	return &longPoll{next: next, changed: make(chan struct{})}
}

func (l *longPoll) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	action := jsonAction(r)
	if action != "ReceiveMessage" {
		l.next.ServeHTTP(w, r)
		if strings.HasPrefix(action, "SendMessage") || strings.HasPrefix(action, "ChangeMessageVisibility") {
			l.wake()
		}
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var in map[string]any
	var wait float64
	if json.Unmarshal(body, &in) == nil {
		wait, _ = in["WaitTimeSeconds"].(float64)
	}
	if wait <= 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
		l.next.ServeHTTP(w, r)
		return
	}
	in["WaitTimeSeconds"] = 0
	immediate, _ := json.Marshal(in)
	deadline := time.Now().Add(time.Duration(wait * float64(time.Second)))
	for {
		woken := l.waiter() // before asking: a send during the ask still wakes us
		rec := httptest.NewRecorder()
		try := r.Clone(r.Context())
		try.Body, try.ContentLength = io.NopCloser(bytes.NewReader(immediate)), int64(len(immediate))
		l.next.ServeHTTP(rec, try)
		left := time.Until(deadline)
		if rec.Code != http.StatusOK || hasMessages(rec.Body.Bytes()) || left <= 0 {
			copyResponse(w, rec)
			return
		}
		t := time.NewTimer(min(left, recheck))
		select {
		case <-woken:
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			copyResponse(w, rec) // the empty answer; the client has gone anyway
			return
		}
		t.Stop()
	}
}

func (l *longPoll) waiter() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.changed
}

func (l *longPoll) wake() {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.changed)
	l.changed = make(chan struct{})
}

// jsonAction is the SQS action of a JSON-protocol request ("" otherwise:
// the query protocol carries it in the form, which goaws reads itself).
func jsonAction(r *http.Request) string {
	if r.Header.Get("Content-Type") != "application/x-amz-json-1.0" {
		return ""
	}
	_, action, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	return action
}

func hasMessages(body []byte) bool {
	var out struct{ Messages []json.RawMessage }
	return json.Unmarshal(body, &out) == nil && len(out.Messages) > 0
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}
