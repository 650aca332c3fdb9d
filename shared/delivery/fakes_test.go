package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// In-memory stand-ins for the adapters: the handler's logic is tested
// here, the adapters on the emulators (integration_test.go, shared/dynamo).
// Like the adapters, the writes fail once their context has ended.

const (
	testSecret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	testDLQ    = "http://127.0.0.1/dlq"
	testQueue  = "http://127.0.0.1/delivery"
)

type memWebhooks struct {
	mu    sync.Mutex
	hooks map[string]webhook.Webhook
	gets  int
}

func (m *memWebhooks) Get(_ context.Context, org, id string) (webhook.Webhook, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gets++
	if id == "wh_panic" {
		panic("store exploded")
	}
	w, ok := m.hooks[org+"/"+id]
	if !ok {
		return webhook.Webhook{}, webhook.ErrNotFound
	}
	return w, nil
}

// DeleteGone is the dynamo adapter's conditional delete (tested on
// dynalite in shared/dynamo).
func (m *memWebhooks) DeleteGone(_ context.Context, read webhook.Webhook) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := read.OrgID + "/" + read.ID
	w, ok := m.hooks[key]
	switch {
	case !ok:
		return webhook.ErrNotFound
	case w.URL != read.URL || !w.Enabled && !w.Parks():
		return webhook.ErrMoved
	}
	delete(m.hooks, key)
	return nil
}

// put stores w. One stored without event types subscribes to all, as
// fan-out would send it every message these tests make; the tests of a
// subscription (subscription_test.go) set theirs.
func (m *memWebhooks) put(w webhook.Webhook) {
	if w.EventTypes == nil && !w.AllEvents {
		w.EventTypes, w.AllEvents = []string{webhook.AllEvents}, true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hooks[w.OrgID+"/"+w.ID] = w
}

type memSecrets struct {
	mu     sync.Mutex
	active []string // newest first; nil: no secret
	// previousEnds is the end of active[1]'s grace; zero: none in a test.
	previousEnds time.Time
	deleted      []string
	reads        int
}

func (s *memSecrets) Record(context.Context, string, string) (secrets.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if s.active == nil {
		return secrets.Record{}, secrets.ErrNotFound
	}
	r := secrets.Record{Current: s.active[0]}
	if len(s.active) > 1 {
		r.Previous, r.PreviousExpiresAt = s.active[1], s.previousEnds
		if r.PreviousExpiresAt.IsZero() {
			r.PreviousExpiresAt = time.Now().Add(24 * time.Hour)
		}
	}
	return r, nil
}

func (s *memSecrets) ScheduleDeletion(_ context.Context, _, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleted = append(s.deleted, id)
	return nil
}

type visibilityCall struct {
	receipt string
	delay   time.Duration
	queue   string
}

type sentMessage struct {
	queue string
	msg   queue.Message
}

type memQueue struct {
	mu         sync.Mutex
	visibility []visibilityCall
	deleted    []string
	deletedAt  []string // the queue of each delete
	sent       []sentMessage
	failSend   bool
	// SQS's size rule, computed here independently of the code under
	// test: body plus each attribute's name, "String" and value.
	enforceSize bool
	// maxAttrs > 0 refuses messages with more attributes (an accounting
	// the handler cannot predict).
	maxAttrs int
}

func (q *memQueue) ChangeVisibility(ctx context.Context, url, receipt string, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.visibility = append(q.visibility, visibilityCall{receipt, d, url})
	return nil
}

func (q *memQueue) Delete(ctx context.Context, url, receipt string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.deleted = append(q.deleted, receipt)
	q.deletedAt = append(q.deletedAt, url)
	return nil
}

func (q *memQueue) Send(ctx context.Context, url string, m queue.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.failSend {
		return errors.New("sqs unavailable")
	}
	size := len(m.Body)
	for k, v := range m.Attributes {
		size += len(k) + len("String") + len(v)
	}
	if q.enforceSize && size > 256*1024 || q.maxAttrs > 0 && len(m.Attributes) > q.maxAttrs {
		return fmt.Errorf("InvalidParameterValue: message of %d bytes with %d attributes refused", size, len(m.Attributes))
	}
	q.sent = append(q.sent, sentMessage{url, m})
	return nil
}

// memRecords is the delivery record store in memory (also used by the
// benchmark: a mutex and a map, like the adapter's one write).
type memRecords struct {
	mu       sync.Mutex
	recs     map[string]deliverylog.DeliveryRecord
	proposed map[string]int // delivery id: the resend Propose announced
	saves    int
	gets     int
}

func newMemRecords() *memRecords {
	return &memRecords{recs: map[string]deliverylog.DeliveryRecord{}, proposed: map[string]int{}}
}

func (r *memRecords) Save(ctx context.Context, rec deliverylog.DeliveryRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if rec.Resend < r.recs[rec.DeliveryID].Resend { // as the adapter's condition
		return deliverylog.ErrSuperseded
	}
	r.recs[rec.DeliveryID] = rec // the proposal stands, as the adapter's UpdateItem leaves it
	r.saves++
	return nil
}

func (r *memRecords) EndResend(_ context.Context, id string, resend int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.proposed[id] == resend {
		delete(r.proposed, id)
	}
	if rec, ok := r.recs[id]; ok && rec.Resend == resend {
		rec.Resend = 0
		r.recs[id] = rec
	}
	return nil
}

func (r *memRecords) Get(_ context.Context, id string) (deliverylog.DeliveryRecord, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gets++
	rec, ok := r.recs[id]
	if !ok {
		return deliverylog.DeliveryRecord{}, deliverylog.ErrNotFound
	}
	return rec, nil
}

func (r *memRecords) ResetAttempts(_ context.Context, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec, ok := r.recs[id]
	if !ok {
		return deliverylog.ErrNotFound
	}
	rec.Attempts, rec.FirstAttemptAt = 0, time.Time{}
	r.recs[id] = rec
	return nil
}

// Propose and Supersede are the adapter's: an announced resend ahead of
// the record's starts its count over.
func (r *memRecords) Propose(_ context.Context, id string, resend int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.recs[id]; ok {
		r.proposed[id] = resend
	}
	return nil
}

func (r *memRecords) Supersede(_ context.Context, id string, resend int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rec, ok := r.recs[id]; ok && rec.Resend < resend && r.proposed[id] == resend {
		rec.Attempts, rec.FirstAttemptAt, rec.Resend = 0, time.Time{}, resend
		r.recs[id] = rec
		delete(r.proposed, id)
	}
	return nil
}

func (r *memRecords) get(id string) deliverylog.DeliveryRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.recs[id]
}

