package fanout

import (
	"errors"
	"fmt"

	"github.com/hookrelay/hookrelay/shared/queue"
)

// maxBatchBytes is SQS's cap on one message and on one SendMessageBatch
// request (the deployed queues and goaws are both configured at 256 KiB).
const maxBatchBytes = 256 * 1024

// errTooLarge marks a delivery message SQS can never accept. Every message
// of an event carries the same envelope, so the first one trips it before
// anything was sent.
var errTooLarge = errors.New("delivery message exceeds the SQS size limit")

// batcher groups the messages of a whole invocation into SendMessageBatch
// calls of at most 10 entries and maxBatchBytes: a batch of ten events to
// one endpoint each costs one call, not ten, and pages of any size cost
// ceil(n/10) calls for events of ordinary size. Each message belongs to the
// record (its index in the batch) that made it; a call that fails after
// its retries marks the records with a message in it as failed, so SQS
// brings them back, and never fails the record that happened to fill it.
type batcher struct {
	send   func([]queue.Message) error
	cur    []queue.Message
	owners []int
	bytes  int
	failed map[int]error
}

func (b *batcher) add(owner int, m queue.Message) error {
	n := len(m.Body)
	if n > maxBatchBytes {
		return fmt.Errorf("%w: %d bytes (limit %d)", errTooLarge, n, maxBatchBytes)
	}
	if len(b.cur) == queue.MaxBatch || b.bytes+n > maxBatchBytes {
		b.flush()
	}
	b.cur = append(b.cur, m)
	b.owners = append(b.owners, owner)
	b.bytes += n
	return nil
}

// flush sends what is pending; a failure is kept against its records.
func (b *batcher) flush() {
	if len(b.cur) == 0 {
		return
	}
	if err := b.send(b.cur); err != nil {
		if b.failed == nil {
			b.failed = map[int]error{}
		}
		for _, o := range b.owners {
			b.failed[o] = err
		}
	}
	b.cur, b.owners, b.bytes = nil, nil, 0
}

// laneBatchers keeps one batcher per delivery lane: every delivery of an
// event goes to the lane chosen for it, so an invocation's events share a
// call per lane rather than per event.
type laneBatchers struct {
	send func(queueURL string, msgs []queue.Message) error
	by   map[string]*batcher
}

// to is the batcher of the lane at queueURL.
func (l *laneBatchers) to(queueURL string) *batcher {
	b := l.by[queueURL]
	if b == nil {
		b = &batcher{send: func(msgs []queue.Message) error { return l.send(queueURL, msgs) }}
		if l.by == nil {
			l.by = map[string]*batcher{}
		}
		l.by[queueURL] = b
	}
	return b
}

// failed is the error of a call that carried a message of record i, if any.
func (l *laneBatchers) failed(i int) error {
	for _, b := range l.by {
		if err := b.failed[i]; err != nil {
			return err
		}
	}
	return nil
}
