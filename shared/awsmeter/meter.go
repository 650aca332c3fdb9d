// Package awsmeter counts what hookrelay asks of AWS: calls per service and
// operation, request bytes, and DynamoDB consumed capacity. It is an SDK
// middleware (aws.Config.APIOptions), so it sees every adapter's calls
// without their code changing. Tests assert call budgets with it and
// `make cost` prices its counts; Lambdas never attach it.
package awsmeter

import (
	"context"
	"maps"
	"reflect"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ChunkBytes is the 64 KB step AWS bills payloads in: each chunk of an SQS
// request counts as a request, each chunk of an EventBridge entry as an
// event.
const ChunkBytes = 64 * 1024

// Chunks is how many 64 KB chunks a payload of n bytes is billed as: at
// least one.
func Chunks(n int64) int {
	return int(max(1, (n+ChunkBytes-1)/ChunkBytes))
}

// Op names one API operation, e.g. {"DynamoDB", "PutItem"}.
type Op struct{ Service, Operation string }

func (o Op) String() string { return o.Service + " " + o.Operation }

// Counts is a snapshot of a Meter.
type Counts struct {
	Calls map[Op]int
	// Bytes is the request body bytes sent per operation.
	Bytes map[Op]int64
	// Chunks counts each request's 64 KB chunks (at least one a request),
	// per operation: SQS bills every chunk of a request's own payload as a
	// request, so one large request among small ones is not averaged away.
	Chunks map[Op]int
	// ReadUnits and WriteUnits are DynamoDB's consumed capacity as the
	// service (or emulator) reported it for the metered calls.
	ReadUnits, WriteUnits float64
}

// Service sums the calls of one service.
func (c Counts) Service(service string) int {
	n := 0
	for op, k := range c.Calls {
		if op.Service == service {
			n += k
		}
	}
	return n
}

// Sub is c minus an earlier snapshot of the same meter.
func (c Counts) Sub(earlier Counts) Counts {
	out := Counts{Calls: map[Op]int{}, Bytes: map[Op]int64{}, Chunks: map[Op]int{},
		ReadUnits: c.ReadUnits - earlier.ReadUnits, WriteUnits: c.WriteUnits - earlier.WriteUnits}
	for op, n := range c.Calls {
		if d := n - earlier.Calls[op]; d != 0 {
			out.Calls[op] = d
		}
	}
	for op, n := range c.Bytes {
		if d := n - earlier.Bytes[op]; d != 0 {
			out.Bytes[op] = d
		}
	}
	for op, n := range c.Chunks {
		if d := n - earlier.Chunks[op]; d != 0 {
			out.Chunks[op] = d
		}
	}
	return out
}

// Meter accumulates counts; the zero value is ready, and it is safe for
// concurrent use.
type Meter struct {
	mu     sync.Mutex
	calls  map[Op]int
	bytes  map[Op]int64
	chunks map[Op]int
	rcu    float64
	wcu    float64
}

// Attach adds the meter's middleware to cfg: every client built from cfg
// afterwards is metered.
func (m *Meter) Attach(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, m.register)
}

// Snapshot returns a copy of the counts so far.
func (m *Meter) Snapshot() Counts {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Counts{Calls: maps.Clone(orEmpty(m.calls)), Bytes: maps.Clone(orEmpty(m.bytes)), Chunks: maps.Clone(orEmpty(m.chunks)),
		ReadUnits: m.rcu, WriteUnits: m.wcu}
}

func orEmpty[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return m
}

func (m *Meter) add(op Op, bytes int64) {
	if m.calls == nil {
		m.calls, m.bytes, m.chunks = map[Op]int{}, map[Op]int64{}, map[Op]int{}
	}
	m.calls[op]++
	m.bytes[op] += bytes
	m.chunks[op] += Chunks(bytes)
}

func (m *Meter) register(stack *middleware.Stack) error {
	if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("hookrelayMeterCapacity", m.capacity), middleware.Before); err != nil {
		return err
	}
	// After the retry loop and signing: each attempt on the wire counts,
	// as AWS bills it.
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("hookrelayMeterCalls", m.call), middleware.After)
}

// call counts one request sent, with its body size.
func (m *Meter) call(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	var size int64
	if req, ok := in.Request.(*smithyhttp.Request); ok && req.ContentLength > 0 {
		size = req.ContentLength
	}
	op := Op{awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)}
	m.mu.Lock()
	m.add(op, size)
	m.mu.Unlock()
	return next.HandleFinalize(ctx, in)
}

// capacity asks DynamoDB for the capacity a call consumed and adds it up.
// Every DynamoDB input that can report it has a ReturnConsumedCapacity
// field, and the output a ConsumedCapacity (one, or one per table).
func (m *Meter) capacity(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	if awsmiddleware.GetServiceID(ctx) != "DynamoDB" {
		return next.HandleInitialize(ctx, in)
	}
	if f := field(in.Parameters, "ReturnConsumedCapacity"); f.IsValid() && f.CanSet() && f.Kind() == reflect.String && f.String() == "" {
		f.SetString("TOTAL")
	}
	out, md, err := next.HandleInitialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	units := consumedUnits(field(out.Result, "ConsumedCapacity"))
	m.mu.Lock()
	if isRead(awsmiddleware.GetOperationName(ctx)) {
		m.rcu += units
	} else {
		m.wcu += units
	}
	m.mu.Unlock()
	return out, md, err
}

func isRead(operation string) bool {
	switch operation {
	case "GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems":
		return true
	}
	return false
}

// field is the named field of *struct v, or the zero Value.
func field(v any, name string) reflect.Value {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return reflect.Value{}
	}
	return rv.Elem().FieldByName(name)
}

// consumedUnits sums CapacityUnits of a *ConsumedCapacity or a slice of them.
func consumedUnits(v reflect.Value) float64 {
	switch {
	case !v.IsValid():
		return 0
	case v.Kind() == reflect.Slice:
		sum := 0.0
		for i := range v.Len() {
			sum += consumedUnits(v.Index(i).Addr())
		}
		return sum
	case v.Kind() == reflect.Pointer && !v.IsNil():
		if u := v.Elem().FieldByName("CapacityUnits"); u.IsValid() && u.Kind() == reflect.Pointer && !u.IsNil() {
			return u.Elem().Float()
		}
	}
	return 0
}
