package fanout

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/healthnotice"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// An endpoint disabled for failing keeps its events (deliver parks them),
// but not the notices about its own health: they are for the
// organization's other endpoints, and a parked endpoint would only have
// them skipped in its attempt log.
func TestParkedEndpointGetsItsEventsButNoHealthNotices(t *testing.T) {
	t.Parallel() // its own emulators
	known := append(slices.Clone(testCatalog), healthnotice.Disabled, healthnotice.Enabled)
	e := newEnv(t, known)
	now := time.Now().UTC()
	parked := webhook.Webhook{
		ID: ids.New(ids.WebhookPrefix), OrgID: "org_a", Name: "parked", URL: "https://example.com/parked",
		EventTypes: []string{webhook.AllEvents}, AllEvents: true,
		DisabledReason: webhook.DisabledFailing, DisabledAt: now, CreatedAt: now, UpdatedAt: now,
	}
	if err := e.store.Create(e.ctx, parked, 1_000_000); err != nil {
		t.Fatal(err)
	}
	watcher := e.webhook(t, "org_a", true, healthnotice.Disabled, healthnotice.Enabled, "emailClick")

	for _, name := range []string{healthnotice.Disabled, healthnotice.Enabled, "emailClick"} {
		if _, err := e.pub.Publish(e.ctx, "org_a", name, json.RawMessage(`{}`), ""); err != nil {
			t.Fatal(err)
		}
	}
	e.handle(t, e.drain(t, e.ingest, 3)...)

	got := map[string][]string{}
	for _, m := range e.drain(t, e.delivery, 4) {
		d, err := message.Decode(m.Body)
		if err != nil {
			t.Fatalf("delivery message %s: %v", m.Body, err)
		}
		got[d.WebhookID] = append(got[d.WebhookID], d.EventName)
	}
	for wh := range got {
		slices.Sort(got[wh])
	}
	want := map[string][]string{
		parked.ID: {"emailClick"},
		watcher:   {"emailClick", healthnotice.Disabled, healthnotice.Enabled},
	}
	if !maps.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Fatalf("deliveries by webhook %v, want %v", got, want)
	}
}

// An endpoint enabled again is the subject of the webhook.enabled notice,
// not one of its readers: the notice goes to the organization's other
// endpoints.
func TestHealthNoticesSkipTheEndpointTheyAreAbout(t *testing.T) {
	t.Parallel() // its own emulators
	e := newEnv(t, append(slices.Clone(testCatalog), healthnotice.Disabled, healthnotice.Enabled))
	subject := e.webhook(t, "org_a", true, "*")
	other := e.webhook(t, "org_a", true, "*")
	for _, name := range []string{healthnotice.Enabled, healthnotice.Disabled} {
		data := json.RawMessage(`{"webhook_id":"` + subject + `","name":"hook","reason":"recovered"}`)
		if _, err := e.pub.Publish(e.ctx, "org_a", name, data, ""); err != nil {
			t.Fatal(err)
		}
	}
	e.handle(t, e.drain(t, e.ingest, 2)...)
	for _, m := range e.drain(t, e.delivery, 2) {
		if d, err := message.Decode(m.Body); err != nil || d.WebhookID != other {
			t.Fatalf("a notice about %s went to %s (%v), want only %s", subject, d.WebhookID, err, other)
		}
	}
}
