package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
	"github.com/hookrelay/hookrelay/verify"
)

// receiver is a loopback endpoint whose path picks its behaviour. Every
// request it gets must carry valid signatures and the contract headers.
type receiver struct {
	srv      *httptest.Server
	hits     atomic.Int32
	badSig   atomic.Int32
	lastBody atomic.Value
}

func newReceiver(t *testing.T, tlsServer bool) *receiver {
	rc := &receiver{}
	mux := http.NewServeMux()
	check := func(r *http.Request) {
		rc.hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		rc.lastBody.Store(string(body))
		if verify.Verify(testSecret, r.Header, body, "Hookrelay", time.Now()) != nil ||
			r.Header.Get("X-Hookrelay-Event") != "emailClick" || !strings.HasPrefix(r.Header.Get("X-Hookrelay-Delivery"), "dlv_") ||
			!strings.HasPrefix(r.Header.Get("User-Agent"), "hookrelay/") || r.Header.Get("Content-Type") != "application/json" {
			rc.badSig.Add(1)
		}
	}
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		check(r)
		code, _ := strconv.Atoi(r.PathValue("code"))
		if code >= 300 && code < 400 {
			w.Header().Set("Location", "/status/200")
		}
		w.WriteHeader(code)
		fmt.Fprintf(w, "answer %d", code)
	})
	mux.HandleFunc("/retry-after", func(w http.ResponseWriter, r *http.Request) {
		check(r)
		w.Header().Set("Retry-After", r.URL.Query().Get("v"))
		w.WriteHeader(http.StatusTooManyRequests)
	})
	// An HTTP date an hour after the answer, formatted as it is sent: a
	// date fixed before the cases ran would age with every case before it.
	mux.HandleFunc("/retry-after-hour-date", func(w http.ResponseWriter, r *http.Request) {
		check(r)
		w.Header().Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		check(r)
		<-r.Context().Done() // answers never: the client's timeout ends it
	})
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		check(r)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		conn.(*net.TCPConn).SetLinger(0) // close with RST
		conn.Close()
	})
	mux.HandleFunc("/big-headers", func(w http.ResponseWriter, r *http.Request) {
		check(r)
		for i := range 80 {
			w.Header().Set(fmt.Sprintf("X-Padding-%d", i), strings.Repeat("a", 1<<10))
		}
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("/big/{code}", func(w http.ResponseWriter, r *http.Request) {
		check(r)
		code, _ := strconv.Atoi(r.PathValue("code"))
		w.WriteHeader(code)
		w.Write([]byte(strings.Repeat("é", 50_000)))
	})
	rc.srv = httptest.NewUnstartedServer(mux)
	// The untrusted-certificate case makes the server log handshake errors.
	rc.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tlsServer {
		rc.srv.StartTLS()
	} else {
		rc.srv.Start()
	}
	t.Cleanup(rc.srv.Close)
	return rc
}

type want struct {
	outcome string
	failed  bool
	status  int
	class   string
	delay   [2]time.Duration // accepted visibility range for retries
	reason  string           // DLQ reason
}

const step = 33 * time.Second // 30 s + the 10 % jitter the test jitter returns

func TestOutcomeTable(t *testing.T) {
	plain := newReceiver(t, false)
	untrusted := newReceiver(t, true)

	retry := func(status int, class string) want {
		return want{outcome: deliverylog.OutcomeRetrying, failed: true, status: status, class: class, delay: [2]time.Duration{step, step}}
	}
	permanent := func(status int) want {
		return want{outcome: deliverylog.OutcomeDeadLettered, status: status, reason: message.ReasonPermanentStatus}
	}
	delivered := func(status int) want { return want{outcome: deliverylog.OutcomeDelivered, status: status} }

	cases := []struct {
		name     string
		url      string
		loopback bool
		want     want
	}{
		{"200", plain.srv.URL + "/status/200", true, delivered(200)},
		{"201", plain.srv.URL + "/status/201", true, delivered(201)},
		{"204", plain.srv.URL + "/status/204", true, delivered(204)},
		{"301 is retried, not followed", plain.srv.URL + "/status/301", true, retry(301, "")},
		{"400", plain.srv.URL + "/status/400", true, permanent(400)},
		{"401", plain.srv.URL + "/status/401", true, permanent(401)},
		{"404", plain.srv.URL + "/status/404", true, permanent(404)},
		// README ("How it works"): among 4xx only 410 and 429 are special, so 408 is permanent.
		{"408", plain.srv.URL + "/status/408", true, permanent(408)},
		{"410", plain.srv.URL + "/status/410", true, want{outcome: deliverylog.OutcomeRemoved, status: 410}},
		{"413", plain.srv.URL + "/status/413", true, permanent(413)},
		{"429 without Retry-After", plain.srv.URL + "/status/429", true, retry(429, "")},
		{"429 Retry-After above the step", plain.srv.URL + "/retry-after?v=120", true,
			want{outcome: deliverylog.OutcomeRetrying, failed: true, status: 429, delay: [2]time.Duration{120 * time.Second, 120 * time.Second}}},
		{"429 Retry-After below the step", plain.srv.URL + "/retry-after?v=1", true, retry(429, "")},
		// The date has whole seconds, and a stall may pass between answer and handling.
		{"429 Retry-After HTTP date", plain.srv.URL + "/retry-after-hour-date", true,
			want{outcome: deliverylog.OutcomeRetrying, failed: true, status: 429, delay: [2]time.Duration{time.Hour - 10*time.Second, time.Hour}}},
		{"429 Retry-After beyond 12h", plain.srv.URL + "/retry-after?v=999999", true,
			want{outcome: deliverylog.OutcomeRetrying, failed: true, status: 429, delay: [2]time.Duration{12*time.Hour - receiptMargin - time.Minute, 12*time.Hour - receiptMargin}}},
		{"429 Retry-After beyond int64", plain.srv.URL + "/retry-after?v=99999999999999999999", true,
			want{outcome: deliverylog.OutcomeRetrying, failed: true, status: 429, delay: [2]time.Duration{12*time.Hour - receiptMargin - time.Minute, 12*time.Hour - receiptMargin}}},
		{"500", plain.srv.URL + "/status/500", true, retry(500, "")},
		{"502", plain.srv.URL + "/status/502", true, retry(502, "")},
		{"503", plain.srv.URL + "/status/503", true, retry(503, "")},
		{"timeout", plain.srv.URL + "/slow", true, retry(0, ClassTimeout)},
		{"connection reset", plain.srv.URL + "/reset", true, retry(0, ClassConnectionReset)},
		// Its 200 sits behind 80 KB of headers, past what the client reads.
		{"response headers over 64 KB", plain.srv.URL + "/big-headers", true, retry(0, ClassHeadersTooLarge)},
		{"TLS: untrusted certificate", untrusted.srv.URL + "/status/200", true, retry(0, ClassTLS)},
		{"refused address: loopback with dev mode off", untrusted.srv.URL + "/status/200", false,
			want{outcome: deliverylog.OutcomeDeadLettered, class: ClassBlockedAddress, reason: message.ReasonBlockedAddress}},
		{"invalid URL: http outside dev mode", plain.srv.URL + "/status/200", false,
			want{outcome: deliverylog.OutcomeDeadLettered, class: ClassInvalidURL, reason: message.ReasonInvalidURL}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.AllowLoopback = c.loopback
			e := newEnv(t, cfg, nil)
			whID := fmt.Sprintf("wh_%02d", i)
			e.webhooks.put(webhook.Webhook{ID: whID, OrgID: "org_a", URL: c.url, Enabled: true})
			m := sqsMessage(t, "org_a", whID, "evt_"+whID)
			checkOne(t, e, m, c.want)
		})
	}
	if n := plain.badSig.Load() + untrusted.badSig.Load(); n != 0 {
		t.Fatalf("%d requests failed verification or lacked contract headers", n)
	}
	if untrusted.hits.Load() != 0 {
		t.Fatalf("blocked or untrusted endpoint received %d requests", untrusted.hits.Load())
	}
}

