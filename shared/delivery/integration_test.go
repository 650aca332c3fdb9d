package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/poller"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
	"github.com/hookrelay/hookrelay/verify"
)

func TestDeliveryOnEmulators(t *testing.T) {
	api := testenv.SQSClient(t, testenv.Goaws(t))
	q := sqsqueue.New(api)
	dlqURL := testenv.Queue(t, api, "deliveries-dlq", nil)
	redrive, _ := json.Marshal(map[string]string{"deadLetterTargetArn": testenv.QueueARN("deliveries-dlq"), "maxReceiveCount": "10"})
	queueURL := testenv.Queue(t, api, "deliveries", map[string]string{"VisibilityTimeout": "30", "RedrivePolicy": string(redrive)})
	db, table := testenv.Table(t)
	attempts := dynamo.NewAttemptLog(db, table, time.Hour)

	var mu sync.Mutex
	hits := map[string][]time.Time{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := verify.Verify(testSecret, r.Header, body, "Hookrelay", time.Now()); err != nil {
			t.Errorf("receiver: %v", err)
		}
		mu.Lock()
		hits[r.URL.Path] = append(hits[r.URL.Path], time.Now())
		mu.Unlock()
		var code int
		fmt.Sscanf(r.URL.Path, "/%d", &code)
		w.WriteHeader(code)
	}))
	defer srv.Close()

	cfg := testConfig()
	// testConfig's 5 s delivery timeout: the POSTs are counted exactly,
	// and one a loaded machine stalled past a shorter timeout would be
	// retried as a timeout (answers took up to 1.35 s there).
	cfg.RetrySchedule = []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}
	cfg.DLQURL, cfg.DeliveryQueues = dlqURL, lanes.Lanes{queueURL}
	records := dynamo.NewDeliveryStore(db, table, time.Hour)
	e := newEnv(t, cfg, func(d *Deps) {
		d.Queue = q
		d.Records = records
		d.Attempts = attempts
		d.Jitter = nil // the real ≤ 10 % jitter
	})
	for _, code := range []int{500, 400, 410} {
		id := fmt.Sprintf("wh_%d", code)
		e.webhooks.put(webhook.Webhook{ID: id, OrgID: "org_a", URL: fmt.Sprintf("%s/%d", srv.URL, code), Enabled: true})
		if err := q.Send(context.Background(), queueURL, queue.Message{Body: sqsMessage(t, "org_a", id, "evt_1").Body}); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	// The local event source: it supplies the true receive count that
	// numbers attempts after the first.
	var polling sync.WaitGroup
	stop := func() { cancel(); polling.Wait() }
	defer stop()
	p := &poller.Poller{Name: "deliver", Queue: q, QueueURL: queueURL, Handler: e.h.Handle, Wait: time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	polling.Go(func() { _ = p.Run(ctx) })

	// Collect the two dead-lettered messages.
	dead := map[string]map[string]string{}
	for len(dead) < 2 && ctx.Err() == nil {
		msgs, err := q.Receive(ctx, dlqURL, 10, time.Second, 0)
		if err != nil {
			continue
		}
		for _, m := range msgs {
			attrs := queue.AttributesOf(m)
			dead[attrs[message.AttrWebhookID]] = attrs
			_ = q.Delete(ctx, dlqURL, m.ReceiptHandle)
		}
	}
	if len(dead) != 2 {
		t.Fatalf("dead-lettered: %v", dead)
	}
	// The handler records a dead letter after sending it: wait for that
	// record and for the queue to empty before stopping the poller.
	testenv.WaitFor(t, 20*time.Second, "the always-500 delivery's 4th attempt entry", func() bool {
		log, _, err := attempts.List(ctx, "org_a", "wh_500", 10, "")
		return err == nil && len(log) >= 4
	})
	testenv.WaitFor(t, 20*time.Second, "an empty delivery queue", func() bool {
		n, err := testenv.QueueDepth(ctx, api, queueURL)
		return err == nil && n == 0
	})
	stop()
	if a := dead["wh_500"]; a[message.AttrReason] != message.ReasonRetriesExhausted || a[message.AttrAttempts] != "4" || a[message.AttrLastStatus] != "500" {
		t.Errorf("always-500 DLQ attributes %v", a)
	}
	if a := dead["wh_400"]; a[message.AttrReason] != message.ReasonPermanentStatus || a[message.AttrAttempts] != "1" || a[message.AttrLastStatus] != "400" {
		t.Errorf("400 DLQ attributes %v", a)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(hits["/400"]) != 1 || len(hits["/410"]) != 1 || len(hits["/500"]) != 4 {
		t.Fatalf("POSTs per endpoint: 400×%d 410×%d 500×%d, want 1, 1, 4", len(hits["/400"]), len(hits["/410"]), len(hits["/500"]))
	}
	if _, err := e.webhooks.Get(context.Background(), "org_a", "wh_410"); err != webhook.ErrNotFound || len(e.secrets.deleted) != 1 {
		t.Errorf("410: webhook still there (%v) or secret not scheduled for deletion (%v)", err, e.secrets.deleted)
	}
	// Backoff: each gap is at least its step (SQS visibility has second
	// granularity, so allow 250 ms early), and well below the queue's 30 s
	// visibility timeout a missing backoff would fall back to. The margin
	// above the step is wide: a loaded machine may be slow to poll.
	times := hits["/500"]
	for i, step := range cfg.RetrySchedule {
		gap := times[i+1].Sub(times[i])
		t.Logf("gap %d: %v (step %v)", i+1, gap, step)
		if gap < step-250*time.Millisecond || gap > step+15*time.Second {
			t.Errorf("gap between attempts %d and %d is %v, want ≈ %v", i+1, i+2, gap, step)
		}
	}

	// The attempt log on DynamoDB has all four, newest first.
	log, _, err := attempts.List(context.Background(), "org_a", "wh_500", 10, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range log {
		got = append(got, fmt.Sprintf("%d:%s:%d", a.Attempt, a.Outcome, a.StatusCode))
	}
	want := []string{"4:" + deliverylog.OutcomeDeadLettered + ":500", "3:retrying:500", "2:retrying:500", "1:retrying:500"}
	if !slices.Equal(got, want) {
		t.Errorf("attempt log %v, want %v", got, want)
	}
	const dlv500 = "dlv_1500" // sqsMessage's delivery id for evt_1 to wh_500
	// The record was written before each retry: it holds the count and
	// the body; the 400, never retried, keeps its body on its entry.
	if rec, err := records.Get(context.Background(), dlv500); err != nil || rec.Attempts != 3 || rec.Message != sqsMessage(t, "org_a", "wh_500", "evt_1").Body {
		t.Errorf("delivery record %+v (%v), want 3 attempts and the body", rec, err)
	}
	if body, err := attempts.FindMessage(context.Background(), "org_a", "wh_400", "dlv_1400"); err != nil || body != sqsMessage(t, "org_a", "wh_400", "evt_1").Body {
		t.Errorf("400's entry body %q (%v), want the message", body, err)
	}

}
