// Package fanout turns one producer event into one delivery message per
// matching endpoint: the fanout Lambda's handler on the ingest queue, and
// the publisher the API uses to put events on the bus. No AWS SDK here:
// the stores and queues are small interfaces.
package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/healthnotice"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/phrase"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// Subscriptions pages through an org's enabled webhooks subscribed to an
// event (webhook.Store satisfies it).
type Subscriptions interface {
	ForEachSubscribed(ctx context.Context, orgID, eventName string, fn func([]webhook.Webhook) error) error
}

// Queue is the SQS adapter (*sqsqueue.Client satisfies it).
type Queue interface {
	SendBatch(ctx context.Context, queueURL string, msgs []queue.Message) (calls int, err error)
	Send(ctx context.Context, queueURL string, m queue.Message) error
}

// Claimer records that a producer id of an org was used by an event and
// returns the event id that owns it, and whether that owner's claim is
// confirmed (dynamo.IdempotencyStore satisfies it). Published confirms a
// claim the API left pending (claimProducerID).
type Claimer interface {
	Claim(ctx context.Context, orgID, producerID, eventID string) (owner string, published bool, err error)
	Published(ctx context.Context, orgID, producerID, eventID string) error
}

// Deps is everything the handler needs. Webhooks, Queue, KnownEvent and
// both queue URLs are required: the wiring (shared/app/fanoutapp) checks
// them with app.Require at cold start.
type Deps struct {
	Webhooks Subscriptions
	Queue    Queue
	// KnownEvent reports whether the catalog has the event type; events of
	// other types are dead-lettered.
	KnownEvent func(eventName string) bool
	// ValidateData checks an event's data against its type's schema. The
	// API validates what it publishes; this catches producers that call
	// PutEvents directly with data their endpoints cannot rely on. Nil
	// skips the check.
	ValidateData func(eventName string, data json.RawMessage) error
	// Claims deduplicates producers that PutEvents directly with a detail.id
	// idempotency key (the API claims its own before publishing; a direct
	// put of a key whose API publish was never confirmed is fanned out
	// under that publish's event id). Nil turns that deduplication off.
	Claims Claimer
	// DeliveryQueues are the delivery lanes; an event's deliveries go to
	// its organization's, unless another organization crowds that lane
	// (lanes.Chooser).
	DeliveryQueues lanes.Lanes
	// LaneWindow is how long an organization's events count toward
	// crowding a lane: the delivery timeout, for which a hanging endpoint
	// holds a lane's consumer. Zero turns crowding off (home lanes only).
	LaneWindow time.Duration
	// IngestQueueURL takes a record back, with its progress, when the
	// invocation's budget stopped it part-way (continue.go). Empty: such a
	// record is reported as a failure and comes back whole.
	IngestQueueURL string
	IngestDLQURL   string
	Logger         *slog.Logger
}

// Handler is the fanout Lambda handler.
type Handler struct {
	d     Deps
	log   *slog.Logger
	lanes *lanes.Chooser
	now   func() time.Time // the budget's clock; tests stop it
}

// NewHandler returns the handler.
func NewHandler(d Deps) *Handler {
	log := d.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Handler{d: d, log: log, lanes: lanes.NewChooser(d.DeliveryQueues, d.LaneWindow), now: time.Now}
}

