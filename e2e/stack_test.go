// Package e2e drives the whole local stack (shared/devrun: dynalite, goaws,
// the API, the fan-out and delivery pollers) over HTTP as a user would:
// webhooks are created with a dev token, events are published through the
// API and through the bus, and deliveries land on receivers on 127.0.0.1.
//
// The seed-behaviour tests share one stack (sharedStack) and run in
// parallel, each with its own organization; the chaos and quick-start tests
// start their own stacks because they inject panics or read the DLQ with
// the operator tools.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/devauth"
	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// Timing of the stacks the tests start: retries short enough that a
// delivery goes through all four attempts in a few seconds, and a delivery
// timeout far above a scheduling stall of a loaded machine (answered POSTs
// to loopback receivers took up to 1.35 s there): most tests count requests
// or attempts exactly, and an answered POST cut off as a timeout would be
// retried. The stack's queue visibility (6 × the timeout) and the endpoint
// gate's deferral (3 × the timeout, after 3 timeouts in a row) only grow
// for deliveries that crash or keep timing out, which these tests do not.
const (
	retryStep       = time.Second
	retrySchedule   = "1s,1s,1s"
	deliveryTimeout = 5 * time.Second
)

func testEnv() map[string]string { return stackEnv(deliveryTimeout) }

// stackEnv is the tests' retry schedule with the given delivery timeout.
func stackEnv(timeout time.Duration) map[string]string {
	return map[string]string{
		"HOOKRELAY_RETRY_SCHEDULE":   retrySchedule,
		"HOOKRELAY_DELIVERY_TIMEOUT": timeout.String(),
	}
}

// logBuffer collects a stack's log so a failing test can show its part.
type logBuffer struct{ testenv.Buffer }

// linesWith returns the log lines that mention any of needles (all lines
// when needles is empty), at most the last max of them.
func (b *logBuffer) linesWith(max int, needles ...string) string {
	all := strings.Split(b.String(), "\n")
	var out []string
	for _, l := range all {
		if len(needles) == 0 {
			out = append(out, l)
			continue
		}
		for _, n := range needles {
			if n != "" && strings.Contains(l, n) {
				out = append(out, l)
				break
			}
		}
	}
	if len(out) > max {
		out = out[len(out)-max:]
	}
	return strings.Join(out, "\n")
}

// stack is a running devrun stack plus what the tests need around it.
type stack struct {
	*devrun.Stack
	logs *logBuffer
	dlq  *dlqCollector // nil unless collectDLQ was called
	tap  *queueTap     // every message the handlers received, for the secret audit
}

// startStack starts a stack on a free loopback port in its own data folder.
// The caller stops it.
func startStack(dataDir string, o devrun.Options) (*stack, error) {
	logs := &logBuffer{}
	o.DataDir, o.Addr, o.Logger = dataDir, "127.0.0.1:0", devrun.NewLogger(logs, slog.LevelInfo)
	if o.Env == nil {
		o.Env = testEnv()
	}
	tap := &queueTap{}
	o.WrapFanout, o.WrapDeliver = tap.wrap(o.WrapFanout), tap.wrap(o.WrapDeliver)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := devrun.Start(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("start the local stack: %w\n%s", err, logs.linesWith(50))
	}
	return &stack{Stack: s, logs: logs, tap: tap}, nil
}

// startTestStack starts a stack for one test and stops it at its end.
func startTestStack(t *testing.T, o devrun.Options) *stack {
	t.Helper()
	s, err := startStack(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("stack log (last lines):\n%s", s.logs.linesWith(200))
			if f, err := os.CreateTemp("", "hookrelay-e2e-stack-*.log"); err == nil {
				f.WriteString(s.logs.linesWith(1 << 30))
				f.Close()
				t.Logf("whole stack log: %s", f.Name())
			}
		}
		if err := s.auditSecrets(auditMinimum{}); err != nil {
			t.Error(err)
		}
		s.Stop()
	})
	return s
}

// The package's shared stack, started by the first test that asks for it
// and stopped by TestMain.
var (
	sharedOnce sync.Once
	shared     *stack
	sharedErr  error
	sharedDir  string
)

func sharedStack(t *testing.T) *stack {
	t.Helper()
	sharedOnce.Do(func() {
		if sharedDir, sharedErr = os.MkdirTemp("", "hookrelay-e2e-"); sharedErr != nil {
			return
		}
		if shared, sharedErr = startStack(sharedDir, devrun.Options{}); sharedErr == nil {
			shared.collectDLQ()
		}
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.dlq.stop()
		if err := shared.auditSecrets(sharedAuditMinimum()); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: secret audit of the shared stack:", err)
			code = 1
		}
		shared.Stop()
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
	if bootstrapDir != "" {
		os.RemoveAll(bootstrapDir)
	}
	os.Exit(code)
}

// sharedAuditMinimum is what the secret audit must have read for its
// pass to mean something: the whole suite always makes secrets, queue
// messages and items, so reading none of them is a broken audit. A run of
// chosen tests (-run, as when re-running one red test) may publish nothing
// and audits what there is.
func sharedAuditMinimum() auditMinimum {
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		return auditMinimum{}
	}
	return auditMinimum{secrets: 1, messages: 1, items: 1}
}

// tenant is one organization using the API with its dev token.
type tenant struct {
	t     testing.TB
	s     *stack
	org   string
	token string
	hooks []string // webhook ids created, for the log on failure
	// markers are the event ids of the tenant's marker events (see
	// drained), which attempts leaves out.
	markers map[string]bool
}

