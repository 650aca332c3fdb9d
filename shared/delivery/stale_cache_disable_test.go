package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// A second deliver container whose 10 s webhook cache still holds the
// endpoint enabled parks its deliveries once another container disabled
// it: a cached run past autoDisableAfter is read again before the POST.
func TestOtherContainerParksAfterTheDisable(t *testing.T) {
	he := newHealthEnv(t, time.Hour, 2)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer srv.Close()
	he.create(t, "wh_x", srv.URL+"/hook", true)
	t0 := he.now
	he.handle(t, sqsMessage(t, "org_a", "wh_x", "evt_1"))
	he.now = t0.Add(time.Hour)
	// Container B: the same deps, its own 10 s cache, read just before the disable.
	cache := NewWebhookCache(he.store, 10*time.Second)
	cache.Now = func() time.Time { return he.now }
	d := he.h.d
	d.Webhooks = cache
	b := NewHandler(d)
	b.now = func() time.Time { return he.now }
	if _, err := cache.Get(context.Background(), "org_a", "wh_x"); err != nil {
		t.Fatal(err)
	}
	he.handle(t, sqsMessage(t, "org_a", "wh_x", "evt_2")) // container A disables it
	if w := he.get(t, "wh_x"); !w.Parks() {
		t.Fatalf("not disabled: %+v", w)
	}
	hitsBefore, dlqBefore := hits.Load(), he.dlqSends()
	he.now = he.now.Add(3 * time.Second)
	if _, err := b.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{sqsMessage(t, "org_a", "wh_x", "evt_3")}}); err != nil {
		t.Fatal(err)
	}
	p, _, err := he.parked.Since(context.Background(), "org_a", "wh_x", time.Time{}, 10)
	if hits.Load() != hitsBefore || he.dlqSends() != dlqBefore || err != nil || len(p) != 1 {
		t.Errorf("3 s after the disable, container B: %d POSTs, %d dead letters, %d parked (%v); want it parked", hits.Load()-hitsBefore, he.dlqSends()-dlqBefore, len(p), err)
	}
}
