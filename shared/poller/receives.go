package poller

import (
	"strconv"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/message"
)

// maxTracked bounds the receive counts kept: a message that left the queue
// without being deleted here (moved to a DLQ by the queue) is never seen
// again, so its count would stay for good.
const maxTracked = 100_000

// receiveCounts supplies the true receive count of each message, as the
// event source does in AWS: goaws reports 1 on every receive, and the
// deliver handler takes a count of 1 to mean "first attempt" and does not
// read its delivery record (shared/delivery/attempts.go).
//
// The counts are kept in two generations of at most maxTracked/2 each: a
// receive moves a message's count into the current one, and when that is
// full the older one is dropped. So only a message not received for a
// whole generation is forgotten (the oldest first; typically one the queue
// moved to its DLQ), and every other count stays exact.
//
// The event source hands over SQS's own count, which never starts over. A
// forgotten message, if it is still on the queue, must not come back as a
// first receive: deliver would restart its retry schedule (count, first
// attempt, retry budget) without reading its record, and overwrite that.
// The poller cannot tell such a message from a new one (goaws gives no
// send time or count to go by), so once it has forgotten a message it had
// not seen deleted, it stamps any message it does not know as received
// twice: a count too high costs deliver one read, which finds no record for
// a new message and makes it attempt 1 all the same (and its gate deferral
// one doubling longer), while a count too low would break the retry
// schedule. SQS's count is approximate too; it is never low in this way.
type receiveCounts struct {
	mu       sync.Mutex
	cur, old map[string]int
	forgot   bool // some message was dropped without being seen deleted
}

// stamp counts a receive of every message of the batch and writes the
// count into its attributes (never lowering what the queue reported).
func (r *receiveCounts) stamp(batch []events.SQSMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range batch {
		m := &batch[i]
		n, known := r.cur[m.MessageId]
		if !known {
			n, known = r.old[m.MessageId]
			delete(r.old, m.MessageId)
		}
		switch {
		case known:
			n++
		case r.forgot:
			n = 2 // maybe received before it was forgotten: see receiveCounts
		default:
			n = 1
		}
		if reported, err := strconv.Atoi(m.Attributes[message.AttrReceiveCount]); err == nil && reported > n {
			n = reported
		}
		r.keep(m.MessageId, n)
		if m.Attributes == nil {
			m.Attributes = map[string]string{}
		}
		m.Attributes[message.AttrReceiveCount] = strconv.Itoa(n)
	}
}

// keep stores a count in the current generation, starting a new one when
// it is full: the messages the older one still holds are forgotten.
func (r *receiveCounts) keep(messageID string, n int) {
	if r.cur == nil {
		r.cur = map[string]int{}
	}
	r.cur[messageID] = n
	if len(r.cur) < maxTracked/2 {
		return
	}
	if len(r.old) > 0 {
		r.forgot = true
	}
	r.old, r.cur = r.cur, map[string]int{}
}

// forget drops the count of a message deleted from the queue.
func (r *receiveCounts) forget(messageID string) {
	r.mu.Lock()
	delete(r.cur, messageID)
	delete(r.old, messageID)
	r.mu.Unlock()
}
