package poller

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// goaws reports ApproximateReceiveCount 1 on every receive; the poller
// supplies the true count, as the Lambda event source does.
func TestHandlerSeesTheTrueReceiveCount(t *testing.T) {
	t.Parallel()
	f := newFixture(t, stallVisibility, "retried", "once")
	holds := &holdLog{Queue: f.q, visibility: stallVisibility * time.Second}
	var mu sync.Mutex
	counts := map[string][]string{}
	stop := start(t, &Poller{Name: "test", Queue: holds, QueueURL: f.url, Wait: time.Second,
		Handler: func(_ context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
			mu.Lock()
			defer mu.Unlock()
			var resp events.SQSEventResponse
			for _, m := range e.Records {
				counts[m.Body] = append(counts[m.Body], m.Attributes[message.AttrReceiveCount])
				// Fail "retried" on its first two receives.
				if m.Body == "retried" && len(counts[m.Body]) < 3 {
					resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
				}
			}
			return resp, nil
		}})
	testenv.WaitFor(t, 20*time.Second, "the third receive of the retried message", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(counts["retried"]) == 3
	})
	stop()
	mu.Lock()
	defer mu.Unlock()
	// A settled message comes back only after a delete the machine made
	// late (checkSettled); its first receives' counts are exact whatever.
	if got := counts["retried"]; len(got) < 3 || !slices.Equal(got[:3], []string{"1", "2", "3"}) {
		t.Errorf("retried message saw receive counts %v, want [1 2 3]", got)
	}
	if got := counts["once"]; len(got) == 0 || got[0] != "1" {
		t.Errorf("settled message saw receive counts %v, want [1]", got)
	}
	holds.checkSettled(t, "retried")
	holds.checkSettled(t, "once")
	if len(f.remaining(t)) != 0 {
		t.Error("messages left on the queue")
	}
}

func TestReceiveCountsNeverLowerTheQueuesOwn(t *testing.T) {
	var r receiveCounts
	batch := []events.SQSMessage{{MessageId: "a", Attributes: map[string]string{message.AttrReceiveCount: "4"}}, {MessageId: "b"}}
	r.stamp(batch)
	if batch[0].Attributes[message.AttrReceiveCount] != "4" || batch[1].Attributes[message.AttrReceiveCount] != "1" {
		t.Errorf("counts %v and %v, want 4 (the queue's) and 1", batch[0].Attributes, batch[1].Attributes)
	}
	r.forget("b")
	again := []events.SQSMessage{{MessageId: "b"}}
	r.stamp(again)
	if again[0].Attributes[message.AttrReceiveCount] != "1" {
		t.Errorf("a forgotten (deleted) message counted %s, want to start over at 1", again[0].Attributes[message.AttrReceiveCount])
	}
}

// Past maxTracked counts, the poller forgets the messages it has not
// received for longest, never all of them: a message received within the
// last generation keeps its exact count, and one it forgot, still on the
// queue, never comes back as a first receive (deliver would restart its
// retry schedule without reading its record).
func TestForgottenReceiveCountsNeverLookLikeAFirstReceive(t *testing.T) {
	var r receiveCounts
	stamp := func(id string) string {
		b := []events.SQSMessage{{MessageId: id, Attributes: map[string]string{message.AttrReceiveCount: "1"}}} // goaws's count
		r.stamp(b)
		return b[0].Attributes[message.AttrReceiveCount]
	}
	others := func(prefix string, n int) {
		batch := make([]events.SQSMessage, n)
		for i := range batch {
			batch[i] = events.SQSMessage{MessageId: prefix + strconv.Itoa(i)}
		}
		r.stamp(batch)
	}
	for range 3 {
		stamp("retrying") // in its backoff while the others come and go
	}
	stamp("steady") // received once every half of maxTracked
	others("a", maxTracked/2)
	stamp("steady")
	others("b", maxTracked/2)
	if got := stamp("steady"); got != "3" {
		t.Errorf("a message received in every generation stamped %s on its third receive, want its exact count 3", got)
	}
	if got := stamp("retrying"); got == "1" {
		t.Error("a message received 4 times, forgotten, is stamped as a first receive")
	}
	if got := stamp("new"); got != "2" {
		t.Errorf("after forgetting, an unknown message stamped %s, want 2: it may be a forgotten one", got)
	}
}
