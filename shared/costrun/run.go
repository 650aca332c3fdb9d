package costrun

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/app"
	"github.com/hookrelay/hookrelay/shared/app/deliverapp"
	"github.com/hookrelay/hookrelay/shared/app/fanoutapp"
	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/cost"
	"github.com/hookrelay/hookrelay/shared/devbus"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/poller"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

const (
	orgID     = "org_cost"
	eventName = "new-contact"
	// runTimeout bounds a scenario: 10,000 deliveries take a minute or two
	// on a small machine.
	runTimeout = 15 * time.Minute
)

// byteCounter counts what the handlers log, as CloudWatch would ingest it.
type byteCounter struct{ n atomic.Int64 }

func (c *byteCounter) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return len(p), nil
}

func (s *stack) run(ctx context.Context, sc Scenario) (cost.Measurement, error) {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	want := sc.Events * sc.Endpoints
	rcv := newReceiver(want, sc.FailFirst, sc.EndpointLatency)
	defer rcv.srv.Close()
	// The API's store (not metered) creates the secrets; each deliver
	// container gets its own, metered on the wire.
	store, deliverSecrets := s.secretStores(sc)
	if err := s.createWebhooks(ctx, store, rcv.srv.URL, sc.Endpoints); err != nil {
		return cost.Measurement{}, err
	}

	logs := &byteCounter{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: sc.LogLevel}))
	dyn, q := s.dynamo(s.metered), s.queue(s.metered)
	fan, err := newTimed(func() (queue.Handler, error) {
		return fanoutapp.New(fanoutapp.Deps{Config: s.cfg, Dynamo: dyn, SQS: q, Logger: log})
	}, 0, FanoutMemoryMB)
	if err != nil {
		return cost.Measurement{}, err
	}
	deliver, err := newTimed(func() (queue.Handler, error) {
		return deliverapp.New(app.Adapters{
			Config: s.cfg, Dynamo: dyn, SQS: q, Secrets: deliverSecrets(), Bus: devbus.NewLocal(q, s.cfg.IngestQueueURL), Logger: log,
		})
	}, sc.Shape.ColdEvery, DeliverMemoryMB)
	if err != nil {
		return cost.Measurement{}, err
	}
	before := s.meter.Snapshot()

	dataBytes, err := s.publish(ctx, sc)
	if err != nil {
		return cost.Measurement{}, err
	}
	stopSampling := make(chan struct{})
	peak := peakHeap(stopSampling)
	pollCtx, stopPolling := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, p := range []*poller.Poller{
		{Name: "fanout", QueueURL: s.cfg.IngestQueueURL, Handler: queue.Handler(fan.Handle), Concurrency: 2},
		{Name: "deliver", QueueURL: s.cfg.DeliveryQueues[0], Handler: queue.Handler(deliver.Handle), Concurrency: 4},
	} {
		p.Queue, p.BatchSize, p.Wait, p.Logger = s.sqs, sc.Shape.BatchSize, time.Second, slog.New(slog.NewTextHandler(io.Discard, nil))
		wg.Go(func() { _ = p.Run(pollCtx) })
	}
	err = waitSettled(ctx, rcv, deliver, want)
	stopPolling()
	wg.Wait()
	close(stopSampling)
	peakBytes := <-peak
	if err != nil {
		return cost.Measurement{}, err
	}
	posts, delivered, peakPosts := rcv.counts()
	m := cost.Measurement{
		Events: sc.Events, EventDataBytes: dataBytes, Deliveries: delivered, Posts: posts, PeakParallelPosts: peakPosts,
		Calls: s.meter.Snapshot().Sub(before), HandlerLogByte: logs.n.Load(), PeakHeapBytes: peakBytes,
	}
	m.Fanout, _ = fan.snapshot()
	m.Deliver, _ = deliver.snapshot()
	return m, nil
}

// waitSettled waits until every delivery reached its endpoint and the
// deliver handler has settled every message (recorded its outcome).
func waitSettled(ctx context.Context, rcv *receiver, deliver *timed, want int) error {
	select {
	case <-rcv.done:
	case <-ctx.Done():
		_, got, _ := rcv.counts()
		return fmt.Errorf("%d of %d deliveries arrived: %w", got, want, ctx.Err())
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, settled := deliver.snapshot(); settled >= want {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("deliver handler did not settle every message: %w", ctx.Err())
		}
	}
}

func (s *stack) createWebhooks(ctx context.Context, store secrets.Store, baseURL string, n int) error {
	webhooks := dynamo.NewWebhookStore(s.db, s.cfg.Table)
	now := time.Now()
	for i := range n {
		w := webhook.Webhook{
			ID: ids.New(ids.WebhookPrefix), OrgID: orgID, Name: "endpoint " + strconv.Itoa(i),
			URL: baseURL + "/endpoint/" + strconv.Itoa(i), EventTypes: []string{eventName}, Enabled: true,
			CreatedAt: now, UpdatedAt: now,
		}
		secret, err := secrets.Generate()
		if err != nil {
			return err
		}
		if err := store.Create(ctx, orgID, w.ID, secret); err != nil {
			return err
		}
		if err := webhooks.Create(ctx, w, n); err != nil {
			return err
		}
	}
	return nil
}

// producerSource is the catalog sample's source: a producer's own.
const producerSource = "com.example.assistant"

// publish lands the scenario's events on the ingest queue as EventBridge's
// rule target would, ten per call like a producer's PutEvents, and returns
// the size of each event's data.
func (s *stack) publish(ctx context.Context, sc Scenario) (int, error) {
	types, err := catalog.Default()
	if err != nil {
		return 0, err
	}
	var sample []byte
	for _, t := range types.Types() {
		if t.Name == eventName {
			sample = t.Example
		}
	}
	data, err := eventData(sample, sc.DataBytes)
	if err != nil {
		return 0, err
	}
	b := devbus.NewLocal(s.sqs, s.cfg.IngestQueueURL)
	for start := 0; start < sc.Events; start += bus.MaxEntries {
		batch := make([]bus.Event, 0, bus.MaxEntries)
		for i := start; i < min(start+bus.MaxEntries, sc.Events); i++ {
			ev := bus.Event{OrgID: orgID, EventName: eventName, Data: data}
			if sc.ProducerID {
				ev.Source, ev.EventID = producerSource, "cost-"+strconv.Itoa(i)
			}
			batch = append(batch, ev)
		}
		if err := b.Put(ctx, batch); err != nil {
			return 0, err
		}
	}
	return len(data), nil
}
