package e2e

import (
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hookrelay/hookrelay/shared/devrun"
)

// The noisy neighbour on a `make dev` stack (delivery timeout 1 s): tenant
// A publishes 2,000 events to an endpoint that answers after the timeout,
// tenant B 20 events (10/s) to a fast endpoint. Reported: B's
// publish-to-receipt p99 alone ("alone") and during A's load ("noisy"),
// their ratio (x-alone, goal ≤ 2), and the p99 of each stage of B's way
// (stages_bench_test.go), which says where the time went.
func BenchmarkNoisyNeighbour(b *testing.B) {
	const (
		timeout   = time.Second
		aEvents   = 2000
		bEvents   = 20
		bPerSec   = 10
		aWriters  = 8
		aHeadroom = 200 // B starts once A has published this many
	)
	clock := newStageClock()
	s, err := startStack(b.TempDir(), devrun.Options{
		Env:        map[string]string{"HOOKRELAY_DELIVERY_TIMEOUT": timeout.String()},
		WrapFanout: clock.wrapFanout, WrapDeliver: clock.wrapDeliver,
	})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Stop()
	example, err := os.ReadFile("../catalog/types/emailOpen.example.json")
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: aWriters}, Timeout: lambdaPatience}
	tenantOf := func(label string, rc *receiver) *publisher {
		tn := newTenant(b, s, label)
		tn.createWebhook(rc.url("/"+label), "emailOpen")
		return &publisher{api: s.API, token: tn.token, data: example, client: client}
	}
	slow := newReceiver(b, func(int, *http.Request, []byte) answer {
		return answer{hang: timeout + 500*time.Millisecond, status: 200}
	})
	fast := newReceiver(b, nil)
	a, bt := tenantOf("a", slow), tenantOf("b", fast)
	// One event each warms the caches and connections.
	if _, err := bt.publish(); err != nil {
		b.Fatal(err)
	}
	waitReceipts(b, fast, 1)

	// bLatencies publishes B's events, paced, reports the p99 of each
	// stage of their way, and returns their publish-to-receipt latencies
	// and the publish calls' own (the 202), sorted.
	bLatencies := func(b *testing.B) (receipt, accept []time.Duration) {
		samples := pacedSamples(b, bt, fast, bEvents, bEvents, bPerSec)
		clock.reportStages(b, samples)
		return latencies(samples)
	}
	p99 := func(ls []time.Duration) time.Duration { return ls[len(ls)*99/100] }

	var alone, noisy time.Duration
	b.Run("alone", func(b *testing.B) {
		for b.Loop() {
			receipt, accept := bLatencies(b)
			alone = p99(receipt)
			b.ReportMetric(ms(alone), "B-p99-ms")
			b.ReportMetric(ms(p99(accept)), "B-publish-p99-ms")
		}
	})
	b.Run("noisy", func(b *testing.B) {
		for b.Loop() {
			var g errgroup.Group
			var published sync.WaitGroup
			published.Add(aHeadroom)
			for w := range aWriters {
				g.Go(func() error {
					for i := range aEvents / aWriters {
						if _, err := a.publish(); err != nil {
							return err
						}
						if n := i*aWriters + w; n < aHeadroom {
							published.Done()
						}
					}
					return nil
				})
			}
			published.Wait()
			receipt, accept := bLatencies(b)
			noisy = p99(receipt)
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(ms(noisy), "B-p99-ms")
			b.ReportMetric(ms(p99(accept)), "B-publish-p99-ms")
			b.ReportMetric(float64(slow.count()), "A-POSTs")
			if alone > 0 {
				b.ReportMetric(float64(noisy)/float64(alone), "x-alone")
			}
		}
	})
	if alone > 0 && noisy > 0 {
		b.Logf("B's publish-to-receipt p99: %s alone, %s beside A's backlog (%.1fx; goal <= 2x)", alone, noisy, float64(noisy)/float64(alone))
	}
}
