package delivery

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/attempt"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/netguard"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// The delivery path (parallel batch of 10, real signing with two secrets
// as during a rotation, real loopback HTTP, attempt and delivery records in
// memory, JSON logs formatted) against a bare net/http POST of the same
// bytes with the same concurrency. Goal: ratio ≥ 0.8.

const benchBatch = 10

// ringAttempts keeps the last entries only, so long runs stay flat in memory.
type ringAttempts struct {
	mu   sync.Mutex
	buf  [1024]attempt.Attempt
	next int
}

func (r *ringAttempts) Append(_ context.Context, a attempt.Attempt) error {
	r.mu.Lock()
	r.buf[r.next%len(r.buf)] = a
	r.next++
	r.mu.Unlock()
	return nil
}

type benchEnv struct {
	h     *Handler
	batch events.SQSEvent
	bare  *http.Client
	url   string
	body  []byte
}

func newBenchEnv(b *testing.B) *benchEnv {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(srv.Close)
	cfg := testConfig()
	cfg.DeliveryTimeout = 10 * time.Second
	hooks := &memWebhooks{hooks: map[string]webhook.Webhook{}}
	var batch events.SQSEvent
	for i := range benchBatch {
		id := fmt.Sprintf("wh_%02d", i)
		hooks.put(webhook.Webhook{ID: id, OrgID: "org_a", URL: srv.URL + "/hook", Enabled: true})
		batch.Records = append(batch.Records, sqsMessage(b, "org_a", id, "evt_bench"))
	}
	e := newEnv(b, cfg, func(d *Deps) {
		d.Webhooks = NewWebhookCache(hooks, DefaultWebhookCacheTTL)
		d.Attempts = &ringAttempts{}
		d.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
		d.Client = netguard.NewClient(netguard.Options{Timeout: cfg.DeliveryTimeout, AllowLoopback: true})
	})
	e.secrets.active = []string{testSecret}
	d, _ := message.Decode(batch.Records[0].Body)
	bare := &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16, ForceAttemptHTTP2: true}}
	return &benchEnv{h: e.h, batch: batch, bare: bare, url: srv.URL + "/hook", body: []byte(d.Envelope)}
}

func (e *benchEnv) deliverBatch(b *testing.B) {
	resp, err := e.h.Handle(context.Background(), e.batch)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		b.Fatalf("batch failed: %v %+v", err, resp.BatchItemFailures)
	}
}

func (e *benchEnv) bareBatch(b *testing.B) {
	var wg sync.WaitGroup
	for range benchBatch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := e.bare.Post(e.url, "application/json", bytes.NewReader(e.body))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
	}
	wg.Wait()
}

func BenchmarkDeliveryBatch(b *testing.B) {
	e := newBenchEnv(b)
	e.deliverBatch(b) // warm the connections and the cache
	for b.Loop() {
		e.deliverBatch(b)
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "msgs/s")
}

func BenchmarkBarePOST(b *testing.B) {
	e := newBenchEnv(b)
	e.bareBatch(b)
	for b.Loop() {
		e.bareBatch(b)
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkDeliveryVsBare alternates the two in one run, so machine noise
// hits both alike, and reports ratio = delivery throughput / bare throughput.
func BenchmarkDeliveryVsBare(b *testing.B) {
	e := newBenchEnv(b)
	e.deliverBatch(b)
	e.bareBatch(b)
	var deliver, bare time.Duration
	for b.Loop() {
		start := time.Now()
		e.deliverBatch(b)
		mid := time.Now()
		e.bareBatch(b)
		deliver += mid.Sub(start)
		bare += time.Since(mid)
	}
	msgs := float64(b.N * benchBatch)
	b.ReportMetric(msgs/deliver.Seconds(), "delivery_msgs/s")
	b.ReportMetric(msgs/bare.Seconds(), "bare_msgs/s")
	b.ReportMetric(bare.Seconds()/deliver.Seconds(), "ratio")
}
