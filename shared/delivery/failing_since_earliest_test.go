package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Two deliveries to an endpoint that refuses them are dead-lettered
// concurrently, and the one first attempted later is counted first:
// failing_since still ends up at the earlier one's first attempt, so a
// Recover from failing_since (the portal's default, whole seconds) finds
// every dead letter of the run.
func TestFailingSinceIsTheEarliestFirstAttempt(t *testing.T) {
	he := newHealthEnv(t, 120*time.Hour, 20)
	var clock atomic.Int64
	t0 := time.Date(2026, 11, 28, 10, 0, 0, 900_000_000, time.UTC)
	clock.Store(t0.UnixNano())
	he.h.now = func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	arrivedA, release := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("X-Hookrelay-Delivery"), "dlv_A") {
			close(arrivedA)
			<-release // a slow 400 (or a timeout)
		}
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer srv.Close()
	he.create(t, "wh_x", srv.URL+"/hook", true)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // A: first attempted at 10:00:00.900
		defer wg.Done()
		if _, err := he.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{sqsMessage(t, "org_a", "wh_x", "evt_A")}}); err != nil {
			t.Error(err)
		}
	}()
	<-arrivedA
	clock.Store(t0.Add(200 * time.Millisecond).UnixNano()) // B at 10:00:01.100: a fast 400, counted first
	he.handle(t, sqsMessage(t, "org_a", "wh_x", "evt_B"))
	if w := he.get(t, "wh_x"); w.Health.ConsecutiveFailures != 1 {
		t.Fatalf("after B: %+v; want B counted first", w.Health)
	}
	close(release)
	wg.Wait()
	w := he.get(t, "wh_x")
	if w.Health.ConsecutiveFailures != 2 || !w.Health.FailingSince.Equal(t0) {
		t.Errorf("health %+v; want 2 failures since A's first attempt %v", w.Health, t0)
	}
	since := w.Health.FailingSince.Truncate(time.Second) // the portal's default, whole seconds
	got, _, err := he.deadLetters.Open(context.Background(), "org_a", "wh_x", since, 100)
	if err != nil || len(got) != 2 {
		t.Errorf("a recover from %v finds %d dead letters (%v); want both of the run", since, len(got), err)
	}
}