var orgSeq atomic.Int64

// newTenant makes a fresh organization, so tests on the shared stack never
// see each other's webhooks or events.
func newTenant(t testing.TB, s *stack, label string) *tenant {
	t.Helper()
	key, err := devauth.DevKey(s.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	org := fmt.Sprintf("org_%s_%d_%d", label, time.Now().UnixNano()%1e6, orgSeq.Add(1))
	tok, err := devauth.NewDevJWT(key, s.Config).Issue(org, false, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tn := &tenant{t: t, s: s, org: org, token: tok, markers: map[string]bool{}}
	t.Cleanup(func() {
		if t.Failed() {
			// Errors too: a failed request's error line does not name the org.
			t.Logf("stack log of %s, and errors:\n%s", org, s.logs.linesWith(100, append([]string{org, "level=ERROR"}, tn.hooks...)...))
		}
	})
	return tn
}

// call makes one API request and returns the status and body.
func (tn *tenant) call(method, path string, body any) (int, []byte) {
	tn.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tn.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, tn.s.API+path, rd)
	if err != nil {
		tn.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tn.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tn.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tn.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// mustCall is call that fails the test on another status, and decodes the body.
func (tn *tenant) mustCall(method, path string, body any, want int, out any) {
	tn.t.Helper()
	status, b := tn.call(method, path, body)
	if status != want {
		tn.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			tn.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

type createdWebhook struct {
	ID            string   `json:"id"`
	URL           string   `json:"url"`
	EventTypes    []string `json:"event_types"`
	Enabled       bool     `json:"enabled"`
	SigningSecret string   `json:"signing_secret"`
}

// createWebhook subscribes url to eventTypes (["*"] for every type).
func (tn *tenant) createWebhook(url string, eventTypes ...string) createdWebhook {
	tn.t.Helper()
	var w createdWebhook
	tn.mustCall(http.MethodPost, "/api/v1/organization/webhooks",
		map[string]any{"name": "e2e " + tn.t.Name(), "url": url, "event_types": eventTypes}, http.StatusCreated, &w)
	if !strings.HasPrefix(w.ID, "wh_") || !strings.HasPrefix(w.SigningSecret, "whsec_") {
		tn.t.Fatalf("create webhook: unexpected answer %+v", w)
	}
	tn.hooks = append(tn.hooks, w.ID)
	createdSecrets.add(w.SigningSecret)
	return w
}

// publish posts an event through the API and returns its id.
func (tn *tenant) publish(eventName string, data json.RawMessage) string {
	tn.t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	tn.mustCall(http.MethodPost, "/api/v1/events", map[string]any{"event_name": eventName, "data": data}, http.StatusAccepted, &out)
	if !strings.HasPrefix(out.ID, "evt_") {
		tn.t.Fatalf("publish: id %q", out.ID)
	}
	return out.ID
}

// attempts returns the webhook's whole attempt log as the API lists it,
// without the tenant's marker events.
func (tn *tenant) attempts(webhookID string) []deliverylog.Attempt {
	tn.t.Helper()
	var all []deliverylog.Attempt
	cursor := ""
	for {
		path := "/api/v1/organization/webhooks/" + webhookID + "/deliveries?limit=100"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		var page struct {
			Data       []deliverylog.Attempt `json:"data"`
			NextCursor string                `json:"next_cursor"`
		}
		tn.mustCall(http.MethodGet, path, nil, http.StatusOK, &page)
		for _, a := range page.Data {
			if !tn.markers[a.EventID] {
				all = append(all, a)
			}
		}
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
}

// dlqEntry is one dead letter as the delivery handler wrote it.
type dlqEntry struct {
	Delivery message.Delivery
	Attrs    map[string]string
}

// dlqCollector drains the DLQ of the shared stack in one place, so tests
// running in parallel do not hide messages from each other by receiving
// them. Entries are kept in memory, by delivery id.
type dlqCollector struct {
	mu      sync.Mutex
	entries []dlqEntry
	cancel  context.CancelFunc
	done    chan struct{}
}

func (s *stack) collectDLQ() {
	ctx, cancel := context.WithCancel(context.Background())
	c := &dlqCollector{cancel: cancel, done: make(chan struct{})}
	s.dlq = c
	go func() {
		defer close(c.done)
		for ctx.Err() == nil {
			msgs, err := s.SQS.Receive(ctx, s.State.DLQURL, 10, time.Second, 30*time.Second)
			if err != nil {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			for _, m := range msgs {
				e := dlqEntry{Attrs: queue.AttributesOf(m)}
				e.Delivery, _ = message.Decode(m.Body)
				c.mu.Lock()
				c.entries = append(c.entries, e)
				c.mu.Unlock()
				_ = s.SQS.Delete(context.Background(), s.State.DLQURL, m.ReceiptHandle)
			}
		}
	}()
}

func (c *dlqCollector) stop() {
	if c != nil {
		c.cancel()
		<-c.done
	}
}

// forWebhook returns the dead letters of one webhook collected so far.
func (c *dlqCollector) forWebhook(webhookID string) []dlqEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []dlqEntry
	for _, e := range c.entries {
		if e.Attrs[message.AttrWebhookID] == webhookID || e.Delivery.WebhookID == webhookID {
			out = append(out, e)
		}
	}
	return out
}
