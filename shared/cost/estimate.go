// Package cost turns what a run of the local pipeline counted into dollars
// per million deliveries at list prices (prices.go). It separates what was
// measured (the handlers' own AWS calls, metered on the wire; their
// duration and log bytes) from what the local stack cannot observe and is
// modelled (the Lambda event source's ReceiveMessage/DeleteMessageBatch,
// EventBridge's put and its SQS target).
package cost

import (
	"sort"

	"github.com/hookrelay/hookrelay/shared/awsmeter"
)

// Measurement is what one scenario run observed.
type Measurement struct {
	Events     int
	Deliveries int // deliveries that ended delivered
	// EventDataBytes is the size of each event's data (compact JSON).
	EventDataBytes int
	Posts          int // POSTs the endpoints received
	// PeakParallelPosts is the most POSTs the endpoints held at once: a
	// deliver invocation's batch POSTed in parallel holds several.
	PeakParallelPosts int
	// Calls are the AWS calls the fanout and deliver handlers made.
	Calls          awsmeter.Counts
	Fanout         Invocations
	Deliver        Invocations
	HandlerLogByte int64 // bytes the handlers logged
	// PeakHeapBytes is the largest live heap of the local process during
	// the run (handlers, pollers and receiver together).
	PeakHeapBytes uint64
}

// Invocations are one function's handler invocations.
type Invocations struct {
	Count int
	// Settled counts invocations after which the event source deletes at
	// least one message (one DeleteMessageBatch each).
	Settled int
	// BilledMS sums each invocation's measured handler time rounded up to
	// the millisecond, as Lambda bills it.
	BilledMS int64
	MemoryMB int
	// ReceiveChunks sums the 64 KB chunks of each invocation's batch (its
	// message bodies), as the event source's ReceiveMessage is billed;
	// MessageChunks those of each message on its own, as EventBridge bills
	// an event and SQS the rule's send of it.
	ReceiveChunks, MessageChunks int
}

// DurationItem is the measured Lambda duration's line: handler time on
// the local machine, with the endpoints on loopback answering at once.
const DurationItem = "Lambda duration (handler time measured locally, endpoints answering at once)"

// Line is one priced item per delivery.
type Line struct {
	Item     string
	Quantity float64 // per delivery
	Unit     string
	Dollars  float64 // per million deliveries
	Modelled bool
}

// Estimate is the priced result of one run.
type Estimate struct {
	Lines []Line
	// Total is the sum of Lines, per million deliveries. Ingest is apart:
	// EventBridge's put and its rule's SQS send are per event, paid once
	// however many endpoints the event goes to, whatever the delivery path.
	Total  float64
	Ingest []Line
	// PerEndpoint100ms is what each 100 ms an endpoint takes to answer
	// adds to deliver's duration, apart from Total: the run's endpoints
	// are on loopback and answer at once.
	PerEndpoint100ms Line
}

// IngestTotal sums the ingest lines.
func (e Estimate) IngestTotal() float64 {
	sum := 0.0
	for _, l := range e.Ingest {
		sum += l.Dollars
	}
	return sum
}

// Price prices m per delivery.
func Price(m Measurement) Estimate {
	per := func(n float64) float64 { return n / float64(max(m.Deliveries, 1)) }
	var e Estimate
	add := func(l Line) {
		e.Lines = append(e.Lines, l)
		e.Total += l.Dollars
	}
	million := 1e6

	// Measured AWS calls, by operation; DynamoDB is priced by capacity below.
	ops := make([]awsmeter.Op, 0, len(m.Calls.Calls))
	for op := range m.Calls.Calls {
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].String() < ops[j].String() })
	for _, op := range ops {
		n := float64(m.Calls.Calls[op])
		l := Line{Item: op.String(), Quantity: per(n), Unit: "calls"}
		switch op.Service {
		case "SQS":
			// Each request is billed per 64 KB chunk of its own payload,
			// which the meter counts request by request (at least one each).
			chunks := float64(max(m.Calls.Chunks[op], m.Calls.Calls[op]))
			l.Dollars = per(chunks) * SQSPerRequest * million
		case "Secrets Manager":
			l.Dollars = per(n) * SecretsManagerPerCall * million
		case "KMS":
			l.Dollars = per(n) * KMSPerRequest * million
		}
		add(l)
	}
	add(Line{Item: "DynamoDB write units", Quantity: per(m.Calls.WriteUnits), Unit: "WRU", Dollars: per(m.Calls.WriteUnits) * DynamoPerWRU * million})
	add(Line{Item: "DynamoDB read units", Quantity: per(m.Calls.ReadUnits), Unit: "RRU", Dollars: per(m.Calls.ReadUnits) * DynamoPerRRU * million})

	// The event sources' own SQS calls: one long-poll receive per batch
	// (a request per 64 KB chunk of the batch's messages), one
	// DeleteMessageBatch per batch with settled messages.
	receives := float64(m.Fanout.Count + m.Deliver.Count)
	receiveChunks := float64(max(m.Fanout.ReceiveChunks, m.Fanout.Count) + max(m.Deliver.ReceiveChunks, m.Deliver.Count))
	deletes := float64(m.Fanout.Settled + m.Deliver.Settled)
	add(Line{Item: "SQS ReceiveMessage (event sources)", Quantity: per(receives), Unit: "calls", Dollars: per(receiveChunks) * SQSPerRequest * million, Modelled: true})
	add(Line{Item: "SQS DeleteMessageBatch (event sources)", Quantity: per(deletes), Unit: "calls", Dollars: per(deletes) * SQSPerRequest * million, Modelled: true})

	invocations := receives
	add(Line{Item: "Lambda requests", Quantity: per(invocations), Unit: "invocations", Dollars: per(invocations) * LambdaPerRequest * million})
	gbs := (float64(m.Fanout.BilledMS)*float64(m.Fanout.MemoryMB) + float64(m.Deliver.BilledMS)*float64(m.Deliver.MemoryMB)) / 1000 / 1024
	add(Line{Item: DurationItem, Quantity: per(gbs), Unit: "GB-s", Dollars: per(gbs) * LambdaPerGBSecond * million})
	// A deliver invocation POSTs its batch's messages in parallel and
	// lasts as long as the slowest answer: each 100 ms of endpoint time
	// adds 100 ms to every deliver invocation.
	waited := per(float64(m.Deliver.Count)) * 0.1 * float64(m.Deliver.MemoryMB) / 1024
	e.PerEndpoint100ms = Line{Item: "Lambda duration per 100 ms the endpoints take to answer", Quantity: waited, Unit: "GB-s",
		Dollars: waited * LambdaPerGBSecond * million, Modelled: true}

	add(Line{Item: "CloudWatch Logs (handler lines)", Quantity: per(float64(m.HandlerLogByte)), Unit: "bytes", Dollars: per(float64(m.HandlerLogByte)) / (1 << 30) * LogsPerGB * million})
	// Lambda's own START/END/REPORT lines cost nothing: the stack sets
	// the functions' system log level to WARN, which leaves them out.

	// Billed per 64 KB chunk of each event, as fan-out received them.
	events, chunks := per(float64(m.Events)), per(float64(max(m.Fanout.MessageChunks, m.Events)))
	e.Ingest = []Line{
		{Item: "EventBridge PutEvents", Quantity: events, Unit: "events", Dollars: chunks * EventBridgePerEvent * million, Modelled: true},
		{Item: "SQS SendMessage (EventBridge rule target)", Quantity: events, Unit: "calls", Dollars: chunks * SQSPerRequest * million, Modelled: true},
	}
	return e
}
