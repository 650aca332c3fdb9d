package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Admiral-Piett/goaws/app/router"
)

func call(t *testing.T, srv *httptest.Server, action string, body map[string]any) map[string]any {
	t.Helper()
	status, out, err := send(srv, action, body)
	if err != nil {
		t.Errorf("%s: %v", action, err)
		return nil
	}
	m := map[string]any{}
	// DeleteMessage's answer has no body.
	if status != http.StatusOK || len(out) > 0 && json.Unmarshal(out, &m) != nil {
		t.Errorf("%s: %d %s", action, status, out)
	}
	return m
}

// send posts one JSON-protocol action and returns the answer as it is.
func send(srv *httptest.Server, action string, body map[string]any) (int, []byte, error) {
	client := *srv.Client() // a copy: calls run from several goroutines
	client.Timeout = 10 * time.Second
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(string(raw)))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AmazonSQS."+action)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// A waiting receive is answered by the send that follows it, not at the
// end of its wait: the message is sent only after goaws answered the
// receive's first ask empty, the recheck is longer than the wait, and the
// client gives up (a failure) halfway through the 20 s wait; only the
// send's wake-up answers within that patience.
func TestLongPollAnswersWithTheMessageSentWhileWaiting(t *testing.T) {
	recheck = time.Hour
	t.Cleanup(func() { recheck = 100 * time.Millisecond })
	goaws := router.New()
	askedEmpty := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(newLongPoll(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		goaws.ServeHTTP(w, r)
		if jsonAction(r) == "ReceiveMessage" {
			once.Do(func() { close(askedEmpty) })
		}
	})))
	t.Cleanup(srv.Close)
	q := call(t, srv, "CreateQueue", map[string]any{"QueueName": "longpoll-test"})["QueueUrl"]

	got := make(chan map[string]any, 1)
	go func() {
		got <- call(t, srv, "ReceiveMessage", map[string]any{"QueueUrl": q, "WaitTimeSeconds": 20, "MaxNumberOfMessages": 10})
	}()
	<-askedEmpty
	call(t, srv, "SendMessage", map[string]any{"QueueUrl": q, "MessageBody": "hello"})
	msgs, _ := (<-got)["Messages"].([]any)
	if len(msgs) != 1 || msgs[0].(map[string]any)["Body"] != "hello" {
		t.Fatalf("long poll answered %v, want the message sent while it waited", msgs)
	}

	// Nothing sent: the wait ends with an empty answer, as in SQS.
	m := call(t, srv, "ReceiveMessage", map[string]any{"QueueUrl": q, "WaitTimeSeconds": 1})
	if msgs, _ := m["Messages"].([]any); m == nil || len(msgs) != 0 {
		t.Fatalf("empty queue answered %v", m)
	}
}

// Query-protocol requests reach goaws unchanged (the map guard reads
// their action from the form and leaves it for goaws).
func TestLongPollPassesOtherRequestsThrough(t *testing.T) {
	srv := httptest.NewServer(newHandler())
	t.Cleanup(srv.Close)
	resp, err := srv.Client().PostForm(srv.URL+"/", url.Values{"Action": {"CreateQueue"}, "QueueName": {"query-test"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "query-test") {
		t.Fatalf("query CreateQueue: %d %s", resp.StatusCode, body)
	}
}
