package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	log "github.com/sirupsen/logrus"
)

// Queues created from many goroutines beside sends and receives do not
// crash goaws: unguarded, goaws reads its queue map while CreateQueue
// writes it and the runtime aborts the process ("concurrent map read and
// map write"), which here would kill the test binary. The shape is the
// claim audits': parallel subtests each creating their own queues on one
// goaws while earlier ones send and receive. Every call must succeed and
// every created queue be listed afterwards.
func TestConcurrentCreatesBesideTrafficKeepGoawsUp(t *testing.T) {
	const creators, perCreator, workers, perWorker = 8, 200, 4, 500
	// goaws logs every call at info; its log lock would space the calls out.
	level := log.GetLevel()
	log.SetLevel(log.WarnLevel)
	t.Cleanup(func() { log.SetLevel(level) })
	srv := httptest.NewServer(newHandler())
	t.Cleanup(srv.Close)
	busy := newQueue(t, srv, "guard-busy")
	run := fmt.Sprintf("guard-%d", queues) // names no earlier -count run used

	var wg sync.WaitGroup
	for c := range creators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perCreator {
				name := fmt.Sprintf("%s-c%d-%d", run, c, i)
				q := call(t, srv, "CreateQueue", map[string]any{"QueueName": name})["QueueUrl"]
				call(t, srv, "GetQueueUrl", map[string]any{"QueueName": name})
				call(t, srv, "SendMessage", map[string]any{"QueueUrl": q, "MessageBody": name})
			}
		}()
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				call(t, srv, "SendMessage", map[string]any{"QueueUrl": busy, "MessageBody": fmt.Sprint(i)})
				out := call(t, srv, "ReceiveMessage", map[string]any{"QueueUrl": busy, "MaxNumberOfMessages": 10})
				msgs, _ := out["Messages"].([]any)
				for _, m := range msgs {
					call(t, srv, "DeleteMessage", map[string]any{"QueueUrl": busy, "ReceiptHandle": m.(map[string]any)["ReceiptHandle"]})
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	listed := call(t, srv, "ListQueues", map[string]any{"QueueNamePrefix": run})["QueueUrls"]
	urls, _ := listed.([]any)
	got := 0
	for _, u := range urls {
		if strings.Contains(u.(string), run+"-c") {
			got++
		}
	}
	if got != creators*perCreator {
		t.Fatalf("ListQueues shows %d of the %d queues created", got, creators*perCreator)
	}
}

// A query-protocol CreateQueue is a writer too: its action is read from
// the form, which stays parsed for goaws.
func TestMapGuardReadsTheQueryProtocolsAction(t *testing.T) {
	body := url.Values{"Action": {"CreateQueue"}, "QueueName": {"q"}}.Encode()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if got := action(r); !writers[got] || got != "CreateQueue" {
		t.Fatalf("action = %q, want the writer CreateQueue", got)
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("QueueName") != "q" {
		t.Fatalf("form after the guard read it: %v %v", r.PostForm, err)
	}
}
