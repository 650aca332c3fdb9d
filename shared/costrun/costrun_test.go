package costrun

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/awsmeter"
	"github.com/hookrelay/hookrelay/shared/delivery"
)

// A run counts what happened: every delivery arrives once, at most one
// fan-out query per invocation (the run's events share an organization and
// a type, and fan-out looks a subscription list up once per invocation),
// and with warm caches one secret read per endpoint.
func TestMeasureCountsARun(t *testing.T) {
	start := time.Now()
	m, err := Measure(context.Background(), Scenario{Events: 20, Endpoints: 2, Shape: Busy}, t.TempDir())
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if m.Events != 20 || m.Deliveries != 40 || m.Posts != 40 {
		t.Fatalf("events %d, deliveries %d, posts %d; want 20, 40, 40", m.Events, m.Deliveries, m.Posts)
	}
	if q := m.Calls.Calls[awsmeter.Op{Service: "DynamoDB", Operation: "Query"}]; q < 1 || q > m.Fanout.Count {
		t.Errorf("%d fan-out queries for %d fan-out invocations, want one per invocation at most", q, m.Fanout.Count)
	}
	if s := m.Calls.Service("Secrets Manager"); s != 2 {
		t.Errorf("%d secret reads, want one per endpoint (the deliver cache is warm after)", s)
	}
	if m.Deliver.Count == 0 || m.Fanout.Count == 0 || m.Deliver.BilledMS < int64(m.Deliver.Count) {
		t.Errorf("invocations not measured: fanout %+v, deliver %+v", m.Fanout, m.Deliver)
	}
	if m.PeakHeapBytes == 0 {
		t.Errorf("peak heap not measured")
	}
	// At the default logLevel (INFO) a first-attempt success writes no
	// log line: its attempt entry records it.
	if m.HandlerLogByte != 0 {
		t.Errorf("%d bytes of handler log lines for first-attempt successes at INFO, want none", m.HandlerLogByte)
	}
	// The budget of a first-attempt success: one DynamoDB write of at most
	// 1 KB (the attempt entry), no read but the webhook's on a cold cache.
	writes := 0
	for op, n := range m.Calls.Calls {
		if op.Service == "DynamoDB" && op.Operation != "Query" && op.Operation != "GetItem" {
			writes += n
		}
	}
	if writes != m.Deliveries || m.Calls.WriteUnits != float64(m.Deliveries) {
		t.Errorf("%d DynamoDB writes, %v write units for %d deliveries; want one write of ≤ 1 KB each (%v)",
			writes, m.Calls.WriteUnits, m.Deliveries, m.Calls.Calls)
	}
	// One read per endpoint while its cache entry lives: a run of a second
	// makes two, and only a machine so loaded that the run outlasts the
	// webhook cache's TTL may read an endpoint again per TTL passed.
	reads := 2 * (1 + int(took/delivery.DefaultWebhookCacheTTL))
	if g := m.Calls.Calls[awsmeter.Op{Service: "DynamoDB", Operation: "GetItem"}]; g < 2 || g > reads {
		t.Errorf("%d webhook reads in %s, want one per endpoint and cache TTL (%d; the cache is warm after)", g, took.Round(time.Millisecond), reads)
	}
}