// checkOne runs a batch of one and checks every side effect against w.
func checkOne(t *testing.T, e *env, m events.SQSMessage, w want) {
	t.Helper()
	resp, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m}})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(resp.BatchItemFailures) == 1 && resp.BatchItemFailures[0].ItemIdentifier == m.MessageId; got != w.failed || len(resp.BatchItemFailures) > 1 {
		t.Errorf("batch item failures %+v, want failed=%v", resp.BatchItemFailures, w.failed)
	}
	as := e.attempts.list()
	if len(as) != 1 {
		t.Fatalf("attempts recorded: %+v", as)
	}
	a := as[0]
	if a.Outcome != w.outcome || a.StatusCode != w.status || a.ErrorClass != w.class || a.Attempt != 1 {
		t.Errorf("attempt = %+v, want outcome=%s status=%d class=%q", a, w.outcome, w.status, w.class)
	}
	if len(a.Response) > maxExcerpt {
		t.Errorf("response excerpt of %d bytes", len(a.Response))
	}
	q := e.queue
	switch w.outcome {
	case deliverylog.OutcomeRetrying:
		if len(q.visibility) != 1 || q.visibility[0].receipt != m.ReceiptHandle ||
			q.visibility[0].delay < w.delay[0] || q.visibility[0].delay > w.delay[1] {
			t.Errorf("visibility calls %+v, want one in %v", q.visibility, w.delay)
		}
		if len(q.sent)+len(q.deleted) != 0 {
			t.Errorf("retry sent %+v / deleted %v", q.sent, q.deleted)
		}
	case deliverylog.OutcomeDeadLettered:
		if len(q.sent) != 1 || q.sent[0].queue != testDLQ || q.sent[0].msg.Body != m.Body {
			t.Fatalf("DLQ sends %+v", q.sent)
		}
		attrs := q.sent[0].msg.Attributes
		wantStatus := ""
		if w.status != 0 {
			wantStatus = strconv.Itoa(w.status)
		}
		if attrs[message.AttrReason] != w.reason || attrs[message.AttrAttempts] != "1" || attrs[message.AttrLastStatus] != wantStatus ||
			attrs[message.AttrLastError] != w.class || attrs[message.AttrWebhookID] != a.WebhookID || attrs[message.AttrOrgID] != "org_a" ||
			attrs[message.AttrEventName] != "emailClick" || attrs[message.AttrFirstAttempt] == "" || attrs[message.AttrLastAttempt] == "" {
			t.Errorf("DLQ attributes %v", attrs)
		}
		if len(q.deleted) != 1 || q.deleted[0] != m.ReceiptHandle || len(q.visibility) != 0 {
			t.Errorf("deleted %v, visibility %+v", q.deleted, q.visibility)
		}
	default:
		if len(q.sent)+len(q.deleted)+len(q.visibility) != 0 {
			t.Errorf("queue touched: %+v", q)
		}
	}
	// A retry stores the count and the body in a record; any other first
	// attempt writes its attempt entry alone, with the body for a resend.
	rec, err := e.records.Get(context.Background(), a.DeliveryID)
	if w.outcome == deliverylog.OutcomeRetrying {
		if err != nil || rec.Attempts != 1 || rec.Message != m.Body || e.attempts.message(a.DeliveryID) != "" {
			t.Errorf("record %+v, %v; entry body %q: want the record to keep count and body", rec, err, e.attempts.message(a.DeliveryID))
		}
	} else if !errors.Is(err, deliverylog.ErrNotFound) || e.records.saves != 0 || e.attempts.message(a.DeliveryID) != m.Body {
		t.Errorf("record %+v, %v; entry body %q: want no record, the body on the entry", rec, err, e.attempts.message(a.DeliveryID))
	}
	_, err = e.webhooks.Get(context.Background(), "org_a", a.WebhookID)
	if removed := err != nil; removed != (w.outcome == deliverylog.OutcomeRemoved) || removed && len(e.secrets.deleted) != 1 {
		t.Errorf("webhook removed=%v, secrets deleted %v", removed, e.secrets.deleted)
	}
	logs := e.logs.String()
	if strings.Contains(logs, testSecret[6:30]) || strings.Contains(logs, "/status/") || strings.Contains(logs, "retry-after?") {
		t.Errorf("logs leak a secret or an unmasked URL:\n%s", logs)
	}
	if !strings.Contains(logs, `"outcome":"`+w.outcome+`"`) {
		t.Errorf("no attempt log line:\n%s", logs)
	}
}

