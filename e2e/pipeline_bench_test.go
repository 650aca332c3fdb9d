package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/wait"
)

// The local pipeline's speed on a `make dev` stack (its defaults: five
// fan-out and four delivery batches in flight), with two endpoints on one
// loopback receiver subscribed to the published type:
//   - burst: 1,000 events published over the API by 8 publishers at once;
//     deliveries/s from the first publish to the 2,000th receipt (goal ≥ 500);
//   - paced: 20 events/s, so 40 deliveries/s; publish-to-receipt p50 and
//     p99, from the start of the publish request (goals ≤ 50 ms, ≤ 100 ms).
func BenchmarkLocalPipeline(b *testing.B) {
	s, err := startStack(b.TempDir(), devrun.Options{Env: map[string]string{}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Stop()
	tn := newTenant(b, s, "bench")
	rc := newReceiver(b, nil)
	for _, path := range []string{"/a", "/b"} {
		tn.createWebhook(rc.url(path), "emailOpen")
	}
	example, err := os.ReadFile("../catalog/types/emailOpen.example.json")
	if err != nil {
		b.Fatal(err)
	}
	p := &publisher{
		api: s.API, token: tn.token, data: example,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}, Timeout: lambdaPatience},
	}
	const endpoints = 2
	// A first event warms the webhook cache and the connections.
	if _, err := p.publish(); err != nil {
		b.Fatal(err)
	}
	waitReceipts(b, rc, endpoints)

	b.Run("burst", func(b *testing.B) {
		const events, publishers = 1000, 8
		for b.Loop() {
			before := rc.count()
			start := time.Now()
			var g errgroup.Group
			for range publishers {
				g.Go(func() error {
					for range events / publishers {
						if _, err := p.publish(); err != nil {
							return err
						}
					}
					return nil
				})
			}
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
			hits := waitReceipts(b, rc, before+events*endpoints)
			b.ReportMetric(float64(events*endpoints)/hits[len(hits)-1].at.Sub(start).Seconds(), "deliveries/s")
		}
	})

	b.Run("paced", func(b *testing.B) {
		const events, perSecond = 200, 20
		for b.Loop() {
			latencies, _ := pacedLatencies(b, p, rc, events*endpoints, events, perSecond)
			b.ReportMetric(ms(latencies[len(latencies)/2]), "p50-ms")
			b.ReportMetric(ms(latencies[len(latencies)*99/100]), "p99-ms")
		}
	})
}

// pacedLatencies publishes events through p at perSecond, waits for the
// receipts they cause at rc, and returns their publish-to-receipt
// latencies (from the start of the publish request) and the publish
// calls' own (the 202), both sorted.
func pacedLatencies(b *testing.B, p *publisher, rc *receiver, receipts, events, perSecond int) (receipt, accept []time.Duration) {
	return latencies(pacedSamples(b, p, rc, receipts, events, perSecond))
}

// latencies are the samples' publish-to-receipt and publish (202) times,
// both sorted.
func latencies(samples []sample) (receipt, accept []time.Duration) {
	for _, s := range samples {
		receipt = append(receipt, s.received.Sub(s.start))
		accept = append(accept, s.accepted.Sub(s.start))
	}
	slices.Sort(receipt)
	slices.Sort(accept)
	return receipt, accept
}

// sample is one receipt of a paced event: when its publish request
// started, when the 202 came back, and when the endpoint received it.
type sample struct {
	id                        string
	start, accepted, received time.Time
}

// pacedSamples publishes events through p at perSecond, waits for the
// receipts they cause at rc, and returns one sample per receipt.
func pacedSamples(b *testing.B, p *publisher, rc *receiver, receipts, events, perSecond int) []sample {
	before := rc.count()
	var mu sync.Mutex
	published := map[string]sample{}
	var g errgroup.Group
	tick := time.NewTicker(time.Second / time.Duration(perSecond))
	for range events {
		<-tick.C
		g.Go(func() error {
			at := time.Now()
			id, err := p.publish()
			mu.Lock()
			published[id] = sample{id: id, start: at, accepted: time.Now()}
			mu.Unlock()
			return err
		})
	}
	tick.Stop()
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	var samples []sample
	for _, h := range waitReceipts(b, rc, before+receipts)[before:] {
		var env message.Envelope
		if err := json.Unmarshal(h.body, &env); err != nil {
			b.Fatal(err)
		}
		s, ok := published[env.ID]
		if !ok {
			b.Fatalf("received event %s that this run did not publish", env.ID)
		}
		s.received = h.at
		samples = append(samples, s)
	}
	return samples
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// waitReceipts waits until rc has n hits and returns them; more than n (a
// duplicate delivery) fails the benchmark as a lost one would.
func waitReceipts(b *testing.B, rc *receiver, n int) []hit {
	b.Helper()
	testenv.WaitFor(b, 2*lambdaPatience, fmt.Sprintf("%d receipts", n), func() bool { return rc.count() >= n })
	hits := rc.all()
	if len(hits) != n {
		b.Fatalf("%d receipts, want %d", len(hits), n)
	}
	return hits
}

// publisher publishes events over the API as a tenant's producer would.
type publisher struct {
	api, token string
	data       json.RawMessage
	client     *http.Client
	// patient producers answer 429 by waiting its Retry-After and trying
	// again, as the API asks; others fail on it.
	patient bool
}

func (p *publisher) publish() (string, error) {
	for {
		id, retryAfter, err := p.publishOnce()
		if retryAfter == 0 || !p.patient {
			return id, err
		}
		// The pause the API asked for: a producer's pacing, which no
		// figure or assertion takes as evidence of anything.
		if err := wait.Sleep(context.Background(), retryAfter); err != nil {
			return "", err
		}
	}
}

// publishOnce makes one request; retryAfter is set when it got 429.
func (p *publisher) publishOnce() (id string, retryAfter time.Duration, err error) {
	body, err := json.Marshal(map[string]any{"event_name": "emailOpen", "data": p.data})
	if err != nil {
		return "", 0, err
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, p.api+"/api/v1/events", bytes.NewReader(body))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusTooManyRequests {
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		retryAfter = time.Duration(max(secs, 1)) * time.Second
	}
	var out struct {
		ID string `json:"id"`
	}
	if err != nil || resp.StatusCode != http.StatusAccepted || json.Unmarshal(raw, &out) != nil {
		return "", retryAfter, fmt.Errorf("publish: %d %s (%v)", resp.StatusCode, raw, err)
	}
	return out.ID, 0, nil
}
