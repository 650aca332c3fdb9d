package delivery

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// claimWait is the longest deliver waits for a recover that claimed the
// park it is taking back. A recover holds its claim only while it sends
// the delivery and unparks it (milliseconds, a slow call's seconds); this
// is well inside deliver's function timeout (the delivery timeout plus
// 20 s), and a recover still holding its claim after it most likely
// stopped (the function killed), which leaves it parked for the next.
const claimWait = 5 * time.Second

// takeBack removes a park the webhook no longer calls for and reports
// whether the message is done with. Taken back: the message comes back
// at once for the path that applies now. Gone already: a recover queued
// it, its copy is the delivery. Claimed by a recover: that recover is
// sending it, so deliver must not too; it asks again (polling, within
// claimWait) until the recover has sent and unparked it (done) or
// released its claim because its send failed (taken back). A claim that
// stands longer is the recover's: the message is done and the park stays
// for it, or, if it stopped, for the next recover once the claim runs out
// (README "Recover"). On a failed call the message comes back.
func (h *Handler) takeBack(ctx context.Context, m events.SQSMessage, p deliverylog.Parked) bool {
	give := time.Now().Add(claimWait) // real time: the claim's clock is the store's
	for step := 50 * time.Millisecond; ; step = min(2*step, time.Second) {
		removed, claimedFor, err := h.d.Parked.TakeBack(ctx, p)
		switch {
		case err != nil:
			h.log.ErrorContext(ctx, "take back park", "org_id", p.OrgID, "webhook_id", p.WebhookID, "delivery_id", p.DeliveryID, "error", err)
			return false
		case removed:
			if err := h.d.Queue.ChangeVisibility(ctx, h.laneOf(ctx, m), m.ReceiptHandle, 0); err != nil {
				// It comes back after the queue's visibility timeout instead.
				h.log.ErrorContext(ctx, "return taken-back park", "org_id", p.OrgID, "webhook_id", p.WebhookID, "delivery_id", p.DeliveryID, "error", err)
			}
			return false
		case claimedFor == 0:
			return true // the recover queued it: its copy is the delivery now
		}
		wait := min(step, claimedFor, time.Until(give))
		if wait <= 0 || !sleepCtx(ctx, wait) {
			h.log.LogAttrs(ctx, slog.LevelInfo, "park left to the recover that claimed it",
				slog.String("org_id", p.OrgID), slog.String("webhook_id", p.WebhookID), slog.String("delivery_id", p.DeliveryID))
			return true
		}
	}
}

// sleepCtx waits d, or until ctx ends (false).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
