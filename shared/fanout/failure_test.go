package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// failingOrg makes the webhook query fail for one org only.
type failingOrg struct {
	Subscriptions
	org string
}

func (f failingOrg) ForEachSubscribed(ctx context.Context, org, name string, fn func([]webhook.Webhook) error) error {
	if org == f.org {
		return errors.New("throttled")
	}
	return f.Subscriptions.ForEachSubscribed(ctx, org, name, fn)
}

func TestFailedFanOutIsReportedForThatRecordOnly(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, testCatalog)
	e.webhook(t, "org_a", true, "*")
	e.webhook(t, "org_broken", true, "*")
	d := e.deps(testCatalog)
	d.Webhooks = failingOrg{Subscriptions: e.store, org: "org_broken"}
	h := NewHandler(d)

	at := time.Now().UTC()
	ok := record(t, "ok", bus.Record{ID: "u1", DetailType: "emailClick", Time: at, Detail: json.RawMessage(`{"organization_id":"org_a","data":{}}`)})
	broken := record(t, "broken", bus.Record{ID: "u2", DetailType: "emailClick", Time: at, Detail: json.RawMessage(`{"organization_id":"org_broken","data":{}}`)})
	resp, err := h.Handle(e.ctx, events.SQSEvent{Records: []events.SQSMessage{broken, ok}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "broken" {
		t.Fatalf("failures %+v, want only the broken record", resp.BatchItemFailures)
	}
	e.drain(t, e.delivery, 1)
	e.drain(t, e.dlq, 0) // a transient failure is retried, not dead-lettered
}

// recordingQueue keeps what would be sent, to count calls exactly.
type recordingQueue struct {
	mu       sync.Mutex // lanes send at once
	batches  [][]queue.Message
	urls     []string // the queue of each batch
	failDLQ  bool
	failCall int // 1-based SendBatch call that fails; 0 none
}

func (q *recordingQueue) SendBatch(_ context.Context, url string, msgs []queue.Message) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.batches = append(q.batches, msgs)
	q.urls = append(q.urls, url)
	if len(q.batches) == q.failCall {
		return 1, errors.New("sqs unavailable")
	}
	return 1, nil
}

func (q *recordingQueue) Send(context.Context, string, queue.Message) error {
	if q.failDLQ {
		return errors.New("dlq unavailable")
	}
	return nil
}

// pagedStore serves fixed page sizes, as a paginated query would.
type pagedStore struct{ pages []int }

func (p pagedStore) ForEachSubscribed(_ context.Context, org, _ string, fn func([]webhook.Webhook) error) error {
	n := 0
	for _, size := range p.pages {
		page := make([]webhook.Webhook, size)
		for i := range page {
			page[i] = webhook.Webhook{ID: fmt.Sprintf("wh_%05d", n), OrgID: org, Enabled: true, AllEvents: true}
			n++
		}
		if err := fn(page); err != nil {
			return err
		}
	}
	return nil
}