func TestSparseShapeStartsColdAndOneRetryEach(t *testing.T) {
	m, err := Measure(context.Background(), Scenario{Events: 10, Endpoints: 1, FailFirst: true,
		Shape: Shape{Name: "test", BatchSize: 1, ColdEvery: 5}}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if m.Deliveries != 10 || m.Posts != 20 {
		t.Fatalf("deliveries %d, posts %d; want 10 and 20 (one retry each)", m.Deliveries, m.Posts)
	}
	// 20 deliver messages in single-message invocations, a new container
	// every 5: four cold starts, each reading the one secret again.
	if m.Deliver.Count != 20 {
		t.Errorf("%d deliver invocations, want 20", m.Deliver.Count)
	}
	if s := m.Calls.Service("Secrets Manager"); s != 4 {
		t.Errorf("%d secret reads, want 4 (one per cold container)", s)
	}
	if v := m.Calls.Calls[awsmeter.Op{Service: "SQS", Operation: "ChangeMessageVisibility"}]; v != 10 {
		t.Errorf("%d visibility changes, want one per retried delivery", v)
	}
	// A retry is logged at INFO: an operator may act on it.
	if m.HandlerLogByte == 0 {
		t.Errorf("no handler log lines for 10 retries")
	}
}

// TestDebugLogLevelPricesALinePerDelivery: at logLevel DEBUG every
// delivered attempt and every event fanned out is a line, and is counted.
func TestDebugLogLevelPricesALinePerDelivery(t *testing.T) {
	m, err := Measure(context.Background(), Scenario{Events: 5, Endpoints: 1, Shape: Busy, LogLevel: slog.LevelDebug}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if per := m.HandlerLogByte / int64(m.Deliveries); per < 200 {
		t.Errorf("%d bytes of handler log lines per delivery at DEBUG, want both lines (≥ 200 bytes)", per)
	}
}

// With the envelope store a container reads a webhook's sealed secrets
// once (a consistent GetItem) and asks KMS once for its data key; warm,
// it makes no KMS, Secrets Manager or extra DynamoDB call, and a delivery
// still writes once.
func TestEnvelopeStoreCallsPerContainer(t *testing.T) {
	m, err := Measure(context.Background(), Scenario{Events: 10, Endpoints: 2, SecretStore: "envelope",
		Shape: Shape{Name: "test", BatchSize: 1, ColdEvery: 5}}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if m.Deliveries != 20 {
		t.Fatalf("%d deliveries, want 20", m.Deliveries)
	}
	// 20 single-message invocations, a new container every 5: 4 containers,
	// each seeing both webhooks at most (2..8 first reads in all).
	kmsCalls := m.Calls.Calls[awsmeter.Op{Service: "KMS", Operation: "Decrypt"}]
	if m.Calls.Service("KMS") != kmsCalls || kmsCalls < 4 || kmsCalls > 8 {
		t.Errorf("KMS calls %v, want one Decrypt per container and webhook (4..8)", m.Calls.Calls)
	}
	if s := m.Calls.Service("Secrets Manager"); s != 0 {
		t.Errorf("%d Secrets Manager calls with the envelope store", s)
	}
	// Per container and webhook: the webhook's read (again when its 10 s
	// cache expires, on a slow machine) and one of the sealed secrets.
	if g := m.Calls.Calls[awsmeter.Op{Service: "DynamoDB", Operation: "GetItem"}]; g < 2*kmsCalls || g > m.Deliver.Count+kmsCalls {
		t.Errorf("%d GetItem for %d first reads in %d invocations, want two per first read", g, kmsCalls, m.Deliver.Count)
	}
	if m.Calls.WriteUnits != float64(m.Deliveries) {
		t.Errorf("%v write units for %d deliveries, want one each", m.Calls.WriteUnits, m.Deliveries)
	}
}

// A producer that sends detail.id, as every producer example does, has
// fan-out claim the id: one conditional write per event, on top of each
// delivery's one.
func TestProducerIDCostsOneClaimPerEvent(t *testing.T) {
	m, err := Measure(context.Background(), Scenario{Events: 10, Endpoints: 2, Shape: Busy, ProducerID: true}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	put := m.Calls.Calls[awsmeter.Op{Service: "DynamoDB", Operation: "PutItem"}]
	if m.Deliveries != 20 || put != 30 || m.Calls.WriteUnits != 30 {
		t.Errorf("%d deliveries, %d PutItem, %v write units; want 20, and 30 (a claim per event, an attempt entry per delivery)",
			m.Deliveries, put, m.Calls.WriteUnits)
	}
}

// An event of ~2 KB of chat-like data is measured at its size: the attempt
// entry, which keeps the deflated message, passes 1 KB and costs a second
// write unit.
func TestLargerEventIsMeasuredAtItsSize(t *testing.T) {
	m, err := Measure(context.Background(), Scenario{Events: 10, Endpoints: 1, Shape: Busy, DataBytes: 2048}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if m.EventDataBytes < 2048 || m.EventDataBytes > 2300 {
		t.Errorf("event data %d bytes, want about 2 KB", m.EventDataBytes)
	}
	if m.Deliveries != 10 || m.Calls.WriteUnits != 20 {
		t.Errorf("%d deliveries, %v write units; want 10 and 20 (the attempt entry passes 1 KB)", m.Deliveries, m.Calls.WriteUnits)
	}
}

// The endpoint line's premise: a deliver invocation POSTs its batch in
// parallel, so an endpoint's response time adds to each invocation once,
// not once per message. The parallelism is counted at the endpoints, not
// timed: an invocation's billed time also holds its emulator calls, which
// took up to 4.6 s beside a loaded machine's other work.
func TestEndpointLatencyAddsOncePerDeliverInvocation(t *testing.T) {
	// Long enough that the POSTs of one batch overlap even when the reads
	// before them wait their turn at a loaded emulator.
	const latency = 2 * time.Second
	m, err := Measure(context.Background(), Scenario{Events: 20, Endpoints: 1, Shape: Busy, EndpointLatency: latency}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	perInvocation := time.Duration(m.Deliver.BilledMS/int64(m.Deliver.Count)) * time.Millisecond
	// Invocations in turn, each POSTing in turn, would hold one POST each.
	if m.PeakParallelPosts <= m.Deliver.Count || perInvocation < latency {
		t.Errorf("at most %d POSTs at once, %s billed per deliver invocation (%d invocations, %d deliveries); want more at once than invocations, and at least the endpoint's %s billed",
			m.PeakParallelPosts, perInvocation, m.Deliver.Count, m.Deliveries, latency)
	}
	t.Logf("%d POSTs at once at most, %s per invocation, %.1f deliveries per invocation", m.PeakParallelPosts, perInvocation, float64(m.Deliveries)/float64(m.Deliver.Count))
}
