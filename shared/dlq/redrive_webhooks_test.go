package dlq

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// countingWebhooks counts the webhook reads a redrive makes.
type countingWebhooks struct {
	WebhookReader
	mu    sync.Mutex
	reads map[string]int
}

func (c *countingWebhooks) Get(ctx context.Context, orgID, id string) (webhook.Webhook, error) {
	c.mu.Lock()
	c.reads[orgID+"/"+id]++
	c.mu.Unlock()
	return c.WebhookReader.Get(ctx, orgID, id)
}

// webhooksFixture stores org_a's wh_orga0 disabled for failing, org_b's
// wh_orgb1 disabled by its tenant, org_b's wh_orgb0 subscribed to
// emailOpen alone (the letters are emailClick's) and org_a's wh_orga1
// enabled for every event; org_c's webhooks are deleted (never stored).
func webhooksFixture(t *testing.T, f *fixture) *countingWebhooks {
	t.Helper()
	db, table := f.tableOf(t)
	store := dynamo.NewWebhookStore(db, table)
	for _, id := range []struct{ org, id string }{{"org_a", "wh_orga0"}, {"org_a", "wh_orga1"}, {"org_b", "wh_orgb0"}, {"org_b", "wh_orgb1"}} {
		w := webhook.Webhook{ID: id.id, OrgID: id.org, URL: "https://example.com/hook", AllEvents: true, EventTypes: []string{webhook.AllEvents},
			Enabled: true, CreatedAt: f.base, UpdatedAt: f.base}
		if id.id == "wh_orga0" {
			w.Enabled, w.DisabledReason, w.DisabledAt = false, webhook.DisabledFailing, f.base
		}
		if id.id == "wh_orgb1" {
			w.Enabled = false
		}
		if id.id == "wh_orgb0" {
			w.AllEvents, w.EventTypes = false, []string{"emailOpen"}
		}
		if err := store.Create(context.Background(), w, 100); err != nil {
			t.Fatal(err)
		}
	}
	return &countingWebhooks{WebhookReader: store, reads: map[string]int{}}
}

