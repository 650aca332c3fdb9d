package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/message"
)

// With a long (allowed) retry schedule, a delivery first attempted before
// a success and dead-lettered after it starts a run whose failing_since
// (where Recover begins) is its first attempt; the auto-disable clock,
// though, starts at its dead letter, so an endpoint that answered a
// delivery inside autoDisableAfter is not disabled for "failing every
// delivery" that long.
func TestAutoDisableClockStartsAfterTheLastSuccess(t *testing.T) {
	he := newHealthEnv(t, 48*time.Hour, 2, func(d *Deps) {
		d.Config.RetrySchedule = []time.Duration{10 * time.Hour, 10 * time.Hour, 10 * time.Hour}
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch id := r.Header.Get("X-Hookrelay-Delivery"); {
		case strings.HasPrefix(id, "dlv_F"):
			w.WriteHeader(http.StatusServiceUnavailable)
		case strings.HasPrefix(id, "dlv_S"):
			w.WriteHeader(http.StatusNoContent)
		default:
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	he.create(t, "wh_x", srv.URL+"/hook", true)
	T := he.now
	f := sqsMessage(t, "org_a", "wh_x", "evt_F")
	for n := 1; n <= 4; n++ { // F's attempts at T, T+11h, T+22h, T+33h (its dead letter)
		he.now = T.Add(time.Duration(n-1) * 11 * time.Hour)
		f.Attributes = map[string]string{message.AttrReceiveCount: strconv.Itoa(n)}
		if _, err := he.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{f}}); err != nil {
			t.Fatal(err)
		}
		if n == 3 { // a success in between, at T+30h
			he.now = T.Add(30 * time.Hour)
			he.handle(t, sqsMessage(t, "org_a", "wh_x", "evt_S"))
		}
	}
	if w := he.get(t, "wh_x"); w.Health.ConsecutiveFailures != 1 || !w.Health.FailingSince.Equal(T) {
		t.Fatalf("after F's dead letter: %+v; want 1 failure since F's first attempt %v", w.Health, T)
	}
	he.now = T.Add(48 * time.Hour)
	he.handle(t, sqsMessage(t, "org_a", "wh_x", "evt_G")) // a 400 at T+48h: 2 failures, 48h after F's first attempt
	if w := he.get(t, "wh_x"); !w.Enabled {
		t.Errorf("disabled at T+48h (%+v) although a delivery succeeded at T+30h", w.Health)
	}
	he.now = T.Add(81 * time.Hour) // 48h after F's dead letter
	he.handle(t, sqsMessage(t, "org_a", "wh_x", "evt_H"))
	if w := he.get(t, "wh_x"); !w.Parks() || !w.Health.FailingSince.Equal(T) {
		t.Errorf("48h after the run's first dead letter: enabled %v, health %+v; want disabled for failing, the run from %v", w.Enabled, w.Health, T)
	}
}