// Handle fans out each record, the deliveries of all of them sharing
// SendMessageBatch calls. Records whose fan-out failed (or whose
// deliveries were in a call that failed) are reported as batch item
// failures, so SQS retries only them after the visibility timeout;
// malformed records are dead-lettered and consumed.
//
// No record and no SendMessageBatch call starts close to ctx's deadline
// (budget): those left are reported as failures, so the answer reaches
// Lambda in time and the next receive goes on from them. A record stopped
// after some of its deliveries went is continued instead (continue.go):
// put back on the ingest queue to resume after them.
//
// Each delivery lane's records are fanned out on their own, in order, with
// their own lookups and batcher, beside the other lanes': a tenant's
// records in the same invocation (its lookups, its sends) never hold back
// another lane's deliveries.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	now := h.now()
	budget, work, cancel := newBudget(ctx, h.now)
	defer cancel()
	b := &laneBatchers{send: func(queueURL string, msgs []queue.Message) error {
		if err := budget.start(); err != nil {
			return err
		}
		_, err := h.d.Queue.SendBatch(work, queueURL, msgs)
		return err
	}}
	parsed := make([]parsedRecord, len(ev.Records))
	byLane := map[*batcher][]int{}
	for i, rec := range ev.Records {
		parsed[i].r, parsed[i].d, parsed[i].err = bus.ParseRecord([]byte(rec.Body))
		url := h.d.DeliveryQueues.For(parsed[i].d.OrgID) // a record that cannot be parsed counts nowhere
		if parsed[i].err == nil {
			url = h.lanes.Pick(parsed[i].d.OrgID, now)
		}
		lane := b.to(url)
		byLane[lane] = append(byLane[lane], i)
	}
	errs := make([]error, len(ev.Records))
	var wg sync.WaitGroup
	var panicked sync.Map // lane → what its goroutine panicked with
	for lane, records := range byLane {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					panicked.Store(lane, r)
				}
			}()
			subs := newSubscriptionMemo(h.d.Webhooks)
			for _, i := range records {
				if errs[i] = budget.start(); errs[i] == nil {
					errs[i] = h.handleRecord(work, ev.Records[i], parsed[i], i, subs, lane)
				}
			}
			lane.flush()
		})
	}
	wg.Wait()
	// A panic stays the invocation's, as when the records ran in Handle's
	// own goroutine: the caller (Lambda's runtime, the dev poller) handles
	// it instead of the process dying.
	panicked.Range(func(_, r any) bool { panic(r) })
	settle, cancelSettle := budget.settling(ctx)
	defer cancelSettle()
	var resp events.SQSEventResponse
	for i, rec := range ev.Records {
		err := errs[i]
		failed := b.failed(i)
		if err == nil && failed != nil {
			err = fmt.Errorf("queue deliveries: %w", failed)
		}
		if progress := b.progress(i); h.continues(errs[i], failed, progress) {
			err = h.continueRecord(settle, rec, parsed[i].d.OrgID, parsed[i].r.DetailType, progress)
		}
		if err != nil {
			h.log.ErrorContext(ctx, "fan-out failed", "message_id", rec.MessageId, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

// parsedRecord is an ingest record as bus.ParseRecord read it.
type parsedRecord struct {
	r   bus.Record
	d   bus.Detail
	err error
}

// handleRecord fans out record i of the invocation into b, the lane
// chosen for it.
func (h *Handler) handleRecord(ctx context.Context, rec events.SQSMessage, p parsedRecord, i int, subs Subscriptions, b *batcher) error {
	start := time.Now()
	r, d, err := p.r, p.d, p.err
	if err != nil {
		if depth := message.Depth([]byte(rec.Body)); depth > message.JSONDepthMax {
			return h.deadLetter(ctx, rec, ReasonTooDeep, tooDeep([]byte(rec.Body), depth), d.OrgID, r.DetailType)
		}
		return h.deadLetter(ctx, rec, parseReason(err), err, d.OrgID, r.DetailType)
	}
	name, org := r.DetailType, d.OrgID
	// The org becomes part of store keys and secret names: one that breaks
	// the rule the API applies to tokens is never looked up.
	if !ids.ValidOrg(org) {
		return h.deadLetter(ctx, rec, ReasonInvalidOrg,
			fmt.Errorf("detail.organization_id %s is not a valid organization id (%s)", quote(org), ids.OrgRule), org, name)
	}
	if !h.d.KnownEvent(name) {
		return h.deadLetter(ctx, rec, ReasonUnknownEventType, fmt.Errorf("event type %s is not in the catalog", phrase.Quote(name)), org, name)
	}
	if healthnotice.IsNotice(name) && !r.FromHookrelay() {
		return h.deadLetter(ctx, rec, ReasonReservedEventType,
			fmt.Errorf("event type %q is hookrelay's own notice; source %s may not put it", name, quote(r.Source)), org, name)
	}
	// The API's limits, for producers that put events on the bus directly.
	if err := message.CheckData(d.Data); err != nil {
		return h.deadLetter(ctx, rec, dataReason(err), err, org, name)
	}
	if !ids.ValidProducerID(d.ID) { // else the claim's key may pass DynamoDB's 2,048 bytes
		return h.deadLetter(ctx, rec, ReasonInvalidProducerID, fmt.Errorf("detail.id %s (%d bytes) is not a valid producer id (%s)",
			quote(d.ID), len(d.ID), ids.ProducerIDRule), org, name)
	}
	if h.d.ValidateData != nil {
		if err := h.d.ValidateData(name, d.Data); err != nil {
			return h.deadLetter(ctx, rec, ReasonInvalidData, err, org, name)
		}
	}
	eventID, producerID := eventIdentity(r, d)
	confirm := false
	if producerID != "" && h.d.Claims != nil {
		eventID, confirm, err = h.claimProducerID(ctx, org, name, producerID, eventID)
		if err != nil || eventID == "" {
			return err
		}
	}
	// One envelope for every endpoint: the bytes the signatures will cover.
	env, err := message.BuildEnvelope(eventID, name, org, r.Time.Unix(), d.Data)
	if err != nil {
		return h.deadLetter(ctx, rec, message.ReasonMalformed, err, org, name)
	}
	tmpl := message.Delivery{EventID: eventID, OrgID: org, EventName: name, Envelope: string(env)}
	matched, err := fanOut(ctx, subs, tmpl, skip{about: healthnotice.Subject(name, d.Data), upTo: resumeAfter(rec)}, i, b)
	if errors.Is(err, errTooLarge) {
		return h.deadLetter(ctx, rec, ReasonTooLarge, err, org, name)
	}
	if err != nil {
		return fmt.Errorf("event %s (%s of %s, %d matched so far): %w", eventID, name, org, matched, err)
	}
	if confirm {
		h.confirmClaim(ctx, b, i, org, name, producerID, eventID)
	}
	// DEBUG: an event fanned out is the normal case and each of its
	// deliveries is recorded; at INFO this line is paid for every event.
	h.log.DebugContext(ctx, "fanned out", "org_id", org, "event_name", name, "event_id", eventID,
		"matched", matched, "latency_ms", time.Since(start).Milliseconds())
	return nil
}

// skip names the webhooks of the organization a record is not delivered
// to: the one a health notice is about, and those up to the id where a
// continuation resumes ("": none).
type skip struct{ about, upTo string }

// fanOut adds one delivery per webhook of subs subscribed to the event to
// b, as record i's, except to the webhooks skipped. Messages are batched
// across the store's pages and the invocation's records, so the
// SendMessageBatch calls are ceil(deliveries/10) however the pages fall
// (plus retries of rejected entries).
func fanOut(ctx context.Context, subs Subscriptions, tmpl message.Delivery, sk skip, i int, b *batcher) (matched int, err error) {
	err = subs.ForEachSubscribed(ctx, tmpl.OrgID, tmpl.EventName, func(page []webhook.Webhook) error {
		for _, w := range page {
			// The store promises this; checking again costs nothing and
			// keeps a store bug from crossing tenants.
			if w.OrgID != tmpl.OrgID || w.ID == sk.about || !receives(w, tmpl.EventName) || !w.Subscribes(tmpl.EventName) {
				continue
			}
			// The store pages in webhook id order (bytewise, as Go
			// compares strings), so these are the ones a previous part sent.
			if sk.upTo != "" && w.ID <= sk.upTo {
				continue
			}
			body, err := deliveryFor(tmpl, w.ID).Encode()
			if err != nil {
				return err
			}
			if err := b.add(i, w.ID, queue.Message{Body: body, Group: tmpl.OrgID}); err != nil {
				return err
			}
			if err := b.failed[i]; err != nil {
				return err // a call with the record's deliveries failed: it is retried whole, so stop here
			}
			matched++
		}
		return nil
	})
	return matched, err
}

// receives says whether w gets a delivery of eventName at all. A webhook
// disabled for failing still gets its events (deliver parks them for a
// recover), but not the health notices: they tell the organization's
// other endpoints about it, and deliver would only skip them.
func receives(w webhook.Webhook, eventName string) bool {
	return w.Enabled || (w.Parks() && !healthnotice.IsNotice(eventName))
}
