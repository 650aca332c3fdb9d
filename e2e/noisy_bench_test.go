package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devbus"
	"github.com/hookrelay/hookrelay/shared/devrun"
)

// The noisy neighbour on `make dev` stacks (delivery timeout 1 s): tenant
// A publishes 2,000 events to an endpoint that answers after the timeout,
// tenant B 20 events (10/s) to a fast endpoint, starting once A's first
// events are in, so B's run overlaps A's first POSTs hanging. Four kinds
// of A, each on a fresh stack with its own B-alone baseline:
//
//   - api: A publishes through the API at the per-organization limit a
//     deployed stack has by default (orgRateLimit 25/s), waiting out each
//     429's Retry-After; A and B on different delivery lanes.
//   - api-same-lane: the same, with B's home lane A's: fan-out sends B
//     around the lane A crowds (lanes.Chooser).
//   - bus: A puts its 2,000 events on the bus at once (a producer calling
//     PutEvents is not rate limited); different lanes.
//   - bus-same-lane: the same burst, with B's home lane A's (1 tenant in
//     lanes.Count has a given tenant's home lane).
//
// Reported per kind: B's publish-to-receipt p99 alone and beside A, their
// ratio (x-alone, goal <= 2), and the p99 of each stage of B's way
// (stages_bench_test.go), which says where the time went.
func BenchmarkNoisyNeighbour(b *testing.B) {
	for _, k := range []noisyKind{
		{name: "api", rateLimit: 25},
		{name: "api-same-lane", rateLimit: 25, sameLane: true},
		{name: "bus", viaBus: true},
		{name: "bus-same-lane", viaBus: true, sameLane: true},
	} {
		b.Run(k.name, func(b *testing.B) { noisyNeighbour(b, k) })
	}
}

// noisyKind is how tenant A loads the stack.
type noisyKind struct {
	name      string
	rateLimit int  // the API's per-organization limit (0: none)
	viaBus    bool // A puts its events on the bus instead of the API
	sameLane  bool // A's home lane is B's
}

func noisyNeighbour(b *testing.B, k noisyKind) {
	const (
		timeout   = time.Second
		aEvents   = 2000
		bEvents   = 20
		bPerSec   = 10
		aWriters  = 8
		aHeadroom = 25 // B starts once A has published this many
	)
	clock := newStageClock()
	env := map[string]string{config.EnvDeliveryTimeout: timeout.String()}
	if k.rateLimit > 0 {
		env[config.EnvOrgRateLimit] = strconv.Itoa(k.rateLimit)
	}
	s, err := startStack(b.TempDir(), devrun.Options{Env: env, WrapFanout: clock.wrapFanout, WrapDeliver: clock.wrapDeliver})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Stop()
	example, err := os.ReadFile("../catalog/types/emailOpen.example.json")
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: aWriters}, Timeout: lambdaPatience}
	slow := newReceiver(b, func(int, *http.Request, []byte) answer {
		return answer{hang: timeout + 500*time.Millisecond, status: 200}
	})
	fast := newReceiver(b, nil)
	tb := newTenant(b, s, "b")
	ta := tenantOnLane(b, s, "a", tb.org, k.sameLane)
	tb.createWebhook(fast.url("/b"), "emailOpen")
	ta.createWebhook(slow.url("/a"), "emailOpen")
	bt := &publisher{api: s.API, token: tb.token, data: example, client: client}
	a := &publisher{api: s.API, token: ta.token, data: example, client: client, patient: true}
	// One event warms the caches and connections.
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
						var err error
						if k.viaBus {
							err = devbus.NewLocal(s.SQS, s.Config.IngestQueueURL).Put(context.Background(),
								[]bus.Event{{OrgID: ta.org, EventName: "emailOpen", Data: json.RawMessage(example)}})
						} else {
							_, err = a.publish()
						}
						if err != nil {
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
		b.Logf("%s: B's publish-to-receipt p99: %s alone, %s beside A (%.1fx; goal <= 2x)", k.name, alone, noisy, float64(noisy)/float64(alone))
	}
}
