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

// batcher groups messages into SendMessageBatch calls of at most 10
// entries and maxBatchBytes, so pages of any size cost ceil(n/10) calls
// for events of ordinary size.
type batcher struct {
	send  func([]queue.Message) error
	cur   []queue.Message
	bytes int
}

func (b *batcher) add(m queue.Message) error {
	n := len(m.Body)
	if n > maxBatchBytes {
		return fmt.Errorf("%w: %d bytes (limit %d)", errTooLarge, n, maxBatchBytes)
	}
	if len(b.cur) == queue.MaxBatch || b.bytes+n > maxBatchBytes {
		if err := b.flush(); err != nil {
			return err
		}
	}
	b.cur = append(b.cur, m)
	b.bytes += n
	return nil
}

func (b *batcher) flush() error {
	if len(b.cur) == 0 {
		return nil
	}
	err := b.send(b.cur)
	b.cur, b.bytes = nil, 0
	return err
}