// The report says which letters went to an endpoint that parks them, which
// to one its tenant disabled (delivery skips them) and which to deleted
// webhooks, reading each webhook once per run. Those are sent all the same
// (deleting them unsent threw away live letters when
// the webhooks were read from the wrong table; a tenant may enable its
// endpoint before they arrive).
func TestRedriveReportsParkedDisabledAndDeletedWebhooks(t *testing.T) {
	f := newFixture(t, 60)
	idx := f.withIndex(t)
	hooks := webhooksFixture(t, f)
	ops := f.ops(nil)
	ops.Webhooks = hooks
	ctx := context.Background()
	valid := func(s seed) bool { return s.webhook != "" }
	parked := len(f.bodies(func(s seed) bool { return s.webhook == "wh_orga0" }))
	disabled := len(f.bodies(func(s seed) bool { return s.webhook == "wh_orgb1" }))
	unsubscribed := len(f.bodies(func(s seed) bool { return s.webhook == "wh_orgb0" }))
	deleted := f.bodies(func(s seed) bool { return valid(s) && s.org == "org_c" })
	sent := f.bodies(valid)
	if parked == 0 || disabled == 0 || unsubscribed == 0 || len(deleted) == 0 {
		t.Fatal("fixture: no letters for the disabled or the deleted webhooks")
	}
	check := func(what string, res Result, redriven int) {
		t.Helper()
		for _, c := range []struct {
			field        string
			n, want      int
			ids, wantIDs []string
		}{
			{"parked", res.Parked, parked, res.ParkedWebhooks, []string{"wh_orga0"}},
			{"webhook_disabled", res.WebhookDisabled, disabled, res.DisabledWebhooks, []string{"wh_orgb1"}},
			{"unsubscribed", res.Unsubscribed, unsubscribed, res.UnsubscribedWebhooks, []string{"wh_orgb0"}},
			{"webhook_deleted", res.WebhookDeleted, len(deleted), res.DeletedWebhooks, []string{"wh_orgc0", "wh_orgc1"}},
		} {
			if c.n != c.want || !slices.Equal(c.ids, c.wantIDs) {
				t.Errorf("%s: %s %d %v, want %d %v", what, c.field, c.n, c.ids, c.want, c.wantIDs)
			}
		}
		if res.Redriven != redriven {
			t.Errorf("%s: redriven %d, want %d", what, res.Redriven, redriven)
		}
		for key, n := range hooks.reads {
			if n != 1 {
				t.Errorf("%s: webhook %s read %d times, want once", what, key, n)
			}
		}
		if len(hooks.reads) != 6 {
			t.Errorf("%s: %d webhooks read, want the 6 selected", what, len(hooks.reads))
		}
		hooks.reads = map[string]int{}
	}

	dry, err := ops.Redrive(ctx, Filter{}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	check("dry run", dry, len(sent))
	if dry.Eligible-dry.Closed != len(sent) {
		t.Errorf("dry run would redrive %d, want %d", dry.Eligible-dry.Closed, len(sent))
	}

	res, err := ops.Redrive(ctx, Filter{}, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	check("run", res, len(sent))
	sameSet(t, "delivery queue", count(drain(t, f.q, f.deliveryURL)), sent)
	sameSet(t, "DLQ", count(drain(t, f.q, f.dlqURL)), f.bodies(func(s seed) bool { return !valid(s) }))
	for _, s := range f.seeds {
		if s.dead == nil || s.org != "org_c" {
			continue
		}
		state, err := idx.State(ctx, s.dead.Ref())
		if err != nil || state.By != deliverylog.ClosedByRedrive {
			t.Errorf("index item of %s: %+v, %v, want closed by the redrive", s.deliveryID, state, err)
		}
	}
}

// Without a webhook reader (the CLI without a table) nothing is read and
// every letter is sent, as before.
func TestRedriveWithoutWebhooksSendsEverything(t *testing.T) {
	f := newFixture(t, 15)
	res, err := f.ops(nil).Redrive(context.Background(), Filter{}, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := f.bodies(func(s seed) bool { return s.webhook != "" })
	if res.Redriven != len(want) || res.Parked != 0 || res.WebhookDisabled != 0 || res.Unsubscribed != 0 || res.WebhookDeleted != 0 {
		t.Fatalf("result %+v, want %d redriven", res, len(want))
	}
}

// The admin API answers the same counts, under the names its document
// gives them.
func TestAdminRedriveAnswersParkedDisabledAndDeletedWebhooks(t *testing.T) {
	f := newFixture(t, 15)
	ops := f.ops(nil)
	ops.Webhooks = webhooksFixture(t, f)
	h := NewAdminHandler(ops)
	parked := len(f.bodies(func(s seed) bool { return s.webhook == "wh_orga0" }))
	disabled := len(f.bodies(func(s seed) bool { return s.webhook == "wh_orgb1" }))
	unsubscribed := len(f.bodies(func(s seed) bool { return s.webhook == "wh_orgb0" }))
	deleted := len(f.bodies(func(s seed) bool { return s.webhook != "" && s.org == "org_c" }))
	for _, dry := range []string{"true", "false"} {
		status, body := call(t, h, "POST", "/api/v1/admin/dlq/redrive", `{"all":true,"dry_run":`+dry+`}`)
		if status != 200 || body["parked"] != float64(parked) || body["webhook_disabled"] != float64(disabled) || body["webhook_deleted"] != float64(deleted) ||
			body["unsubscribed"] != float64(unsubscribed) || !slices.Equal(stringsOf(body["unsubscribed_webhooks"]), []string{"wh_orgb0"}) ||
			!slices.Equal(stringsOf(body["parked_webhooks"]), []string{"wh_orga0"}) || !slices.Equal(stringsOf(body["disabled_webhooks"]), []string{"wh_orgb1"}) ||
			!slices.Equal(stringsOf(body["deleted_webhooks"]), []string{"wh_orgc0", "wh_orgc1"}) {
			t.Errorf("redrive, dry_run %s: %d %v, want %d parked, %d of disabled and %d of deleted webhooks", dry, status, body, parked, disabled, deleted)
		}
	}
}

func stringsOf(v any) []string {
	var out []string
	vs, _ := v.([]any)
	for _, s := range vs {
		str, _ := s.(string)
		out = append(out, str)
	}
	return out
}

// A listing and show mark the letters of a webhook disabled for failing,
// of one its tenant disabled and of a deleted one, reading each webhook
// once per page.
func TestListAndShowMarkParkedDisabledAndDeletedWebhooks(t *testing.T) {
	f := newFixture(t, 15)
	hooks := webhooksFixture(t, f)
	ops := f.ops(nil)
	ops.Webhooks = hooks
	ctx := context.Background()
	want := map[string]string{"wh_orga0": WebhookDisabledFailing, "wh_orgb1": WebhookDisabled, "wh_orgb0": WebhookUnsubscribed, "wh_orgc0": WebhookDeleted, "wh_orgc1": WebhookDeleted}
	page, err := ops.List(ctx, Filter{}, MaxPageLimit, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Entries {
		if e.Delivery != nil && e.WebhookState != want[e.Delivery.WebhookID] {
			t.Errorf("listed %s of %s: webhook_state %q, want %q", e.MessageID, e.Delivery.WebhookID, e.WebhookState, want[e.Delivery.WebhookID])
		}
	}
	for key, n := range hooks.reads {
		if n != 1 {
			t.Errorf("webhook %s read %d times for one page, want once", key, n)
		}
	}
	for _, s := range f.seeds {
		if s.webhook != "wh_orgc0" && s.webhook != "wh_orgb1" && s.webhook != "wh_orgb0" {
			continue
		}
		e, err := ops.Show(ctx, s.deliveryID)
		if err != nil || e.WebhookState != want[s.webhook] {
			t.Errorf("show %s: %q, %v, want %q", s.deliveryID, e.WebhookState, err, want[s.webhook])
		}
	}
}
