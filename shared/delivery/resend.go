package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/catalog/ownevents"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// ResendStore is the part of the delivery record store a resend needs.
type ResendStore interface {
	Get(ctx context.Context, deliveryID string) (deliverylog.DeliveryRecord, error)
	Propose(ctx context.Context, deliveryID string, resend int) error
	Supersede(ctx context.Context, deliveryID string, resend int) error
}

// MessageFinder finds the queue body kept on the attempt log entry of a
// delivery that has no delivery record (dynamo.AttemptLog).
type MessageFinder interface {
	FindMessage(ctx context.Context, orgID, webhookID, deliveryID string) (string, error)
}

// Sender puts a message on a queue (*sqsqueue.Client).
type Sender interface {
	Send(ctx context.Context, queueURL string, m queue.Message) error
}

// Resender starts deliveries on a tenant's request (the API's Deliveries).
type Resender struct {
	records ResendStore
	log     MessageFinder
	queue   Sender
	lanes   lanes.Lanes
	// Now is the clock of test events (tests pin it).
	Now func() time.Time
}

// NewResender sends to the organization's delivery lane.
func NewResender(records ResendStore, log MessageFinder, queue Sender, delivery lanes.Lanes) *Resender {
	return &Resender{records: records, log: log, queue: queue, lanes: delivery, Now: time.Now}
}

// Resend re-enqueues a past delivery to w with the same delivery id and
// the same envelope bytes, with a fresh retry schedule that supersedes
// the one still pending, if any (message.Delivery.Resend). A delivery of
// another org or webhook is not found, exactly like a missing one. A
// delivery that was ever retried has a record; one that never was keeps
// its body on its attempt log entry. Either way the stored queue body is
// sent as it is, so a resent test stays a test (message.Delivery.Test).
// One of an event type w no longer subscribes to is refused
// (*webhook.NotSubscribedError), nothing queued or reset: deliver would
// only skip it, and the tenant gets that answer now rather than a skip in
// the attempt log.
func (r *Resender) Resend(ctx context.Context, w webhook.Webhook, deliveryID string) error {
	body, rec, hasRecord, err := r.message(ctx, w.OrgID, w.ID, deliveryID)
	if err != nil {
		return err
	}
	d, err := message.Decode(body)
	if err != nil || d.DeliveryID != deliveryID || d.OrgID != w.OrgID || d.WebhookID != w.ID {
		return fmt.Errorf("delivery %s: stored message unusable: %w", deliveryID, errors.Join(message.ErrMalformed, err))
	}
	if !w.Wants(d.EventName, d.Test) {
		return &webhook.NotSubscribedError{EventName: d.EventName}
	}
	if hasRecord {
		// A record means retries may be pending: the resent message starts
		// a schedule of its own, which deliver counts from 1 (it reads the
		// record of a resent message), and the record then drops theirs.
		d.Resend = max(rec.Resend, d.Resend) + 1
		if body, err = d.Encode(); err != nil {
			return err
		}
		// Announced before the send: a skip of the message that comes
		// before the mark below withdraws it, so the mark never lands on a
		// schedule that ended unPOSTed (its superseded copies would then
		// be dropped with nothing left to deliver).
		if err := r.records.Propose(ctx, deliveryID, d.Resend); err != nil {
			return err
		}
	}
	if err := r.queue.Send(ctx, r.lanes.For(d.OrgID), queue.Message{Body: body, Group: d.OrgID}); err != nil {
		return err
	}
	if !hasRecord {
		return nil
	}
	// After the send: a crash before this leaves the old schedule running
	// beside the new one (the same delivery id, twice), never neither.
	return r.records.Supersede(ctx, deliveryID, d.Resend)
}

func (r *Resender) message(ctx context.Context, orgID, webhookID, deliveryID string) (body string, rec deliverylog.DeliveryRecord, hasRecord bool, err error) {
	rec, err = r.records.Get(ctx, deliveryID)
	switch {
	case err == nil:
		if rec.OrgID != orgID || rec.WebhookID != webhookID {
			return "", rec, false, fmt.Errorf("delivery %s: %w", deliveryID, deliverylog.ErrNotFound)
		}
		return rec.Message, rec, true, nil
	case !errors.Is(err, deliverylog.ErrNotFound):
		return "", rec, false, err
	}
	body, err = r.log.FindMessage(ctx, orgID, webhookID, deliveryID)
	return body, deliverylog.DeliveryRecord{}, false, err
}

// SendTest queues a webhook.test event to w alone and returns its
// delivery id. The message is marked a test (message.Delivery.Test), which
// tells it from a producer's own webhook.test: at an endpoint disabled for
// failing, only the tenant's check is POSTed (once) rather than parked.
func (r *Resender) SendTest(ctx context.Context, w webhook.Webhook) (string, error) {
	now := r.Now()
	eventID := ids.NewAt(ids.EventPrefix, now)
	data, err := json.Marshal(map[string]string{"message": "This is a test event.", "webhook_id": w.ID})
	if err != nil {
		return "", err
	}
	env, err := message.BuildEnvelope(eventID, ownevents.TestEvent, w.OrgID, now.Unix(), data)
	if err != nil {
		return "", err
	}
	d := message.Delivery{
		DeliveryID: ids.Delivery(eventID, w.ID), EventID: eventID, OrgID: w.OrgID, WebhookID: w.ID,
		EventName: ownevents.TestEvent, Envelope: string(env), Test: true,
	}
	body, err := d.Encode()
	if err != nil {
		return "", err
	}
	if err := r.queue.Send(ctx, r.lanes.For(d.OrgID), queue.Message{Body: body, Group: d.OrgID}); err != nil {
		return "", fmt.Errorf("queue test event: %w", err)
	}
	return d.DeliveryID, nil
}
