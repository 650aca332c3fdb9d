// Package devbus is the event bus of `hookrelay dev` and the tests: there
// is no EventBridge emulator, so it does what the bus's rule and SQS target
// would do and writes the EventBridge event JSON straight onto the ingest
// queue. Lambdas never link it.
package devbus

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/emulator"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// batchSender is the SQS call the local bus needs (*sqsqueue.Client).
type batchSender interface {
	SendBatch(ctx context.Context, queueURL string, msgs []queue.Message) (calls int, err error)
}

// Local lands events on the ingest queue.
type Local struct {
	queue   batchSender
	url     string
	Account string
	Region  string
	Now     func() time.Time
}

var _ bus.Bus = (*Local)(nil)

// NewLocal returns a bus that lands events on the ingest queue at
// ingestQueueURL (config.IngestQueueURL).
func NewLocal(queue batchSender, ingestQueueURL string) *Local {
	return &Local{queue: queue, url: ingestQueueURL, Account: emulator.AccountID, Region: emulator.Region, Now: time.Now}
}

// Put follows the EventBridge adapter's batching rule (≤ 10 entries,
// ≤ 256 KiB per call); SendBatch retries rejected entries itself.
func (l *Local) Put(ctx context.Context, events []bus.Event) error {
	bodies := make([]queue.Message, len(events))
	for i, e := range events {
		body, err := l.record(e)
		if err != nil {
			return err
		}
		// The group the ingest rule's target takes from bus.GroupPath.
		bodies[i] = queue.Message{Body: string(body), Group: e.OrgID}
	}
	batches, err := bus.Split(bodies, func(m queue.Message) int { return len(m.Body) })
	if err != nil {
		return err
	}
	for i, batch := range batches {
		if _, err := l.queue.SendBatch(ctx, l.url, batch); err != nil {
			notPut := 0
			for _, rest := range batches[i:] {
				notPut += len(rest)
			}
			return fmt.Errorf("dev bus: up to %d of %d events not put: %w", notPut, len(events), err)
		}
	}
	return nil
}

// record is the message body EventBridge's SQS target would write.
func (l *Local) record(e bus.Event) ([]byte, error) {
	detail, err := bus.EncodeDetail(e)
	if err != nil {
		return nil, err
	}
	return bus.EncodeRecord(bus.Record{
		Version:    "0",
		ID:         newUUID(),
		DetailType: e.EventName,
		Source:     e.SourceOrDefault(),
		Account:    l.Account,
		// EventBridge event times have one-second precision.
		Time:      e.TimeOr(l.Now()).Truncate(time.Second),
		Region:    l.Region,
		Resources: []string{},
		Detail:    detail,
	})
}

// newUUID returns a random (version 4) UUID, the form of EventBridge ids.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("devbus: crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
