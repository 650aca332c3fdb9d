package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// A delivery that read the webhook enabled before the disable (in flight,
// or a warm cache in another container) and succeeds after it leaves the
// disabled endpoint's failure run alone: its start is where Recover
// begins, and the endpoint still parks.
func TestLateSuccessKeepsTheDisabledRun(t *testing.T) {
	disabled := make(chan struct{})
	he := newHealthEnv(t, time.Hour, 2, func(d *Deps) {
		d.Health = signalledDisable{WebhookStore: d.Health.(*dynamo.WebhookStore), disabled: disabled}
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("X-Hookrelay-Delivery"), "dlv_S") {
			// Answer once the other delivery of the batch has disabled
			// the endpoint (or the POST is given up: the test then fails).
			select {
			case <-disabled:
			case <-r.Context().Done():
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer srv.Close()
	he.create(t, "wh_x", srv.URL+"/hook", true)
	t0 := he.now
	he.handle(t, sqsMessage(t, "org_a", "wh_x", "evt_1")) // failure 1 at t0
	he.now = t0.Add(time.Hour)
	// One batch: evt_S (answered 204 after the disable) and evt_2 (a 400 that disables).
	if _, err := he.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		sqsMessage(t, "org_a", "wh_x", "evt_S"), sqsMessage(t, "org_a", "wh_x", "evt_2")}}); err != nil {
		t.Fatal(err)
	}
	w := he.get(t, "wh_x")
	if !w.Parks() {
		t.Fatalf("not disabled for failing: %+v", w)
	}
	if w.Health.ConsecutiveFailures != 2 || !w.Health.FailingSince.Equal(t0) || !w.Health.LastSuccessAt.IsZero() {
		t.Errorf("disabled for failing with health %+v; want the run (2 failures since %v) kept", w.Health, t0)
	}
}

// signalledDisable closes disabled once DisableFailing has disabled the
// endpoint, so a test's endpoint can answer right after it.
type signalledDisable struct {
	*dynamo.WebhookStore
	disabled chan struct{}
}

func (s signalledDisable) DisableFailing(ctx context.Context, orgID, id string, now time.Time, t webhook.Threshold) (bool, error) {
	ok, err := s.WebhookStore.DisableFailing(ctx, orgID, id, now, t)
	if ok {
		close(s.disabled)
	}
	return ok, err
}
