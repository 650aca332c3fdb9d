package fanout

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/devbus"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// testCatalog stands in for the event catalog's names in tests that are
// not about the catalog itself (samples_test.go uses the real one).
var testCatalog = []string{"emailClick", "emailOpen", "emailBounce"}

// env is the pipeline on real emulators: dynalite for webhooks and
// idempotency, goaws for the ingest, ingest DLQ and delivery queues.
type env struct {
	ctx      context.Context
	store    *dynamo.WebhookStore
	idem     *dynamo.IdempotencyStore
	q        *sqsqueue.Client
	ingest   string
	dlq      string
	delivery string
	bus      *devbus.Local
	pub      *Publisher
	h        *Handler
	logs     *testenv.Buffer
}

func newEnv(t testing.TB, known []string) *env {
	t.Helper()
	db, table := testenv.Table(t)
	api := testenv.SQSClient(t, testenv.Goaws(t))
	e := &env{
		ctx:      context.Background(),
		store:    dynamo.NewWebhookStore(db, table),
		idem:     dynamo.NewIdempotencyStore(db, table),
		q:        sqsqueue.New(api),
		ingest:   testenv.Queue(t, api, "ingest", nil),
		dlq:      testenv.Queue(t, api, "ingest-dlq", nil),
		delivery: testenv.Queue(t, api, "delivery", nil),
		logs:     &testenv.Buffer{},
	}
	e.bus = devbus.NewLocal(e.q, e.ingest)
	e.pub = NewPublisher(e.bus, e.idem)
	e.h = NewHandler(e.deps(known))
	t.Cleanup(func() { testenv.CheckLogLines(t, e.logs.String()) })
	return e
}

func (e *env) deps(known []string) Deps {
	return Deps{
		Webhooks:       e.store,
		Queue:          e.q,
		KnownEvent:     func(name string) bool { return slices.Contains(known, name) },
		Claims:         e.idem,
		DeliveryQueues: lanes.Lanes{e.delivery},
		IngestQueueURL: e.ingest,
		IngestDLQURL:   e.dlq,
		Logger:         slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})), // every line, checked against the schema
	}
}

// webhook registers an endpoint; types ["*"] subscribes to all events.
func (e *env) webhook(t testing.TB, org string, enabled bool, types ...string) string {
	t.Helper()
	id, err := e.createWebhook(org, enabled, types...)
	if err != nil {
		t.Fatalf("create webhook: %v", err)
	}
	return id
}

// createWebhook goes through the store, so tests use its real item layout.
func (e *env) createWebhook(org string, enabled bool, types ...string) (string, error) {
	now := time.Now().UTC()
	w := webhook.Webhook{
		ID: ids.New(ids.WebhookPrefix), OrgID: org, Name: "hook", URL: "https://example.com/hook",
		EventTypes: types, AllEvents: slices.Contains(types, webhook.AllEvents), Enabled: enabled,
		CreatedAt: now, UpdatedAt: now,
	}
	return w.ID, e.store.Create(e.ctx, w, 1_000_000)
}

// drain receives and deletes messages until want arrived, then checks that
// nothing more is waiting. want 0 checks the queue stays empty.
func (e *env) drain(t testing.TB, url string, want int) []events.SQSMessage {
	t.Helper()
	var got []events.SQSMessage
	for {
		wait := time.Second
		if len(got) >= want {
			wait = 500 * time.Millisecond
		}
		msgs, err := e.q.Receive(e.ctx, url, 10, wait, 0)
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		for _, m := range msgs {
			if err := e.q.Delete(e.ctx, url, m.ReceiptHandle); err != nil {
				t.Fatalf("delete: %v", err)
			}
		}
		got = append(got, msgs...)
		if len(msgs) == 0 {
			break
		}
	}
	if len(got) != want {
		t.Fatalf("%s: got %d messages, want %d", url, len(got), want)
	}
	return got
}

// handle runs the handler on records and fails the test on batch failures.
func (e *env) handle(t testing.TB, records ...events.SQSMessage) {
	t.Helper()
	resp, err := e.h.Handle(e.ctx, events.SQSEvent{Records: records})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle: err=%v failures=%v", err, resp.BatchItemFailures)
	}
}

// deliveries decodes delivery queue messages, keyed by webhook id.
func deliveries(t testing.TB, msgs []events.SQSMessage) map[string]message.Delivery {
	t.Helper()
	out := map[string]message.Delivery{}
	for _, m := range msgs {
		d, err := message.Decode(m.Body)
		if err != nil {
			t.Fatalf("delivery message %s: %v", m.Body, err)
		}
		if _, dup := out[d.WebhookID]; dup {
			t.Fatalf("two deliveries to webhook %s", d.WebhookID)
		}
		out[d.WebhookID] = d
	}
	return out
}

// record builds an ingest queue message as EventBridge's SQS target would.
func record(t testing.TB, messageID string, r bus.Record) events.SQSMessage {
	t.Helper()
	if r.Version == "" {
		r.Version, r.Source, r.Account, r.Region, r.Resources = "0", "com.example.producer", "123456789012", "us-east-1", []string{}
	}
	body, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return events.SQSMessage{MessageId: messageID, Body: string(body)}
}
