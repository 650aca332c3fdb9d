package delivery

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// A 410 removes the webhook only while it is still what was POSTed to:
// its URL, not disabled by the tenant. A 410 from a URL the tenant moved
// the webhook away from (a POST in flight during the PATCH, or a copy in
// the 10 s cache) or that the tenant disabled since is retried without
// counting the attempt, and the next receive follows the webhook as it is
// now: the new URL, or a skip. Real dynalite store, cache and remover.
func TestGoneRemovesOnlyTheWebhookThatWasPOSTedTo(t *testing.T) {
	moveURL := func(w *webhook.Webhook, newURL string) { w.URL = newURL }
	disable := func(w *webhook.Webhook, _ string) { w.Enabled = false }
	cases := []struct {
		name     string
		inFlight bool // the tenant's change lands during the POST, not before it
		change   func(w *webhook.Webhook, newURL string)
		// what the message's next receive ends as; "" for a removal
		wantNext, wantClass string
	}{
		{"unchanged: removed", false, nil, "", ""},
		{"moved during the POST", true, moveURL, deliverylog.OutcomeDelivered, ""},
		{"moved, the old URL cached", false, moveURL, deliverylog.OutcomeDelivered, ""},
		{"disabled by the tenant, cached enabled", false, disable, deliverylog.OutcomeSkipped, ClassWebhookDisabled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, table := testenv.Table(t)
			store := dynamo.NewWebhookStore(db, table)
			ctx := context.Background()
			var newHits atomic.Int32
			newSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				newHits.Add(1)
			}))
			t.Cleanup(newSrv.Close)
			// tenantChange applies the case's PATCH through the store, as the API does.
			tenantChange := func() error {
				read, err := store.Get(ctx, "org_a", "wh_1")
				if err != nil {
					return err
				}
				w := read
				c.change(&w, newSrv.URL+"/hook")
				w.UpdatedAt = time.Now().UTC()
				return store.Update(ctx, read, w)
			}
			var oldStatus atomic.Int32
			oldStatus.Store(http.StatusOK)
			oldSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				status := int(oldStatus.Load())
				if status == http.StatusGone && c.inFlight {
					if err := tenantChange(); err != nil {
						t.Errorf("tenant's change during the POST: %v", err)
					}
				}
				w.WriteHeader(status)
			}))
			t.Cleanup(oldSrv.Close)

			now := time.Now().UTC()
			if err := store.Create(ctx, webhook.Webhook{ID: "wh_1", OrgID: "org_a", Name: "n", URL: oldSrv.URL + "/hook",
				AllEvents: true, EventTypes: []string{webhook.AllEvents}, Enabled: true, CreatedAt: now, UpdatedAt: now}, 100); err != nil {
				t.Fatal(err)
			}
			// As deployed: an eventually consistent read behind the 10 s cache.
			e := newEnv(t, testConfig(), func(d *Deps) {
				d.Webhooks = NewWebhookCache(store.EventuallyConsistent(), DefaultWebhookCacheTTL)
				d.Remover = WebhookRemover{Webhooks: store, Secrets: d.Remover.(WebhookRemover).Secrets}
			})
			// A delivery while the old host still answers caches the webhook.
			e.h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{sqsMessage(t, "org_a", "wh_1", "evt_0")}})
			if c.change != nil && !c.inFlight {
				if err := tenantChange(); err != nil {
					t.Fatal(err)
				}
			}
			oldStatus.Store(http.StatusGone) // the old host is decommissioned

			m := sqsMessage(t, "org_a", "wh_1", "evt_1")
			e.h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{m}})
			gone := e.attempts.list()[1]
			_, err := store.Get(ctx, "org_a", "wh_1")
			if c.change == nil {
				if gone.Outcome != deliverylog.OutcomeRemoved || !errors.Is(err, webhook.ErrNotFound) {
					t.Fatalf("410 from the webhook's own URL: %s, webhook read %v; want removed and deleted", gone.Outcome, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("a 410 from a URL the webhook no longer has (or a disabled one) touched it: %v", err)
			}
			if gone.Outcome != deliverylog.OutcomeRetrying || gone.StatusCode != http.StatusGone {
				t.Fatalf("the old URL's 410 recorded as %s %d, want retrying 410", gone.Outcome, gone.StatusCode)
			}
			vis := e.queue.visibility
			if len(vis) != 1 || vis[0].receipt != m.ReceiptHandle || vis[0].delay != 33*time.Second {
				t.Fatalf("visibility changes %+v, want the first step (30 s + 10 %% jitter) for %s", vis, m.ReceiptHandle)
			}

			m.Attributes = map[string]string{message.AttrReceiveCount: "2"}
			resp, _ := e.h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{m}})
			next := e.attempts.list()[2]
			if next.Outcome != c.wantNext || next.ErrorClass != c.wantClass || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("next receive: %s %q (failures %v), want %s %q", next.Outcome, next.ErrorClass, resp.BatchItemFailures, c.wantNext, c.wantClass)
			}
			// Not counted: the next receive is the same attempt, not the second.
			if next.Attempt != gone.Attempt {
				t.Fatalf("next receive is attempt %d after the uncounted 410's attempt %d", next.Attempt, gone.Attempt)
			}
			if c.wantNext == deliverylog.OutcomeDelivered && newHits.Load() != 1 {
				t.Fatalf("the new URL got %d POSTs, want 1", newHits.Load())
			}
		})
	}
}
