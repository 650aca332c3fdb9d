package sqsqueue

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// A message's group travels as MessageGroupId (what makes a standard queue
// fair on AWS), on single and batch sends, and goaws accepts it.
func TestGroupIsSentAsMessageGroupID(t *testing.T) {
	endpoint := testenv.Goaws(t)
	var mu sync.Mutex
	groups := map[string]string{} // body → MessageGroupId on the wire
	api := testenv.FaultySQS(t, endpoint, func(_ context.Context, in any, call func() error) error {
		mu.Lock()
		switch v := in.(type) {
		case *sqs.SendMessageInput:
			groups[aws.ToString(v.MessageBody)] = aws.ToString(v.MessageGroupId)
		case *sqs.SendMessageBatchInput:
			for _, e := range v.Entries {
				groups[aws.ToString(e.MessageBody)] = aws.ToString(e.MessageGroupId)
			}
		}
		mu.Unlock()
		return call()
	})
	q := New(api)
	url := testenv.Queue(t, api, "fair", nil)
	ctx := context.Background()
	if _, err := q.SendBatch(ctx, url, []queue.Message{{Body: "a1", Group: "org_a"}, {Body: "b1", Group: "org_b"}, {Body: "none"}}); err != nil {
		t.Fatal(err)
	}
	if err := q.Send(ctx, url, queue.Message{Body: "a2", Group: "org_a"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a1": "org_a", "b1": "org_b", "none": "", "a2": "org_a"}
	for body, g := range want {
		if groups[body] != g {
			t.Errorf("%s sent with group %q, want %q", body, groups[body], g)
		}
	}
	// goaws keeps the messages (it does not report the group back: the
	// local poller reads the organization from the body instead).
	got := 0
	for got < 4 {
		msgs, err := q.Receive(ctx, url, 10, time.Second, 0)
		if err != nil || len(msgs) == 0 {
			t.Fatalf("received %d of 4 (%v)", got, err)
		}
		got += len(msgs)
	}
}