func TestResponseExcerptIsBoundedUTF8(t *testing.T) {
	rc := newReceiver(t, false)
	// A failure keeps up to 1 KB of the answer; a success, whose entry is
	// the delivery's one write, a short excerpt.
	for _, c := range []struct {
		code    int
		outcome string
		limit   int
	}{{500, deliverylog.OutcomeRetrying, maxExcerpt}, {200, deliverylog.OutcomeDelivered, maxDeliveredExcerpt}} {
		e := newEnv(t, testConfig(), nil)
		e.webhooks.put(webhook.Webhook{ID: "wh_big", OrgID: "org_a", URL: rc.srv.URL + "/big/" + strconv.Itoa(c.code), Enabled: true})
		checkOne(t, e, sqsMessage(t, "org_a", "wh_big", "evt_1"), want{outcome: c.outcome, status: c.code, failed: c.code != 200,
			delay: [2]time.Duration{step, step}})
		ex := e.attempts.list()[0].Response
		if len(ex) < c.limit-1 || len(ex) > c.limit || strings.Trim(ex, "é") != "" {
			t.Errorf("%d: excerpt of %d bytes, want whole runes of the body up to %d", c.code, len(ex), c.limit)
		}
	}
}

func TestRetriesExhaustedAfterLastStep(t *testing.T) {
	rc := newReceiver(t, false)
	e := newEnv(t, testConfig(), nil)
	e.webhooks.put(webhook.Webhook{ID: "wh_500", OrgID: "org_a", URL: rc.srv.URL + "/status/500", Enabled: true})
	m := sqsMessage(t, "org_a", "wh_500", "evt_1")
	var delays []time.Duration
	for n := 1; n <= 4; n++ {
		resp, _ := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m}})
		if failed := len(resp.BatchItemFailures) == 1; failed != (n < 4) {
			t.Fatalf("attempt %d: failures %+v", n, resp.BatchItemFailures)
		}
	}
	for _, v := range e.queue.visibility {
		delays = append(delays, v.delay)
	}
	if fmt.Sprint(delays) != "[33s 1m6s 2m12s]" {
		t.Fatalf("backoff %v, want the schedule plus 10%% jitter", delays)
	}
	if len(e.queue.sent) != 1 || e.queue.sent[0].msg.Attributes[message.AttrReason] != message.ReasonRetriesExhausted ||
		e.queue.sent[0].msg.Attributes[message.AttrAttempts] != "4" || e.queue.sent[0].msg.Attributes[message.AttrLastStatus] != "500" {
		t.Fatalf("DLQ %+v", e.queue.sent)
	}
	if rc.hits.Load() != 4 {
		t.Fatalf("%d POSTs, want 4", rc.hits.Load())
	}
}
