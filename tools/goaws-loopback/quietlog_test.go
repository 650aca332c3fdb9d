package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	log "github.com/sirupsen/logrus"
)

// An idle make dev long-polls every queue, and goaws warned "No messages
// in Queue" for each empty ask (~32 MB/h in .hookrelay/goaws.log): that
// line is dropped, a real error is still logged.
func TestLogDropsEmptyReceivesAndKeepsErrors(t *testing.T) {
	var out bytes.Buffer
	if err := setupLog(&out, "warn"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.SetOutput(&bytes.Buffer{}) })
	srv := httptest.NewServer(newHandler())
	t.Cleanup(srv.Close)
	q := newQueue(t, srv, "quietlog")
	for range 3 {
		call(t, srv, "ReceiveMessage", map[string]any{"QueueUrl": q})
	}
	if strings.Contains(out.String(), "No messages in Queue") {
		t.Errorf("empty receives were logged:\n%s", out.String())
	}
	// A queue that does not exist is an error goaws logs.
	status, raw, err := send(srv, "GetQueueUrl", map[string]any{"QueueName": "quietlog-nosuch"})
	if err != nil || status != http.StatusBadRequest {
		t.Fatalf("GetQueueUrl of no queue: %d %s %v", status, raw, err)
	}
	if !strings.Contains(out.String(), "queue does not exist") {
		t.Errorf("goaws's error was not logged:\n%s", out.String())
	}
}