type memAttempts struct {
	mu       sync.Mutex
	all      []deliverylog.Attempt
	messages map[string]string // delivery id: the body an entry kept
}

func (a *memAttempts) Append(ctx context.Context, at deliverylog.Attempt, msg string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.all = append(a.all, at)
	if msg != "" {
		if a.messages == nil {
			a.messages = map[string]string{}
		}
		a.messages[at.DeliveryID] = msg
	}
	return nil
}

func (a *memAttempts) FindMessage(_ context.Context, org, wh, id string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, at := range a.all {
		if at.DeliveryID == id && at.OrgID == org && at.WebhookID == wh && a.messages[id] != "" {
			return a.messages[id], nil
		}
	}
	return "", deliverylog.ErrNotFound
}

func (a *memAttempts) message(id string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.messages[id]
}

func (a *memAttempts) list() []deliverylog.Attempt {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]deliverylog.Attempt(nil), a.all...)
}

// env is a handler over fakes.
type env struct {
	h        *Handler
	webhooks *memWebhooks
	secrets  *memSecrets
	queue    *memQueue
	records  *memRecords
	attempts *memAttempts
	logs     *testenv.Buffer
}

func testConfig() config.Config {
	c := config.Defaults()
	// Generous: a TLS handshake on a loaded 2-core machine can take longer
	// than a second, and the timeout case waits for it in full anyway.
	c.DeliveryTimeout = 5 * time.Second
	c.DLQURL, c.DeliveryQueues = testDLQ, lanes.Lanes{testQueue}
	c.AllowLoopback = true
	return c
}

// newEnv builds a handler; jitter always returns its maximum, so retry
// delays are exactly step × 1.1.
func newEnv(t testing.TB, cfg config.Config, mutate func(*Deps)) *env {
	t.Helper()
	e := &env{
		webhooks: &memWebhooks{hooks: map[string]webhook.Webhook{}},
		secrets:  &memSecrets{active: []string{testSecret}},
		queue:    &memQueue{}, records: newMemRecords(), attempts: &memAttempts{}, logs: &testenv.Buffer{},
	}
	d := Deps{
		Webhooks: e.webhooks, Secrets: NewSecretCache(e.secrets), Queue: e.queue, Records: e.records, Attempts: e.attempts,
		Remover: WebhookRemover{Webhooks: e.webhooks, Secrets: e.secrets}, Config: cfg,
		// DEBUG: the tests see (and check) every line, also those a
		// deployed stack at logLevel INFO leaves out.
		Logger: slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Jitter: func(max time.Duration) time.Duration { return max },
	}
	if mutate != nil {
		mutate(&d)
	}
	e.h = NewHandler(d)
	// Every line a test made the handler write follows the log schema.
	t.Cleanup(func() { testenv.CheckLogLines(t, e.logs.String()) })
	return e
}

// message returns a queue message delivering one event to webhook id.
func sqsMessage(t testing.TB, org, webhookID, eventID string) events.SQSMessage {
	t.Helper()
	env, err := message.BuildEnvelope(eventID, "emailClick", org, 1745000000, []byte(`{"email":"ada@example.com"}`))
	if err != nil {
		t.Fatal(err)
	}
	d := message.Delivery{DeliveryID: "dlv_" + eventID[4:] + webhookID[3:], EventID: eventID, OrgID: org, WebhookID: webhookID, EventName: "emailClick", Envelope: string(env)}
	body, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return events.SQSMessage{MessageId: "m-" + webhookID + "-" + eventID, ReceiptHandle: "rh-" + webhookID + "-" + eventID, Body: body}
}
