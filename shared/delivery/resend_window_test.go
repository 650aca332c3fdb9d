package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// A resend works as long as the attempt log shows the delivery: the
// record of a retried delivery (whose entries keep no body) outlives its
// final attempt's entry, which comes a whole step after the record's last
// save. Real dynalite record store and attempt log, both with attemptTtl
// 720h, on one pinned clock; schedule 10h: attempt 1 gets a 503, attempt
// 2, 11 h later, a 200.
func TestResendWorksWhileTheLogShowsARetriedDelivery(t *testing.T) {
	db, table := testenv.Table(t)
	const ttl = 720 * time.Hour
	records, log := dynamo.NewDeliveryStore(db, table, ttl), dynamo.NewAttemptLog(db, table, ttl)
	t0 := time.Now().UTC().Truncate(time.Second)
	clock := t0
	now := func() time.Time { return clock }
	records.Now, log.Now = now, now
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if posts.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig()
	cfg.AttemptTTL, cfg.RetrySchedule = ttl, []time.Duration{10 * time.Hour}
	e := newEnv(t, cfg, func(d *Deps) { d.Records, d.Attempts, d.Now = records, log, now })
	hook := webhook.Webhook{ID: "wh_1", OrgID: "org_a", URL: srv.URL, Enabled: true, AllEvents: true}
	e.webhooks.put(hook)

	m := sqsMessage(t, "org_a", "wh_1", "evt_1")
	for receive := 1; receive <= 2; receive++ {
		m.Attributes = map[string]string{message.AttrReceiveCount: strconv.Itoa(receive), "SentTimestamp": strconv.FormatInt(t0.UnixMilli(), 10)}
		e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m}})
		if receive == 1 {
			clock = clock.Add(e.queue.visibility[len(e.queue.visibility)-1].delay)
		}
	}
	final := clock
	clock = final.Add(ttl - time.Minute) // the final entry's last minute
	entries, _, err := log.List(context.Background(), "org_a", "wh_1", 10, "")
	if err != nil || len(entries) == 0 || entries[0].Attempt != 2 || !entries[0].At.Equal(final) {
		t.Fatalf("log at the final entry's last minute: %+v, %v; want attempt 2 at %s", entries, err, final)
	}
	resender := NewResender(records, log, e.queue, lanes.Lanes{testQueue})
	resender.Now = now
	if err := resender.Resend(context.Background(), hook, entries[0].DeliveryID); err != nil {
		t.Fatalf("resend of a delivery the log shows: %v", err)
	}
}