func pagedHandler(q *recordingQueue, pages ...int) *Handler {
	return NewHandler(Deps{
		Webhooks: pagedStore{pages: pages}, Queue: q, KnownEvent: func(string) bool { return true },
		DeliveryQueues: lanes.Lanes{"delivery"}, IngestDLQURL: "dlq", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

func TestBatchesSpanPagesAndRespectTheSizeLimit(t *testing.T) {
	at := time.Now().UTC()
	small := record(t, "s", bus.Record{ID: "u1", DetailType: "emailClick", Time: at, Detail: json.RawMessage(`{"organization_id":"org_a","data":{}}`)})
	q := &recordingQueue{}
	h := pagedHandler(q, 7, 13, 1, 0, 22)
	if resp, _ := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{small}}); len(resp.BatchItemFailures) != 0 {
		t.Fatal(resp.BatchItemFailures)
	}
	if len(q.batches) != 5 {
		t.Fatalf("%d calls for 43 webhooks over uneven pages, want ceil(43/10) = 5", len(q.batches))
	}
	seen := map[string]bool{}
	for i, b := range q.batches {
		if want := min(10, 43-10*i); len(b) != want {
			t.Errorf("batch %d has %d messages, want %d", i, len(b), want)
		}
		for _, m := range b {
			d, err := message.Decode(m.Body)
			if err != nil || seen[d.WebhookID] {
				t.Fatalf("bad or repeated delivery %v %s", err, d.WebhookID)
			}
			seen[d.WebhookID] = true
		}
	}

	// ~60 KiB envelopes: four fit in one 256 KiB request, not ten.
	detail, _ := json.Marshal(map[string]any{"organization_id": "org_a", "data": map[string]string{"s": strings.Repeat("x", 60*1024)}})
	big := record(t, "b", bus.Record{ID: "u2", DetailType: "emailClick", Time: at, Detail: detail})
	q = &recordingQueue{}
	pagedHandler(q, 10).Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{big}})
	for _, b := range q.batches {
		total := 0
		for _, m := range b {
			total += len(m.Body)
		}
		if len(b) > 4 || total > maxBatchBytes {
			t.Fatalf("batch of %d messages, %d bytes exceeds the SQS request limit", len(b), total)
		}
	}
	if len(q.batches) != 3 {
		t.Fatalf("%d calls for 10 large messages, want 3 (4+4+2)", len(q.batches))
	}
}

// The records of one invocation share SendMessageBatch calls; a failed
// call fails exactly the records with a delivery in it.
func TestRecordsOfAnInvocationShareCalls(t *testing.T) {
	at := time.Now().UTC()
	var recs []events.SQSMessage
	for i := range 10 {
		recs = append(recs, record(t, fmt.Sprintf("r%d", i), bus.Record{ID: fmt.Sprintf("u%d", i), DetailType: "emailClick", Time: at,
			Detail: json.RawMessage(`{"organization_id":"org_a","data":{}}`)}))
	}
	q := &recordingQueue{}
	if resp, _ := pagedHandler(q, 1).Handle(context.Background(), events.SQSEvent{Records: recs}); len(resp.BatchItemFailures) != 0 {
		t.Fatal(resp.BatchItemFailures)
	}
	if len(q.batches) != 1 || len(q.batches[0]) != 10 {
		t.Fatalf("%d calls for ten events to one endpoint each, want one of 10", len(q.batches))
	}

	// Four endpoints each: records 0-1 and half of 2 fill the first call,
	// which fails; records 2 to 4 the second, and so on.
	q = &recordingQueue{failCall: 1}
	resp, _ := pagedHandler(q, 4).Handle(context.Background(), events.SQSEvent{Records: recs})
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	if len(q.batches) != 4 || strings.Join(failed, ",") != "r0,r1,r2" {
		t.Fatalf("%d calls, failed records %v; want 4 calls and r0,r1,r2 (the first call's)", len(q.batches), failed)
	}
}

func TestDeadLetterFailureIsRetriedNotLost(t *testing.T) {
	q := &recordingQueue{failDLQ: true}
	resp, err := pagedHandler(q, 1).Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "bad", Body: "not json"}}})
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "bad" {
		t.Fatalf("resp %+v err %v: a record that could not be dead-lettered must stay on the queue", resp, err)
	}
}

