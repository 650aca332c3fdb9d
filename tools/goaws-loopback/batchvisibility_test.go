package main

import (
	"net/http/httptest"
	"testing"

	"github.com/Admiral-Piett/goaws/app/router"
)

// A batch changes each entry as the single call would, lists what goaws
// refused in Failed with its code, and the rest in Successful: the
// released message is received again, the one still hidden is not.
func TestBatchVisibilityChangesEachEntry(t *testing.T) {
	srv := httptest.NewServer(batchVisibility{next: router.New()})
	t.Cleanup(srv.Close)
	q := call(t, srv, "CreateQueue", map[string]any{"QueueName": "batchvis-test"})["QueueUrl"]
	for _, b := range []string{"one", "two"} {
		call(t, srv, "SendMessage", map[string]any{"QueueUrl": q, "MessageBody": b})
	}
	got := call(t, srv, "ReceiveMessage", map[string]any{"QueueUrl": q, "MaxNumberOfMessages": 10, "VisibilityTimeout": 60})
	msgs, _ := got["Messages"].([]any)
	if len(msgs) != 2 {
		t.Fatalf("received %d messages, want 2", len(msgs))
	}
	handle := func(i int) any { return msgs[i].(map[string]any)["ReceiptHandle"] }
	out := call(t, srv, "ChangeMessageVisibilityBatch", map[string]any{"QueueUrl": q, "Entries": []map[string]any{
		{"Id": "release", "ReceiptHandle": handle(0), "VisibilityTimeout": 0},
		{"Id": "keep", "ReceiptHandle": handle(1), "VisibilityTimeout": 60},
		{"Id": "bogus", "ReceiptHandle": "no-such-handle", "VisibilityTimeout": 60},
	}})
	ok, _ := out["Successful"].([]any)
	failed, _ := out["Failed"].([]any)
	if len(ok) != 2 || len(failed) != 1 {
		t.Fatalf("answer %v: want 2 successful, 1 failed", out)
	}
	if f := failed[0].(map[string]any); f["Id"] != "bogus" || f["Code"] != "AWS.SimpleQueueService.MessageNotInFlight" && f["Code"] != "MessageNotInFlight" {
		t.Fatalf("failed entry %v: want bogus, not in flight", f)
	}
	again := call(t, srv, "ReceiveMessage", map[string]any{"QueueUrl": q, "MaxNumberOfMessages": 10})
	msgs, _ = again["Messages"].([]any)
	if len(msgs) != 1 || msgs[0].(map[string]any)["Body"] != "one" {
		t.Fatalf("after the batch: %v, want the released message alone", again)
	}
}
