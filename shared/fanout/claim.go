package fanout

import "context"

// claimProducerID claims a direct producer's idempotency key for the
// record whose own event id is eventID, and returns the event id to fan
// the record out under, "" when it must not be:
//
//   - eventID when the record holds the claim (seen first, or a re-run);
//   - "" for a duplicate of an event that is on the bus: another direct
//     put's, or an API publish that was confirmed;
//   - the owner's id when the owner is an API publish that was never
//     confirmed (its PutEvents failed, timed out or was killed), so nothing
//     may be on the bus under it: the producer's fallback to a direct put
//     must not be dropped. Delivery ids derive from the event id and the
//     webhook (deliveryFor), so they equal those of the publish the API's
//     retry may still make: a repeat reaches endpoints under the same
//     ids, which they deduplicate on, never as another event. confirm
//     then asks for the claim to be confirmed once the deliveries are
//     queued (confirmClaim).
func (h *Handler) claimProducerID(ctx context.Context, org, name, producerID, eventID string) (fanOutAs string, confirm bool, err error) {
	owner, published, err := h.d.Claims.Claim(ctx, org, producerID, eventID)
	switch {
	case err != nil:
		return "", false, err
	case owner == eventID:
		return eventID, false, nil
	case published:
		h.log.InfoContext(ctx, "duplicate producer id: not fanned out", "org_id", org, "event_name", name,
			"event_id", eventID, "original_event_id", owner)
		return "", false, nil
	}
	h.log.InfoContext(ctx, "producer id of an unconfirmed API publish: fanned out under its event id", "org_id", org,
		"event_name", name, "event_id", eventID, "original_event_id", owner)
	return owner, true, nil
}

// confirmClaim confirms the claim of eventID, which record i was fanned
// out under, as the API's Publisher does after its publish: a later API
// retry then answers with eventID without publishing again. Record i's
// deliveries are sent first, so the claim is confirmed only once they are
// all queued; if any failed, Handle reports the record and its retry fans
// it out again under the same event id (the claim still pending). A
// failed confirmation leaves the claim pending too: a later publish or
// direct put of the key fans out again under the same ids, a duplicate at
// most, so it is logged, not retried (a retry would duplicate for sure).
func (h *Handler) confirmClaim(ctx context.Context, b *batcher, i int, org, name, producerID, eventID string) {
	b.flush()
	if b.failed[i] != nil {
		return
	}
	if err := h.d.Claims.Published(ctx, org, producerID, eventID); err != nil {
		h.log.WarnContext(ctx, "fanned out, but the producer id claim was not confirmed", "org_id", org,
			"event_name", name, "event_id", eventID, "error", err)
	}
}
