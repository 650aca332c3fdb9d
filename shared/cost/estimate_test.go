package cost

import (
	"math"
	"testing"

	"github.com/hookrelay/hookrelay/shared/awsmeter"
)

func TestPricePerMillionDeliveries(t *testing.T) {
	send := awsmeter.Op{Service: "SQS", Operation: "SendMessageBatch"}
	get := awsmeter.Op{Service: "Secrets Manager", Operation: "GetSecretValue"}
	m := Measurement{
		Events: 100, Deliveries: 1000, Posts: 1000,
		Calls: awsmeter.Counts{
			// 100 calls, one of them 100 KB: two 64 KB chunks, each billed
			// as a request.
			Calls:      map[awsmeter.Op]int{send: 100, get: 10},
			Bytes:      map[awsmeter.Op]int64{send: 99*1024 + 100*1024},
			Chunks:     map[awsmeter.Op]int{send: 101, get: 10},
			WriteUnits: 1000, ReadUnits: 500,
		},
		Fanout:         Invocations{Count: 10, Settled: 10, BilledMS: 1000, MemoryMB: 1024},
		Deliver:        Invocations{Count: 100, Settled: 90, BilledMS: 4000, MemoryMB: 512},
		HandlerLogByte: 1000 * 1024,
	}
	e := Price(m)
	want := map[string]float64{
		"SQS SendMessageBatch":                   0.101 * 0.40, // 99 one-chunk calls and a two-chunk one: 101 requests
		"Secrets Manager GetSecretValue":         0.01 * 5,
		"DynamoDB write units":                   0.625,
		"DynamoDB read units":                    0.5 * 0.125,
		"SQS ReceiveMessage (event sources)":     0.11 * 0.40,
		"SQS DeleteMessageBatch (event sources)": 0.1 * 0.40,
		"Lambda requests":                        0.11 * 0.20,
		// (1 s × 1 GB + 4 s × 0.5 GB) / 1000 deliveries × $0.0000133334 × 1e6
		DurationItem:                      3.0 / 1000 * 13.3334,
		"CloudWatch Logs (handler lines)": 1024.0 / (1 << 30) * 0.5 * 1e6,
	}
	total := 0.0
	for _, l := range e.Lines {
		w, ok := want[l.Item]
		if !ok {
			t.Errorf("unexpected line %q", l.Item)
			continue
		}
		if math.Abs(l.Dollars-w) > 1e-9 {
			t.Errorf("%s: $%v per million, want $%v", l.Item, l.Dollars, w)
		}
		total += w
		delete(want, l.Item)
	}
	if len(want) != 0 {
		t.Errorf("missing lines: %v", want)
	}
	if math.Abs(e.Total-total) > 1e-9 {
		t.Errorf("total $%v, want $%v", e.Total, total)
	}
	// One event per ten deliveries: EventBridge $1/M events and the
	// rule's SQS send $0.40/M, a tenth of each per delivery.
	if len(e.Ingest) != 2 || math.Abs(e.Ingest[0].Dollars-0.1) > 1e-9 || math.Abs(e.Ingest[1].Dollars-0.04) > 1e-9 ||
		math.Abs(e.IngestTotal()-0.14) > 1e-9 {
		t.Errorf("ingest %+v, want $0.10 EventBridge and $0.04 SQS per million deliveries", e.Ingest)
	}
}

func TestSQSPricesLargeRequestsPerChunk(t *testing.T) {
	send := awsmeter.Op{Service: "SQS", Operation: "SendMessageBatch"}
	// One call of 256 KB (four 64 KB chunks) and three of 1 KB: 7 requests,
	// where pricing the average size (65 KB, two chunks a call) made 8.
	e := Price(Measurement{Deliveries: 1e6, Calls: awsmeter.Counts{
		Calls: map[awsmeter.Op]int{send: 4}, Bytes: map[awsmeter.Op]int64{send: 259 * 1024}, Chunks: map[awsmeter.Op]int{send: 7}}})
	for _, l := range e.Lines {
		if l.Item == send.String() && math.Abs(l.Dollars-7*0.40/1e6) > 1e-12 {
			t.Errorf("$%v, want 7 requests' worth", l.Dollars)
		}
	}
}

// The modelled lines count 64 KB chunks from the messages the run's event
// sources received: a batch of ten 10 KB delivery messages is a 100 KB
// receive (two requests), and each 100 KB event is two EventBridge events,
// two SQS requests of the rule's send and two of fan-out's receive.
func TestModelledLinesPriceMessagesPer64KBChunk(t *testing.T) {
	e := Price(Measurement{Events: 10, Deliveries: 10,
		Fanout:  Invocations{Count: 10, Settled: 10, ReceiveChunks: 20, MessageChunks: 20},
		Deliver: Invocations{Count: 1, Settled: 1, ReceiveChunks: 2, MessageChunks: 10},
	})
	want := map[string]float64{
		"SQS ReceiveMessage (event sources)":        2.2 * 0.40,
		"EventBridge PutEvents":                     2 * 1.00,
		"SQS SendMessage (EventBridge rule target)": 2 * 0.40,
	}
	for _, l := range append(e.Lines, e.Ingest...) {
		if w, ok := want[l.Item]; ok {
			if math.Abs(l.Dollars-w) > 1e-9 {
				t.Errorf("%s: $%v per million, want $%v", l.Item, l.Dollars, w)
			}
			delete(want, l.Item)
		}
	}
	if len(want) != 0 {
		t.Errorf("missing lines: %v", want)
	}
}

// Deliver waits for its endpoints' answers, and a batch's POSTs run in
// parallel: every 100 ms an endpoint takes adds 100 ms to each deliver
// invocation, which the run (its endpoints on loopback) does not measure.
func TestEndpointLatencyLinePricesDeliverInvocations(t *testing.T) {
	// Busy: one invocation per 10 deliveries at 256 MB: 0.1 × 0.1 s × 0.25 GB.
	e := Price(Measurement{Deliveries: 1000, Deliver: Invocations{Count: 100, MemoryMB: 256}})
	if want := 0.1 * 0.1 * 0.25 * 13.3334; math.Abs(e.PerEndpoint100ms.Dollars-want) > 1e-9 || !e.PerEndpoint100ms.Modelled {
		t.Errorf("busy: %+v, want $%v modelled", e.PerEndpoint100ms, want)
	}
	// Sparse, one retry each: two single-message invocations per delivery.
	e = Price(Measurement{Deliveries: 1000, Deliver: Invocations{Count: 2000, MemoryMB: 256}})
	if want := 2 * 0.1 * 0.25 * 13.3334; math.Abs(e.PerEndpoint100ms.Dollars-want) > 1e-9 {
		t.Errorf("sparse with a retry: $%v, want $%v", e.PerEndpoint100ms.Dollars, want)
	}
	for _, l := range e.Lines {
		if l.Item == e.PerEndpoint100ms.Item {
			t.Errorf("%q is in the total: it is apart, the run's endpoints answered at once", l.Item)
		}
	}
}
