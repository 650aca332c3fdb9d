// Package awsbus is the EventBridge adapter of bus.Bus: PutEvents on the
// hookrelay bus, whose rule targets the ingest queue.
package awsbus

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/wait"
)

// putEventsAPI is the one SDK call the adapter makes.
type putEventsAPI interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// EventBridge is the AWS adapter: PutEvents on the hookrelay bus.
type EventBridge struct {
	api     putEventsAPI
	busName string
	// Retries of a request's rejected entries (FailedEntryCount > 0) before
	// giving up; Backoff doubles per try. The SDK itself already retries
	// whole-call failures (throttling, 5xx).
	Retries int
	Backoff time.Duration
}

var _ bus.Bus = (*EventBridge)(nil)

// NewEventBridge returns the adapter for the bus named busName
// (config.EventBus).
func NewEventBridge(client *eventbridge.Client, busName string) *EventBridge {
	return &EventBridge{api: client, busName: busName, Retries: 3, Backoff: 100 * time.Millisecond}
}

// Put sends events in requests of at most 10 entries and 256 KiB. Entries
// EventBridge rejects are retried alone with backoff; whatever is still
// rejected after the retries is returned as a *PutError, after every other
// request has been tried, so one bad entry does not hold back the rest.
func (b *EventBridge) Put(ctx context.Context, events []bus.Event) error {
	prepared := make([]pending, len(events))
	for i, e := range events {
		en, size, err := b.entry(e)
		if err != nil {
			return err
		}
		prepared[i] = pending{event: e, entry: en, size: size}
	}
	batches, err := bus.Split(prepared, func(p pending) int { return p.size })
	if err != nil {
		return err
	}
	perr := &bus.PutError{Total: len(events)}
	for i, batch := range batches {
		failed, tries, last, err := b.putBatch(ctx, batch)
		perr.Failed = append(perr.Failed, failed...)
		if err != nil {
			notPut := len(perr.Failed)
			for _, rest := range batches[i+1:] {
				notPut += len(rest)
			}
			return fmt.Errorf("eventbridge: %d of %d events not put: %w", notPut, len(events), err)
		}
		if len(failed) > 0 {
			perr.Tries, perr.Last = tries, last
		}
	}
	if len(perr.Failed) > 0 {
		return perr
	}
	return nil
}

// pending is an event with its request entry, built once for every try.
type pending struct {
	event bus.Event
	entry types.PutEventsRequestEntry
	size  int
}

// putBatch makes one request and retries only its rejected entries. It
// returns the events still rejected; with err (a call that failed
// outright) those are the events of that call.
func (b *EventBridge) putBatch(ctx context.Context, batch []pending) (failed []bus.Event, tries int, last string, err error) {
	events := func(ps []pending) []bus.Event {
		out := make([]bus.Event, len(ps))
		for i, p := range ps {
			out[i] = p.event
		}
		return out
	}
	todo := batch
	for try := 0; ; try++ {
		entries := make([]types.PutEventsRequestEntry, len(todo))
		for i, p := range todo {
			entries[i] = p.entry
		}
		out, err := b.api.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
		if err != nil {
			return events(todo), try + 1, "", err
		}
		if out.FailedEntryCount == 0 {
			return nil, try + 1, "", nil
		}
		// Result entries are positional: the i-th answers the i-th request entry.
		var again []pending
		for i, r := range out.Entries {
			if aws.ToString(r.ErrorCode) != "" && i < len(todo) {
				again = append(again, todo[i])
				last = aws.ToString(r.ErrorCode) + ": " + aws.ToString(r.ErrorMessage)
			}
		}
		if len(again) == 0 {
			// A count without per-entry codes says nothing about which
			// entries failed; resending all could duplicate, so give up.
			return events(todo), try + 1, fmt.Sprintf("FailedEntryCount %d without entry error codes", out.FailedEntryCount), nil
		}
		if try >= b.Retries {
			return events(again), try + 1, last, nil
		}
		todo = again
		if err := wait.Sleep(ctx, jitter(b.Backoff<<try)); err != nil {
			return events(todo), try + 1, last, err
		}
	}
}

// entry builds the request entry and its size by EventBridge's documented
// calculation: 14 bytes for the time plus the UTF-8 lengths of source,
// detail-type and detail.
func (b *EventBridge) entry(e bus.Event) (types.PutEventsRequestEntry, int, error) {
	detail, err := bus.EncodeDetail(e)
	if err != nil {
		return types.PutEventsRequestEntry{}, 0, err
	}
	en := types.PutEventsRequestEntry{
		EventBusName: aws.String(b.busName),
		Source:       aws.String(e.SourceOrDefault()),
		DetailType:   aws.String(e.EventName),
		Detail:       aws.String(string(detail)),
	}
	if !e.Time.IsZero() {
		en.Time = aws.Time(e.Time.UTC())
	}
	return en, 14 + len(e.SourceOrDefault()) + len(e.EventName) + len(detail), nil
}

// jitter spreads retries of concurrent producers over [d, 1.5d).
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d + rand.N(d/2+1)
}
