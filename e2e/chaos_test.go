package e2e

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/devbus"
	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// Chaos parameters. The seed fixes every endpoint answer (a function of the
// endpoint, the delivery id and the request number of that delivery) and
// the sequence of batch panics.
const (
	chaosSeed      = 20261123
	chaosEvents    = 1000
	chaosEndpoints = 3
	// goneEndpoint answers 410 once, late in the run: at its goneAt-th
	// request (of roughly 1,150 it receives).
	goneEndpoint = 2
	goneAt       = 900
	// panicPerMille of deliver invocations panic, half before the handler
	// runs (nothing happened) and half after (work done, batch not deleted:
	// its deliveries come back, as after a Lambda crash).
	panicPerMille = 10
	// chaosDeadline only bounds a hang: the drain takes under a minute,
	// and a loaded machine must make it slower, never red (it took almost
	// 4 minutes beside other test binaries at a load average of 25 on 2
	// cores).
	chaosDeadline = 10 * time.Minute
	// chaosDeliveryTimeout is short so the hanging answers cost little: a
	// POST that a stall pushes past it is retried like a real timeout, which
	// this test tolerates (duplicates are only reported).
	chaosDeliveryTimeout = time.Second
)

// chaosAnswer is an endpoint's deterministic answer to the n-th request of a
// delivery. About 85 % succeed; a few deliveries fail every time so the
// retries_exhausted path is exercised too.
func chaosAnswer(endpoint int, delivery string, n int) answer {
	if roll(endpoint, delivery, 0)%1000 < 4 { // ~0.4 % of deliveries: always down
		return status(http.StatusInternalServerError)
	}
	r := roll(endpoint, delivery, n) % 1000
	switch {
	case r < 50:
		return status(http.StatusInternalServerError)
	case r < 70:
		return status(http.StatusServiceUnavailable)
	case r < 90:
		return answer{reset: true}
	case r < 110:
		return answer{hang: chaosDeliveryTimeout + 500*time.Millisecond, status: http.StatusOK} // a timeout
	case r < 120:
		return status(http.StatusTooManyRequests)
	case r < 127:
		return status(http.StatusBadRequest)
	case r < 133:
		return status(http.StatusNotFound)
	case r < 140:
		return status(http.StatusUnprocessableEntity)
	case r < 150:
		return status(http.StatusNoContent)
	}
	return status(http.StatusOK)
}

func roll(endpoint int, delivery string, n int) uint64 {
	h := fnv.New64a()
	var b [24]byte
	binary.BigEndian.PutUint64(b[0:], chaosSeed)
	binary.BigEndian.PutUint64(b[8:], uint64(endpoint))
	binary.BigEndian.PutUint64(b[16:], uint64(n))
	h.Write(b[:])
	h.Write([]byte(delivery))
	return h.Sum64()
}

// chaosEndpoint is one receiver with its per-delivery request counts.
type chaosEndpoint struct {
	*receiver
	idx  int
	mu   sync.Mutex
	seen map[string]int
	// gone is the delivery answered 410: its later requests get 410 too,
	// so a 410 that a stall pushed past the delivery timeout (recorded as
	// a timeout and retried) still removes the webhook, once.
	gone string
}

func newChaosEndpoint(t *testing.T, idx int) *chaosEndpoint {
	e := &chaosEndpoint{idx: idx, seen: map[string]int{}}
	e.receiver = newReceiver(t, func(total int, r *http.Request, _ []byte) answer {
		d := r.Header.Get("X-Hookrelay-Delivery")
		e.mu.Lock()
		defer e.mu.Unlock()
		e.seen[d]++
		if idx == goneEndpoint && (total == goneAt || d == e.gone) {
			e.gone = d
			return status(http.StatusGone)
		}
		return chaosAnswer(idx, d, e.seen[d])
	})
	return e
}

// panicker wraps the deliver handler and panics on a seeded 1 % of batches.
type panicker struct {
	mu            sync.Mutex
	rng           *rand.Rand
	before, after int
}

