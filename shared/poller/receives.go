package poller

import (
	"strconv"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/message"
)

// maxTracked bounds the receive counts kept: a message that left the queue
// without being deleted here (moved to a DLQ by the queue) is never forgotten.
// Past it the counts start over, which can only make a count low (the
// handler then reads its own record).
const maxTracked = 100_000

// receiveCounts supplies the true receive count of each message, as the
// event source does in AWS: goaws reports 1 on every receive, and the
// deliver handler takes a count of 1 to mean "first attempt".
type receiveCounts struct {
	mu sync.Mutex
	n  map[string]int
}

// stamp counts a receive of every message of the batch and writes the
// count into its attributes (never lowering what the queue reported).
func (r *receiveCounts) stamp(batch []events.SQSMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == nil || len(r.n) >= maxTracked {
		r.n = map[string]int{}
	}
	for i := range batch {
		m := &batch[i]
		r.n[m.MessageId]++
		n := r.n[m.MessageId]
		if reported, err := strconv.Atoi(m.Attributes[message.AttrReceiveCount]); err == nil && reported > n {
			n = reported
		}
		if m.Attributes == nil {
			m.Attributes = map[string]string{}
		}
		m.Attributes[message.AttrReceiveCount] = strconv.Itoa(n)
	}
}

// forget drops the count of a message deleted from the queue.
func (r *receiveCounts) forget(messageID string) {
	r.mu.Lock()
	delete(r.n, messageID)
	r.mu.Unlock()
}
