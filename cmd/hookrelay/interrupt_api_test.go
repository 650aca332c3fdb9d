package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Ctrl-C abandons a request to an API that does not answer: the command
// ends at once instead of after the client's 60 s timeout, and a recover
// the API had not yet answered is not reported as done.
func TestRecoverInterruptedAbandonsTheRequest(t *testing.T) {
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select { // never answers: until the CLI hangs up, or the test ends
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer api.Close()
	defer close(release) // before Close, which waits for the handler
	p := startMain(t, nil, "webhooks", "recover", "wh_06h33sj6fdpzw5y7v19kq69dyr", "--since", "1h", "--token", "abc", "--api", api.URL)
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the recover request never reached the API")
	}
	interrupt(t, p)
	if _, stderr, code := waitInterrupted(t, p); code != exitInterrupted {
		t.Fatalf("interrupted recover: exit %d, stderr %q; want %d at once", code, stderr, exitInterrupted)
	}
}

// A secret awaited on stdin gives way to the command's end.
func TestReadLineGivesWayToCancel(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close() // ends the abandoned read
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := readLine(ctx, r); !errors.Is(err, context.Canceled) {
		t.Fatalf("readLine on a cancelled context: %v", err)
	}
}
