package e2e

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// stageClock notes when each event reached the fan-out and deliver
// handlers, so a benchmark can say where an event's publish-to-receipt
// time went: the queues' dwell, or the handlers' own work.
type stageClock struct {
	mu           sync.Mutex
	fanoutStart  map[string]time.Time // event id → first fan-out invocation holding it
	fanoutEnd    map[string]time.Time // event id → that invocation's return (its deliveries are queued)
	deliverStart map[string]time.Time // event id → first deliver invocation holding one of its deliveries
}

func newStageClock() *stageClock {
	return &stageClock{fanoutStart: map[string]time.Time{}, fanoutEnd: map[string]time.Time{}, deliverStart: map[string]time.Time{}}
}

// wrapFanout and wrapDeliver are devrun.Options' WrapFanout and WrapDeliver.
func (c *stageClock) wrapFanout(h queue.Handler) queue.Handler {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		ids := make([]string, 0, len(ev.Records))
		for _, m := range ev.Records {
			if _, d, err := bus.ParseRecord([]byte(m.Body)); err == nil {
				ids = append(ids, d.ID)
			}
		}
		c.note(c.fanoutStart, ids, time.Now())
		defer func() { c.note(c.fanoutEnd, ids, time.Now()) }()
		return h(ctx, ev)
	}
}

func (c *stageClock) wrapDeliver(h queue.Handler) queue.Handler {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		ids := make([]string, 0, len(ev.Records))
		for _, m := range ev.Records {
			if d, err := message.Decode(m.Body); err == nil {
				ids = append(ids, d.EventID)
			}
		}
		c.note(c.deliverStart, ids, time.Now())
		return h(ctx, ev)
	}
}

// note keeps the first time of each id (a retry does not move it).
func (c *stageClock) note(into map[string]time.Time, ids []string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		if _, ok := into[id]; !ok {
			into[id] = at
		}
	}
}

// stageNames are the legs of an event's way, in order: from the start of
// the publish request to the first fan-out invocation holding the event
// (the API and the ingest queue: fan-out may start before the 202 is
// read), the fan-out invocation, the delivery queue until the first
// deliver invocation holding its delivery, and that invocation until the
// endpoint's receipt.
var stageNames = []string{"api+ingest-queue", "fanout", "delivery-queue", "deliver"}

// stages splits each sample's publish-to-receipt time into stageNames.
func (c *stageClock) stages(samples []sample) [][]time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([][]time.Duration, len(stageNames))
	for _, s := range samples {
		fs, fe, ds := c.fanoutStart[s.id], c.fanoutEnd[s.id], c.deliverStart[s.id]
		if fs.IsZero() || fe.IsZero() || ds.IsZero() {
			continue
		}
		for i, d := range []time.Duration{fs.Sub(s.start), fe.Sub(fs), ds.Sub(fe), s.received.Sub(ds)} {
			out[i] = append(out[i], d)
		}
	}
	for _, ds := range out {
		slices.Sort(ds)
	}
	return out
}

// reportStages reports every stage's p99 as a metric ("<stage>-p99-ms").
func (c *stageClock) reportStages(b *testing.B, samples []sample) {
	for i, ds := range c.stages(samples) {
		if len(ds) > 0 {
			b.ReportMetric(ms(ds[len(ds)*99/100]), stageNames[i]+"-p99-ms")
		}
	}
}
