// Package bus puts events on the event bus that feeds fan-out: EventBridge
// in AWS, the ingest queue directly in dev (package devbus). Both adapters
// produce what the fanout Lambda reads from the ingest queue (record.go),
// so dev and AWS run the same fan-out code on the same bytes.
package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// DefaultSource is the EventBridge Source of the events hookrelay itself
// publishes: the API's and its health notices. The rule matches the bus,
// not the source, so producers use their own; fan-out trusts a detail.id
// as a hookrelay event id, and accepts hookrelay's notice types, only from
// this source (Record.FromHookrelay).
const DefaultSource = "hookrelay"

// Bus publishes events. Put either accepts every event or returns an error
// (a *PutError when some entries were rejected).
type Bus interface {
	Put(ctx context.Context, events []Event) error
}

// Event is one producer event.
type Event struct {
	OrgID     string
	EventName string // EventBridge DetailType
	// EventID is the hookrelay event id ("evt_..."), carried as detail.id so
	// the id the API returned is the envelope id endpoints receive. Empty
	// leaves it to fan-out, which derives one from the EventBridge event id.
	EventID string
	Data    json.RawMessage
	Time    time.Time // zero: the bus's clock
	Source  string    // empty: DefaultSource
}

// Limits of one PutEvents call (and one SendMessageBatch call, which has the
// same 256 KiB cap and 10-entry maximum).
const (
	MaxEntries      = 10
	MaxRequestBytes = 256 * 1024
)

// PutError reports the events a bus could not put after its retries.
type PutError struct {
	Failed []Event
	Total  int
	Tries  int
	Last   string // the last error code and message seen
}

func (e *PutError) Error() string {
	return fmt.Sprintf("bus: %d of %d events not put after %d tries (last: %s)", len(e.Failed), e.Total, e.Tries, e.Last)
}

// ErrTooLarge marks an event that cannot fit in one request at all.
var ErrTooLarge = errors.New("event exceeds the bus request size limit")

// Split cuts items into requests of at most MaxEntries entries and
// MaxRequestBytes bytes, keeping their order. size is an item's share of
// the request size; an item that alone exceeds the limit is an error.
func Split[T any](items []T, size func(T) int) ([][]T, error) {
	var out [][]T
	var cur []T
	curBytes := 0
	for i, it := range items {
		n := size(it)
		if n > MaxRequestBytes {
			return nil, fmt.Errorf("%w: event %d is %d bytes (limit %d)", ErrTooLarge, i, n, MaxRequestBytes)
		}
		if len(cur) == MaxEntries || curBytes+n > MaxRequestBytes {
			out = append(out, cur)
			cur, curBytes = nil, 0
		}
		cur = append(cur, it)
		curBytes += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out, nil
}

// SourceOrDefault is the event's Source, or DefaultSource when it has none.
func (e Event) SourceOrDefault() string {
	if e.Source != "" {
		return e.Source
	}
	return DefaultSource
}

// TimeOr is the event's Time in UTC, or now when it has none.
func (e Event) TimeOr(now time.Time) time.Time {
	if e.Time.IsZero() {
		return now.UTC()
	}
	return e.Time.UTC()
}
