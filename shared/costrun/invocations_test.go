package costrun

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/queue"
)

// The event source's receive is billed per 64 KB chunk of the batch, an
// event per 64 KB chunk of its own: ten 10 KB messages are one 100 KB
// receive (2 chunks) of ten one-chunk messages, and one 100 KB message is
// a receive and a message of 2 chunks each.
func TestTimedCountsChunksOfBatchesAndMessages(t *testing.T) {
	settle := func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
		return events.SQSEventResponse{}, nil
	}
	tm, err := newTimed(func() (queue.Handler, error) { return settle, nil }, 0, 256)
	if err != nil {
		t.Fatal(err)
	}
	batch := make([]events.SQSMessage, 10)
	for i := range batch {
		batch[i].Body = strings.Repeat("x", 10*1024)
	}
	for _, ev := range []events.SQSEvent{{Records: batch}, {Records: []events.SQSMessage{{Body: strings.Repeat("y", 100*1024)}}}} {
		if _, err := tm.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	inv, settled := tm.snapshot()
	if inv.Count != 2 || settled != 11 || inv.ReceiveChunks != 4 || inv.MessageChunks != 12 {
		t.Errorf("%+v, %d settled; want 2 invocations, 11 settled, 4 receive chunks, 12 message chunks", inv, settled)
	}
}
