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
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// attemptTtl (the attempt log's TTL) may be shorter than a retry step
// (synth accepts 1h, make dev any positive value): the delivery record,
// which holds the attempt count between retries, must outlive the wait
// all the same, or every retry would be attempt 1 again and the schedule
// never end. Real dynalite record store built with a 1 h TTL; the
// handler's and the store's clocks move by each retry's delay.
func TestAttemptCountOutlivesAShortAttemptTTL(t *testing.T) {
	db, table := testenv.Table(t)
	records := dynamo.NewDeliveryStore(db, table, time.Hour)
	clock := time.Now().UTC()
	now := func() time.Time { return clock }
	records.Now = now
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		posts.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig()
	cfg.AttemptTTL = time.Hour
	cfg.RetrySchedule = []time.Duration{time.Hour, 2 * time.Hour, 4 * time.Hour}
	e := newEnv(t, cfg, func(d *Deps) { d.Records, d.Now = records, now })
	e.webhooks.put(webhook.Webhook{ID: "wh_1", OrgID: "org_a", URL: srv.URL, Enabled: true})

	m := sqsMessage(t, "org_a", "wh_1", "evt_1")
	sent := clock
	for receive := 1; receive <= len(cfg.RetrySchedule)+1; receive++ {
		m.Attributes = map[string]string{message.AttrReceiveCount: strconv.Itoa(receive), "SentTimestamp": strconv.FormatInt(sent.UnixMilli(), 10)}
		e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m}})
		as := e.attempts.list()
		if got := as[len(as)-1].Attempt; got != receive {
			t.Fatalf("receive %d at +%s is attempt %d: the attempt count expired between retries", receive, clock.Sub(sent), got)
		}
		if receive <= len(cfg.RetrySchedule) {
			clock = clock.Add(e.queue.visibility[len(e.queue.visibility)-1].delay)
		}
	}
	if len(e.queue.sent) != 1 || e.queue.sent[0].msg.Attributes[message.AttrReason] != message.ReasonRetriesExhausted || posts.Load() != 4 {
		t.Fatalf("after %d POSTs: DLQ sends %+v, want one retries_exhausted after 4", posts.Load(), e.queue.sent)
	}
}
