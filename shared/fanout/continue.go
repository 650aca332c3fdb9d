package fanout

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// A record whose deliveries do not fit one invocation (an organization
// with many webhooks and a large event: up to one SendMessageBatch call
// per delivery) would be cut by the budget at the same point on every
// receive and end in the ingest DLQ, its later endpoints never getting the
// event. So a record the budget stopped after some of its deliveries went
// is put back on the ingest queue, body unchanged, with
// message.AttrResumeAfter naming the last webhook whose delivery went, and is reported done only
// once that send succeeded. The next part skips the webhooks up to that
// id: the store queries an organization's webhooks in id order.
//
// A part is the same event as the first: its producer id claim finds the
// record's own event id (or the unconfirmed publish's it fanned out
// under, confirmed only when the last part finishes), and its delivery ids
// are the event's, so a part sent twice (the invocation died after the
// continuation went, before its answer) is deduplicated downstream.

// resumeAfter is where record rec resumes, "" for a record to fan out
// whole. Only fan-out writes the attribute; a value that is not a webhook
// id is ignored, since fanning out whole loses nothing (the repeats are
// deduplicated) and skipping on it could.
func resumeAfter(rec events.SQSMessage) string {
	v := rec.MessageAttributes[message.AttrResumeAfter].StringValue
	if v == nil || !ids.Valid(ids.WebhookPrefix, *v) {
		return ""
	}
	return *v
}

// continues says whether a record that failed with err (nil when it was
// only failed) and failed (its first failed call, if any) was stopped by
// the budget alone after its deliveries up to progress went: the calls
// the budget refused never started, so nothing after progress went and
// nothing before it is missing.
func (h *Handler) continues(err, failed error, progress string) bool {
	if h.d.IngestQueueURL == "" || progress == "" || (err == nil && failed == nil) {
		return false
	}
	return (err == nil || errors.Is(err, errNearDeadline)) && (failed == nil || errors.Is(failed, errNearDeadline))
}

// continueRecord puts record rec of org back on the ingest queue to resume
// after webhook id after. The message is in the organization's group, as
// its deliveries are: a tenant's long fan-out does not hold back the
// others' events.
func (h *Handler) continueRecord(ctx context.Context, rec events.SQSMessage, org, name, after string) error {
	m := queue.Message{Body: rec.Body, Attributes: map[string]string{message.AttrResumeAfter: after}, Group: org}
	if err := h.d.Queue.Send(ctx, h.d.IngestQueueURL, m); err != nil {
		return fmt.Errorf("continue the fan-out after webhook %s: %w", after, err)
	}
	h.log.InfoContext(ctx, "fan-out continued on the ingest queue", "message_id", rec.MessageId, "org_id", org,
		"event_name", name, "webhook_id", after)
	return nil
}
