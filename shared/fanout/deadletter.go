package fanout

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/phrase"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// Ingest dead-letter reasons besides message.ReasonMalformed. All of them
// are the operator's (or the producer's) to fix: retrying cannot help.
const (
	ReasonUnknownEventType = "unknown_event_type"
	ReasonTooLarge         = "event_too_large" // data over message.MaxDataBytes
	ReasonTooDeep          = "event_too_deep"  // data nested over message.MaxDataDepth
	ReasonInvalidData      = "invalid_data"    // data fails its type's JSON Schema, or breaks the number bounds (message.ErrNumber, message.ErrTooManyNumbers)
	ReasonInvalidOrg       = "invalid_organization_id"
	// ReasonNoncharacter: data holds U+FFFE or U+FFFF (raw or escaped),
	// which SQS refuses in a message (message.ErrNoncharacter).
	ReasonNoncharacter = "event_noncharacter"
	// ReasonInvalidProducerID: detail.id breaks ids.ValidProducerID.
	ReasonInvalidProducerID = "invalid_producer_id"
	// ReasonReservedEventType: a producer put one of hookrelay's own
	// notices (webhook.disabled, webhook.enabled), which only hookrelay
	// sends: endpoints must be able to trust them.
	ReasonReservedEventType = "reserved_event_type"
)

// dataReason names the rule of message.CheckData that err reports broken.
func dataReason(err error) string {
	switch {
	case errors.Is(err, message.ErrTooDeep):
		return ReasonTooDeep
	case errors.Is(err, message.ErrNoncharacter):
		return ReasonNoncharacter
	case errors.Is(err, message.ErrNumber), errors.Is(err, message.ErrTooManyNumbers):
		return ReasonInvalidData // as the API's 422 invalid_event_data
	}
	return ReasonTooLarge
}

// parseReason names the rule a record that bus.ParseRecord refused breaks.
func parseReason(err error) string {
	switch {
	case errors.Is(err, bus.ErrInvalidOrgID):
		return ReasonInvalidOrg
	case errors.Is(err, bus.ErrInvalidProducerID):
		return ReasonInvalidProducerID
	}
	return message.ReasonMalformed
}

// tooDeep says why a record depth levels deep, which encoding/json cannot
// decode, is refused: its data is over message.MaxDataDepth, or (a key the
// contract ignores being the deep part) the event as a whole is.
func tooDeep(body []byte, depth int) error {
	if dataDepth, ok := bus.DataDepth(body); ok && dataDepth <= message.MaxDataDepth {
		return fmt.Errorf("%w: the event is nested %d levels deep, over the %d levels fan-out can read; its data (%d levels) is within its limit, another part of detail is the deep one",
			message.ErrTooDeep, depth, message.JSONDepthMax, dataDepth)
	}
	return fmt.Errorf("%w: the event is nested %d levels deep, so its data is deeper than the limit of %d", message.ErrTooDeep, depth, message.MaxDataDepth)
}

// deadLetter moves a record that can never be fanned out to the ingest DLQ,
// body unchanged (so it can be redriven once fixed) with the reason as
// attributes. The record is then consumed: returning nil deletes it rather
// than letting SQS hand it back again and again. Only a failed DLQ write
// returns an error, and then the ingest queue's own retry and redrive apply.
func (h *Handler) deadLetter(ctx context.Context, rec events.SQSMessage, reason string, cause error, org, name string) error {
	if !ids.ValidOrg(org) {
		org = "" // not an attribute value SQS must accept; the body keeps it
	}
	// A record near the size limit keeps the attributes that fit. The event
	// name, and an error quoting the producer's text (a schema error names
	// a JSON key), may hold characters SQS refuses in an attribute, which
	// would fail this send on every receive: they are replaced.
	msg := queue.Message{Body: rec.Body, Attributes: message.FitAttributes(rec.Body, map[string]string{
		message.AttrReason:    reason,
		message.AttrLastError: phrase.Clip(message.ToSQSText(cause.Error()), message.MaxErrorAttr, ""),
		message.AttrOrgID:     org,
		message.AttrEventName: message.ToSQSText(name),
	})}
	if err := h.d.Queue.Send(ctx, h.d.IngestDLQURL, msg); err != nil {
		return fmt.Errorf("dead-letter %s (%s): %w", rec.MessageId, reason, err)
	}
	// The log line is bounded as the attributes are: a producer's event
	// name, or a schema error quoting its value, may be 250 KB.
	h.log.WarnContext(ctx, "event dead-lettered", "message_id", rec.MessageId, "reason", reason,
		"org_id", org, "event_name", phrase.Clip(name, 2*phrase.QuoteMax, "…"), "error", phrase.Clip(cause.Error(), message.MaxErrorAttr, "…"))
	return nil
}

// quote shows a producer's value in an error: at most 64 bytes of it,
// escaped to ASCII so the error attribute is always one SQS accepts.
func quote(s string) string {
	q := strconv.QuoteToASCII(phrase.Clip(s, 64, ""))
	if len(s) > 64 {
		q += "..."
	}
	return q
}
