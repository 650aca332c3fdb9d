package sqsqueue

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/queue"
)

// ChangeVisibilityBatch changes more than one call's worth, and names the
// entry the queue refused (here one deleted before) without failing the
// rest: the eleven released are received again, at once.
func TestChangeVisibilityBatchOnGoaws(t *testing.T) {
	_, q, url, handles := receivedLastDeleted(t, "visbatch", 12)
	ctx := context.Background()
	changes := make([]queue.VisibilityChange, len(handles))
	for i, h := range handles {
		changes[i] = queue.VisibilityChange{ReceiptHandle: h}
	}
	errs := q.ChangeVisibilityBatch(ctx, url, changes)
	for i, err := range errs {
		if (err != nil) != (i == 11) {
			t.Errorf("change %d: %v; want an error for the deleted message alone", i, err)
		}
	}
	seen := 0
	for seen < 11 {
		got, err := q.ReceiveOnce(ctx, url, 10, 0, time.Minute)
		if err != nil || len(got) == 0 {
			t.Fatalf("received %d of the 11 released again: %v", seen, err)
		}
		seen += len(got)
	}
}