// TestEachOrganizationsDeliveriesGoToItsLane: one invocation's events of
// two organizations on different lanes make one call per lane, each
// holding only that organization's deliveries.
func TestEachOrganizationsDeliveriesGoToItsLane(t *testing.T) {
	l := lanes.Lanes{"lane0", "lane1", "lane2", "lane3"}
	orgs := []string{"org_a"}
	for i := 0; len(orgs) < 2; i++ {
		if org := fmt.Sprintf("org_%d", i); l.For(org) != l.For(orgs[0]) {
			orgs = append(orgs, org)
		}
	}
	q := &recordingQueue{}
	h := NewHandler(Deps{
		Webhooks: pagedStore{pages: []int{3}}, Queue: q, KnownEvent: func(string) bool { return true },
		DeliveryQueues: l, IngestDLQURL: "dlq", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	handleEventsOf(t, h, append(orgs, orgs...)...)
	if len(q.batches) != 2 {
		t.Fatalf("%d calls for two organizations' 12 deliveries on two lanes, want 2: %v", len(q.batches), q.urls)
	}
	for i, b := range q.batches {
		if len(b) != 6 {
			t.Errorf("call %d carries %d deliveries, want 6", i, len(b))
		}
		for _, m := range b {
			d, err := message.Decode(m.Body)
			if err != nil || l.For(d.OrgID) != q.urls[i] {
				t.Errorf("delivery of %s sent to %s, its lane is %s (%v)", d.OrgID, q.urls[i], l.For(d.OrgID), err)
			}
		}
	}
}

// handleEventsOf fans out one emailClick event of each organization, in
// one invocation, and requires every record to succeed.
func handleEventsOf(t *testing.T, h *Handler, orgs ...string) {
	t.Helper()
	var recs []events.SQSMessage
	for i, org := range orgs {
		detail, _ := json.Marshal(map[string]any{"organization_id": org, "data": map[string]any{}})
		recs = append(recs, record(t, fmt.Sprint(i), bus.Record{ID: fmt.Sprintf("e%d", i), DetailType: "emailClick", Time: time.Now().UTC(), Detail: detail}))
	}
	if resp, _ := h.Handle(context.Background(), events.SQSEvent{Records: recs}); len(resp.BatchItemFailures) != 0 {
		t.Fatal(resp.BatchItemFailures)
	}
}

// An organization that has sent a lane lanes.Heavy events and more than another
// keeps that lane; the other's deliveries go around it, so a hanging
// endpoint of the first can hold only the lane it crowds. With home lanes
// only, both would share it.
func TestALighterOrganizationsDeliveriesGoAroundALaneAnotherCrowds(t *testing.T) {
	l := lanes.Lanes{"lane0", "lane1", "lane2", "lane3"}
	busy, light := "org_busy", ""
	for i := 0; light == ""; i++ {
		if org := fmt.Sprintf("org_%d", i); l.For(org) == l.For(busy) {
			light = org
		}
	}
	home := l.For(busy)
	q := &recordingQueue{}
	h := NewHandler(Deps{
		Webhooks: pagedStore{pages: []int{1}}, Queue: q, KnownEvent: func(string) bool { return true },
		DeliveryQueues: l, LaneWindow: time.Minute, IngestDLQURL: "dlq", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	burst := make([]string, lanes.Heavy)
	for i := range burst {
		burst[i] = busy
	}
	handleEventsOf(t, h, burst...)
	handleEventsOf(t, h, light, busy)

	sentTo := map[string]map[string]int{} // org → lane → deliveries
	for i, b := range q.batches {
		for _, m := range b {
			d, err := message.Decode(m.Body)
			if err != nil {
				t.Fatal(err)
			}
			if sentTo[d.OrgID] == nil {
				sentTo[d.OrgID] = map[string]int{}
			}
			sentTo[d.OrgID][q.urls[i]]++
		}
	}
	if n := sentTo[busy][home]; n != lanes.Heavy+1 {
		t.Errorf("the busy organization's deliveries went to %v, want all %d on its lane %s", sentTo[busy], lanes.Heavy+1, home)
	}
	if n := sentTo[light][home]; n != 0 || len(sentTo[light]) != 1 {
		t.Errorf("the light organization's delivery went to %v, want one lane other than %s", sentTo[light], home)
	}
}

// blockingStore holds every lookup of one organization until released.
type blockingStore struct {
	pagedStore
	org     string
	release chan struct{}
}

func (s blockingStore) ForEachSubscribed(ctx context.Context, org, name string, fn func([]webhook.Webhook) error) error {
	if org == s.org {
		<-s.release
	}
	return s.pagedStore.ForEachSubscribed(ctx, org, name, fn)
}

// signallingQueue tells sent of every SendBatch call, by queue.
type signallingQueue struct {
	recordingQueue
	sent chan string
}

func (q *signallingQueue) SendBatch(ctx context.Context, url string, msgs []queue.Message) (int, error) {
	n, err := q.recordingQueue.SendBatch(ctx, url, msgs)
	q.sent <- url
	return n, err
}

// TestALanesDeliveriesDoNotWaitForAnotherLanesLookups: in one invocation,
// organization B's deliveries are sent while organization A's subscription
// lookup (another lane) still hangs.
func TestALanesDeliveriesDoNotWaitForAnotherLanesLookups(t *testing.T) {
	l := lanes.Lanes{"lane0", "lane1", "lane2", "lane3"}
	orgA, orgB := "org_a", ""
	for i := 0; orgB == ""; i++ {
		if org := fmt.Sprintf("org_%d", i); l.For(org) != l.For(orgA) {
			orgB = org
		}
	}
	release := make(chan struct{})
	q := &signallingQueue{sent: make(chan string, 4)}
	h := NewHandler(Deps{
		Webhooks: blockingStore{pagedStore: pagedStore{pages: []int{2}}, org: orgA, release: release},
		Queue:    q, KnownEvent: func(string) bool { return true },
		DeliveryQueues: l, IngestDLQURL: "dlq", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	var recs []events.SQSMessage
	for i, org := range []string{orgA, orgB} {
		detail, _ := json.Marshal(map[string]any{"organization_id": org, "data": map[string]any{}})
		recs = append(recs, record(t, fmt.Sprint(i), bus.Record{ID: fmt.Sprintf("e%d", i), DetailType: "emailClick", Time: time.Now().UTC(), Detail: detail}))
	}
	done := make(chan events.SQSEventResponse)
	go func() {
		resp, _ := h.Handle(context.Background(), events.SQSEvent{Records: recs})
		done <- resp
	}()
	select {
	case got := <-q.sent:
		if got != l.For(orgB) {
			t.Errorf("first send went to %s while A's lookup hangs, want B's lane %s", got, l.For(orgB))
		}
	case <-time.After(30 * time.Second):
		t.Error("B's deliveries were not sent while A's lookup hung")
	}
	close(release)
	if got := <-q.sent; got != l.For(orgA) {
		t.Errorf("second send went to %s, want A's lane %s", got, l.For(orgA))
	}
	if resp := <-done; len(resp.BatchItemFailures) != 0 {
		t.Fatal(resp.BatchItemFailures)
	}
}

// panickingStore panics on every lookup.
type panickingStore struct{}

func (panickingStore) ForEachSubscribed(context.Context, string, string, func([]webhook.Webhook) error) error {
	panic("store bug")
}

// TestAPanicInALaneIsTheInvocations: a panic while fanning out one lane's
// records reaches Handle's caller (who retries the batch), not the process.
func TestAPanicInALaneIsTheInvocations(t *testing.T) {
	h := NewHandler(Deps{
		Webhooks: panickingStore{}, Queue: &recordingQueue{}, KnownEvent: func(string) bool { return true },
		DeliveryQueues: lanes.Lanes{"lane0", "lane1"}, IngestDLQURL: "dlq", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	rec := record(t, "p", bus.Record{ID: "p1", DetailType: "emailClick", Time: time.Now().UTC(), Detail: json.RawMessage(`{"organization_id":"org_a","data":{}}`)})
	defer func() {
		if r := recover(); r != "store bug" {
			t.Fatalf("recovered %v, want the store's panic", r)
		}
	}()
	h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{rec}})
	t.Fatal("Handle returned instead of panicking")
}
