package main

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/Admiral-Piett/goaws/app/router"
)

// bodies receives up to n messages of q and returns their bodies in the
// order goaws handed them out.
func bodies(t *testing.T, srv *httptest.Server, q any, n int) []string {
	t.Helper()
	out := call(t, srv, "ReceiveMessage", map[string]any{"QueueUrl": q, "MaxNumberOfMessages": n})
	msgs, _ := out["Messages"].([]any)
	var got []string
	for _, m := range msgs {
		got = append(got, m.(map[string]any)["Body"].(string))
	}
	return got
}

// newQueue creates a queue no earlier run has used: goaws's queues are
// process-wide, and go test -count reruns in one process.
func newQueue(t *testing.T, srv *httptest.Server, name string) any {
	t.Helper()
	queues++
	return call(t, srv, "CreateQueue", map[string]any{"QueueName": fmt.Sprintf("%s-%d", name, queues)})["QueueUrl"]
}

var queues int

func sendGrouped(t *testing.T, srv *httptest.Server, q any, group string, n int) {
	t.Helper()
	for i := range n {
		in := map[string]any{"QueueUrl": q, "MessageBody": fmt.Sprintf("%s%d", group, i)}
		if group != "" {
			in["MessageGroupId"] = group
		}
		call(t, srv, "SendMessage", in)
	}
}

// A group's backlog does not hold another group's message: tenant b's one
// message, sent after tenant a's twenty, is handed out in the first
// receive; a's messages keep their own order; and a group with messages in
// flight yields to one without.
func TestFairOrderServesEveryGroupBeforeABacklog(t *testing.T) {
	srv := httptest.NewServer(fairOrder{next: router.New()})
	t.Cleanup(srv.Close)
	q := newQueue(t, srv, "fair-test")
	sendGrouped(t, srv, q, "a", 20)
	sendGrouped(t, srv, q, "b", 1)
	if got, want := bodies(t, srv, q, 3), []string{"a0", "b0", "a1"}; !slices.Equal(got, want) {
		t.Fatalf("first receive handed out %v, want %v", got, want)
	}
	// a has two in flight, c none: c's first message goes before a's third.
	sendGrouped(t, srv, q, "c", 2)
	if got, want := bodies(t, srv, q, 4), []string{"c0", "c1", "a2", "a3"}; !slices.Equal(got, want) {
		t.Fatalf("second receive handed out %v, want %v", got, want)
	}
}

// A queue without message groups (the ingest queue) keeps goaws's order.
func TestFairOrderLeavesUngroupedQueuesInOrder(t *testing.T) {
	srv := httptest.NewServer(fairOrder{next: router.New()})
	t.Cleanup(srv.Close)
	q := newQueue(t, srv, "plain-test")
	sendGrouped(t, srv, q, "", 5)
	if got, want := bodies(t, srv, q, 10), []string{"0", "1", "2", "3", "4"}; !slices.Equal(got, want) {
		t.Fatalf("receive handed out %v, want %v", got, want)
	}
}