func (p *panicker) wrap(next queue.Handler) queue.Handler {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		p.mu.Lock()
		r := p.rng.IntN(2000)
		switch {
		case r < panicPerMille:
			p.before++
		case r < 2*panicPerMille:
			p.after++
		}
		p.mu.Unlock()
		if r < panicPerMille {
			panic(fmt.Sprintf("chaos: deliver panics before handling %d messages", len(ev.Records)))
		}
		resp, err := next(ctx, ev)
		if r < 2*panicPerMille {
			panic(fmt.Sprintf("chaos: deliver panics after handling %d messages", len(ev.Records)))
		}
		return resp, err
	}
}

func (p *panicker) counts() (before, after int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.before, p.after
}

type pair struct {
	event string
	hook  int
}

// TestChaos sends 1,000 events to 3 endpoints that fail in every way the
// design names, with a deliver handler that panics on 1 % of batches, and
// checks that every (event, endpoint) pair ends delivered, dead-lettered
// with a reason, or removed by 410. Nothing may be lost; duplicates are
// counted and reported.
func TestChaos(t *testing.T) {
	t.Parallel()
	start := time.Now()
	pan := &panicker{rng: rand.New(rand.NewPCG(chaosSeed, 1))}
	s := startTestStack(t, devrun.Options{
		Env:                stackEnv(chaosDeliveryTimeout),
		FanoutConcurrency:  4,
		DeliverConcurrency: 12,
		WrapDeliver:        pan.wrap,
	})
	s.collectDLQ()
	t.Cleanup(s.dlq.stop)
	a := newTenant(t, s, "chaos")

	eps := make([]*chaosEndpoint, chaosEndpoints)
	hooks := make([]createdWebhook, chaosEndpoints)
	hookIdx := map[string]int{}
	for i := range eps {
		eps[i] = newChaosEndpoint(t, i)
		hooks[i] = a.createWebhook(eps[i].url(fmt.Sprintf("/chaos/%d", i)), "emailClick")
		hookIdx[hooks[i].ID] = i
	}

	// Publish through the bus, ten events per PutEvents, as the API does:
	// under hookrelay's own source, so each event keeps the id chosen here.
	producer := devbus.NewLocal(s.SQS, s.State.IngestQueueURL)
	eventIDs := make([]string, chaosEvents)
	batch := make([]bus.Event, 0, bus.MaxEntries)
	ctx := context.Background()
	for i := range chaosEvents {
		eventIDs[i] = ids.New(ids.EventPrefix)
		batch = append(batch, bus.Event{OrgID: a.org, EventName: "emailClick", EventID: eventIDs[i], Data: clickData, Source: bus.DefaultSource})
		if len(batch) == bus.MaxEntries || i == chaosEvents-1 {
			if err := producer.Put(ctx, batch); err != nil {
				t.Fatalf("put events: %v", err)
			}
			batch = batch[:0]
		}
	}
	t.Logf("published %d events in %s", chaosEvents, time.Since(start).Round(time.Millisecond))

	// Wait until the pipeline is empty, checking its queues in the order
	// messages flow: a handler queues what follows before its own message
	// is deleted, so ingest empty, then every delivery lane empty, then the DLQ empty
	// (the collector deletes what it took) means every request was made and
	// every dead letter collected. "Empty" counts in-flight and delayed
	// messages: a retry waiting out its backoff is not done.
	deadline := time.Now().Add(chaosDeadline)
	pipeline := append(append([]string{s.State.IngestQueueURL}, lanes.Parse(s.State.DeliveryQueueURL)...), s.State.DLQURL)
	for !queuesEmpty(ctx, t, s, pipeline...) {
		if time.Now().After(deadline) {
			t.Errorf("queues not drained after %s; counting what arrived", chaosDeadline)
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	drained := time.Since(start)
	s.dlq.stop() // take what the collector has; nothing more can arrive
	deadLetters := s.dlq.entries

	// What each endpoint 2xx'd, by pair, and duplicates by delivery id.
	delivered := map[pair]bool{}
	okByDelivery := map[string]int{}
	requests := 0
	for i, e := range eps {
		for _, h := range e.all() {
			requests++
			if h.answered < 200 || h.answered > 299 {
				continue
			}
			var env struct {
				ID    string `json:"id"`
				OrgID string `json:"organization_id"`
			}
			if err := json.Unmarshal(h.body, &env); err != nil || env.OrgID != a.org {
				t.Errorf("endpoint %d got %s", i, h.body)
				continue
			}
			if err := verifyIndependently(hooks[i].SigningSecret, h.header, h.body, h.at); err != nil {
				t.Errorf("endpoint %d: %v", i, err)
			}
			delivered[pair{env.ID, i}] = true
			okByDelivery[h.delivery()]++
		}
	}
	duplicates := 0
	for _, n := range okByDelivery {
		duplicates += n - 1
	}

	// Dead letters, by pair and reason.
	dead := map[pair]string{}
	byReason := map[string]int{}
	for _, e := range deadLetters {
		reason, hookID := e.Attrs[message.AttrReason], e.Attrs[message.AttrWebhookID]
		if reason == "" {
			// No attributes: the queue's own maxReceiveCount redrive moved
			// it, not deliver. On a saturated emulator a batch can outlive
			// its visibility timeout until the message has been received
			// that many times; operators see it as max_receive_exceeded and
			// can redrive it, so it is dead-lettered with a reason, and its
			// body names the pair.
			reason, hookID = message.ReasonMaxReceive, e.Delivery.WebhookID
		}
		i, ok := hookIdx[hookID]
		byReason[reason]++
		switch {
		case !ok:
			t.Errorf("dead letter of an unknown webhook: %v %+v", e.Attrs, e.Delivery)
		case reason != message.ReasonRetriesExhausted && reason != message.ReasonPermanentStatus && reason != message.ReasonMaxReceive:
			t.Errorf("dead letter with reason %q (want retries_exhausted, permanent_status or max_receive_exceeded): %v", reason, e.Attrs)
		case reason == message.ReasonRetriesExhausted && e.Attrs[message.AttrAttempts] != "4":
			t.Errorf("retries_exhausted after %s attempts, want 4: %v", e.Attrs[message.AttrAttempts], e.Attrs)
		default:
			if _, twice := dead[pair{e.Delivery.EventID, i}]; twice {
				t.Logf("pair (%s, endpoint %d) dead-lettered twice", e.Delivery.EventID, i)
			}
			dead[pair{e.Delivery.EventID, i}] = reason
		}
	}

	// The removed endpoint: its webhook must be gone, and the attempt log
	// (read from the table: the API no longer serves a deleted webhook's
	// log) says which of its deliveries were removed or skipped.
	removed := map[pair]string{}
	goneHook := hooks[goneEndpoint].ID
	if status, _ := a.call(http.MethodGet, "/api/v1/organization/webhooks/"+goneHook, nil); status != http.StatusNotFound {
		t.Errorf("endpoint %d answered 410 but its webhook still exists (GET %d)", goneEndpoint, status)
	}
	var removedAt time.Time
	removals := 0 // entries, not pairs: the 410 may answer a copy of a delivery made already
	for _, at := range attemptLog(t, s, a.org, goneHook) {
		if at.Outcome == deliverylog.OutcomeRemoved || at.Outcome == deliverylog.OutcomeSkipped {
			removed[pair{at.EventID, goneEndpoint}] = at.Outcome
		}
		if at.Outcome == deliverylog.OutcomeRemoved {
			removedAt = at.At
			removals++
		}
	}
	// When each event was first attempted anywhere: an event whose ingest
	// message came back late (after its visibility timeout) may be fanned
	// out after the removal, and then rightly has no delivery to the removed
	// webhook at all.
	firstAttempt := map[string]time.Time{}
	for i := range eps {
		for _, at := range attemptLog(t, s, a.org, hooks[i].ID) {
			if f, ok := firstAttempt[at.EventID]; !ok || at.At.Before(f) {
				firstAttempt[at.EventID] = at.At
			}
		}
	}

	// Every pair must have ended somewhere.
	var lost []string
	removedCount := map[string]int{}
	both := 0
	for _, ev := range eventIDs {
		for i := range eps {
			p := pair{ev, i}
			_, d := dead[p]
			rm, r := removed[p]
			switch {
			case delivered[p]:
				if d {
					both++
				}
			case d:
			case r:
				removedCount[rm]++
			case i == goneEndpoint && !removedAt.IsZero() && firstAttempt[ev].After(removedAt):
				removedCount["not fanned out"]++
			default:
				lost = append(lost, fmt.Sprintf("(%s, endpoint %d, %s)", ev, i, ids.Delivery(ev, hooks[i].ID)))
			}
		}
	}
	before, after := pan.counts()
	reasons := make([]string, 0, len(byReason))
	for r, n := range byReason {
		reasons = append(reasons, fmt.Sprintf("%s=%d", r, n))
	}
	sort.Strings(reasons)
	t.Logf("chaos summary (seed %d): %d events × %d endpoints = %d pairs; %d requests; drained in %s",
		chaosSeed, chaosEvents, chaosEndpoints, chaosEvents*chaosEndpoints, requests, drained.Round(time.Second))
	t.Logf("  delivered:     %d pairs (%d also dead-lettered after a redelivery)", len(delivered), both)
	t.Logf("  dead-lettered: %d pairs [%s]", len(dead), strings.Join(reasons, ", "))
	t.Logf("  removed by 410 (endpoint %d): %d removal, pairs removed=%d skipped=%d not fanned out=%d (event fanned out after the removal)",
		goneEndpoint, removals, removedCount[deliverylog.OutcomeRemoved], removedCount[deliverylog.OutcomeSkipped], removedCount["not fanned out"])
	t.Logf("  duplicates:    %d extra 2xx'd requests of an already delivered delivery id", duplicates)
	t.Logf("  deliver panics: %d before handling, %d after handling", before, after)
	t.Logf("  lost:          %d", len(lost))

	if len(lost) > 0 {
		t.Errorf("%d pairs lost (neither delivered, dead-lettered nor removed), e.g. %s",
			len(lost), strings.Join(lost[:min(len(lost), 10)], " "))
	}
	// One 410, one removal: a copy of a delivery made already (its batch
	// panicked after handling) may be the one answered 410.
	if removals != 1 {
		t.Errorf("%d attempts recorded as removed by 410, want exactly 1", removals)
	}
	if before+after == 0 {
		t.Error("no deliver invocation panicked: the chaos did not happen")
	}
	if len(dead) == 0 || byReason[message.ReasonRetriesExhausted] == 0 || byReason[message.ReasonPermanentStatus] == 0 {
		t.Errorf("expected dead letters of both reasons, got %v", byReason)
	}
	ingestDLQ, err := testenv.QueueDepth(ctx, s.SQS.API(), s.State.IngestDLQURL)
	if err != nil || ingestDLQ != 0 {
		t.Errorf("ingest DLQ holds %d events (%v): fan-out lost some", ingestDLQ, err)
	}
}

// queuesEmpty reports whether each queue, checked in turn, holds no
// message, visible or not.
func queuesEmpty(ctx context.Context, t *testing.T, s *stack, urls ...string) bool {
	for _, url := range urls {
		n, err := testenv.QueueDepth(ctx, s.SQS.API(), url)
		if err != nil {
			t.Logf("queue depth of %s: %v", url, err)
			return false
		}
		if n > 0 {
			return false
		}
	}
	return true
}

// attemptLog reads a webhook's whole attempt log from the table (the API
// no longer serves the log of a deleted webhook).
func attemptLog(t *testing.T, s *stack, org, webhookID string) []deliverylog.Attempt {
	t.Helper()
	log := dynamo.NewAttemptLog(s.Dynamo, s.Config.Table, s.Config.AttemptTTL)
	var all []deliverylog.Attempt
	for cursor := ""; ; {
		page, next, err := log.List(context.Background(), org, webhookID, dynamo.MaxAttemptPage, cursor)
		if err != nil {
			t.Fatalf("attempt log of %s: %v", webhookID, err)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		cursor = next
	}
}
