package sqsqueue

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// DeleteBatch deletes more than one call's worth, and names the entries the
// queue refused (here one deleted before) instead of failing the rest.
func TestDeleteBatchOnGoaws(t *testing.T) {
	api, q, url, handles := receivedLastDeleted(t, "delbatch", 12)
	ctx := context.Background()
	refused, err := q.DeleteBatch(ctx, url, handles)
	if err != nil {
		t.Fatal(err)
	}
	if len(refused) != 1 || refused[0].ReceiptHandle != handles[11] || refused[0].Message == "" {
		t.Fatalf("refused %+v, want only the message deleted before", refused)
	}
	if depth, err := testenv.QueueDepth(ctx, api, url); err != nil || depth != 0 {
		t.Fatalf("%d messages left on the queue (%v)", depth, err)
	}
}

// receivedLastDeleted sends n messages to a new goaws queue, receives them
// all (hidden for the queue's 30 s) and deletes the last, returning their
// receipt handles: the last is one the queue must refuse.
func receivedLastDeleted(t *testing.T, name string, n int) (*sqs.Client, *Client, string, []string) {
	t.Helper()
	api := testenv.SQSClient(t, testenv.Goaws(t))
	q := New(api)
	url := testenv.Queue(t, api, name, map[string]string{"VisibilityTimeout": "30"})
	ctx := context.Background()
	var msgs []queue.Message
	for i := range n {
		msgs = append(msgs, queue.Message{Body: fmt.Sprint(i)})
	}
	if _, err := q.SendBatch(ctx, url, msgs); err != nil {
		t.Fatal(err)
	}
	var handles []string
	for len(handles) < n {
		got, err := q.Receive(ctx, url, 10, time.Second, 0)
		if err != nil || len(got) == 0 {
			t.Fatalf("received %d of %d: %v", len(handles), n, err)
		}
		for _, m := range got {
			handles = append(handles, m.ReceiptHandle)
		}
	}
	if err := q.Delete(ctx, url, handles[n-1]); err != nil {
		t.Fatal(err)
	}
	return api, q, url, handles
}
