package costrun

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/awsmeter"
	"github.com/hookrelay/hookrelay/shared/cost"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// timed wraps a handler like the Lambda runtime would bill it: it counts
// invocations, their duration rounded up to the millisecond, the messages
// they settled and the 64 KB chunks of what they received. build makes a new handler (a cold container)
// every coldEvery messages; 0 never does.
type timed struct {
	build     func() (queue.Handler, error)
	coldEvery int

	mu       sync.Mutex
	handler  queue.Handler
	messages int // since the last cold start
	inv      cost.Invocations
	settled  int // messages settled in total
}

func newTimed(build func() (queue.Handler, error), coldEvery, memoryMB int) (*timed, error) {
	h, err := build()
	if err != nil {
		return nil, err
	}
	return &timed{build: build, coldEvery: coldEvery, handler: h, inv: cost.Invocations{MemoryMB: memoryMB}}, nil
}

func (t *timed) current(batch int) (queue.Handler, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.coldEvery > 0 && t.messages >= t.coldEvery {
		h, err := t.build()
		if err != nil {
			return nil, err
		}
		t.handler, t.messages = h, 0
	}
	t.messages += batch
	return t.handler, nil
}

func (t *timed) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	h, err := t.current(len(ev.Records))
	if err != nil {
		return events.SQSEventResponse{}, err
	}
	start := time.Now()
	resp, err := h(ctx, ev)
	billed := (time.Since(start) + time.Millisecond - 1) / time.Millisecond
	t.mu.Lock()
	defer t.mu.Unlock()
	// The event source's receive is billed per 64 KB chunk of the batch's
	// messages; EventBridge and the rule's send per chunk of each event.
	batchBytes := 0
	for _, r := range ev.Records {
		batchBytes += len(r.Body)
		t.inv.MessageChunks += awsmeter.Chunks(int64(len(r.Body)))
	}
	t.inv.ReceiveChunks += awsmeter.Chunks(int64(batchBytes))
	t.inv.Count++
	t.inv.BilledMS += int64(billed)
	if err == nil && len(resp.BatchItemFailures) < len(ev.Records) {
		t.inv.Settled++
		t.settled += len(ev.Records) - len(resp.BatchItemFailures)
	}
	return resp, err
}

func (t *timed) snapshot() (cost.Invocations, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.inv, t.settled
}
