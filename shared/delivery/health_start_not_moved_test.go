package delivery

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// throttledStartMove counts each failure but fails the second write that
// moves the run's start earlier (a throttled webhook item).
type throttledStartMove struct{ *dynamo.WebhookStore }

func (s throttledStartMove) RecordFailure(ctx context.Context, orgID, id string, start, dead time.Time) (webhook.Health, error) {
	h, err := s.WebhookStore.RecordFailure(ctx, orgID, id, start, dead)
	if err != nil {
		return h, err
	}
	return h, fmt.Errorf("%w: ProvisionedThroughputExceededException", webhook.ErrRunStartNotMoved)
}

// A failure counted whose run start could not be moved still counts
// toward the threshold: the endpoint is disabled at the third failure, and
// the log says the start was not moved, not that the failure was lost.
func TestAFailureCountedWithoutMovingTheStartStillDisables(t *testing.T) {
	rc := newReceiver(t, false)
	he := newHealthEnv(t, time.Hour, 3, func(d *Deps) {
		d.Health = throttledStartMove{d.Health.(*dynamo.WebhookStore)}
	})
	he.create(t, "wh_down", rc.srv.URL+"/status/400", true)
	for _, evt := range []string{"evt_1", "evt_2", "evt_3"} {
		he.handle(t, sqsMessage(t, "org_a", "wh_down", evt)) // 400: dead-lettered at once
		he.now = he.now.Add(time.Hour)
	}
	if w := he.get(t, "wh_down"); w.DisabledReason != webhook.DisabledFailing {
		t.Fatalf("after 3 failures over 2 h: %+v, want disabled for failing", w)
	}
	if logs := he.logs.String(); !strings.Contains(logs, "run's start not moved earlier") {
		t.Fatalf("the log does not say the start was not moved:\n%s", logs)
	}
}
