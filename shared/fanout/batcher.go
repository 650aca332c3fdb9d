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
//
// Calls go in the order the messages were added, so a record's progress
// is the mark (its webhook id) of its last message in a call that went,
// as long as none of its calls had failed before: a continuation resumes
// after it (continue.go).
type batcher struct {
	send   func([]queue.Message) error
	cur    []queue.Message
	owners []int
	marks  []string
	bytes  int
	failed map[int]error  // a record's first failed call
	sent   map[int]string // a record's progress
}

// add queues owner's message m, marked with the webhook it goes to.
func (b *batcher) add(owner int, mark string, m queue.Message) error {
	n := len(m.Body)
	if n > maxBatchBytes {
		return fmt.Errorf("%w: %d bytes (limit %d)", errTooLarge, n, maxBatchBytes)
	}
	if len(b.cur) == queue.MaxBatch || b.bytes+n > maxBatchBytes {
		b.flush()
	}
	b.cur = append(b.cur, m)
	b.owners = append(b.owners, owner)
	b.marks = append(b.marks, mark)
	b.bytes += n
	return nil
}

// flush sends what is pending; a failure is kept against its records,
// a success moves their progress.
func (b *batcher) flush() {
	if len(b.cur) == 0 {
		return
	}
	err := b.send(b.cur)
	if b.failed == nil {
		b.failed, b.sent = map[int]error{}, map[int]string{}
	}
	for j, o := range b.owners {
		switch {
		case b.failed[o] != nil:
			// The first failure stays: a call refused near the deadline
			// must not hide an earlier one that failed.
		case err != nil:
			b.failed[o] = err
		default:
			b.sent[o] = b.marks[j]
		}
	}
	b.cur, b.owners, b.marks, b.bytes = nil, nil, nil, 0
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

// progress is the webhook id of record i's last delivery in a call that
// went before any of its calls failed; "" when none went.
func (l *laneBatchers) progress(i int) string {
	for _, b := range l.by {
		if p := b.sent[i]; p != "" {
			return p
		}
	}
	return ""
}
