package delivery

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hookrelay/hookrelay/shared/detach"
	"github.com/hookrelay/hookrelay/shared/message"
)

// postReserve is the time an invocation keeps after a POST's delivery
// timeout for the bookkeeping that follows (detached, each under
// detach.BookkeepingTimeout: the record and the retry, dead letter or
// removal, then the attempt entry and the health count). It is what the
// retry, removal and delivered paths take at most, not a dead letter's
// worst case on a throttled store: bookkeeping's cap before the
// invocation's deadline, not this reserve, keeps the handler within it.
// Deliver's timeout is the delivery timeout plus 20 s, so the reads before
// the POST keep 10 s of it.
const postReserve = 2 * detach.BookkeepingTimeout

// tooLateToPost says whether ctx's deadline is too near for a POST: the
// POST and its bookkeeping would end past it, where Lambda ends the
// invocation and with it the whole batch (its delivered messages come
// back), and the deadline, not the endpoint, would cut the POST.
func (h *Handler) tooLateToPost(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < h.cfg.DeliveryTimeout+h.reserve
}

// cutByDeadline says whether the invocation's deadline ended a POST that
// got no answer: that says nothing of the endpoint (its own timeout is
// the delivery timeout), so it is neither an attempt nor a strike at the
// endpoint gate.
func cutByDeadline(ctx context.Context, r result) bool {
	return r.status == 0 && r.class != "" && errors.Is(ctx.Err(), context.DeadlineExceeded)
}

// notPosted leaves a delivery the invocation had no time to POST, or whose
// POST its deadline cut (why), for the next receive: it returns after the
// queue's visibility timeout, with nothing counted. Like a crash between
// a POST and its record, a cut POST costs one extra request at most.
func (h *Handler) notPosted(ctx context.Context, d message.Delivery, why string) bool {
	h.log.LogAttrs(ctx, slog.LevelWarn, why,
		slog.String("org_id", d.OrgID), slog.String("webhook_id", d.WebhookID), slog.String("delivery_id", d.DeliveryID))
	return false
}
