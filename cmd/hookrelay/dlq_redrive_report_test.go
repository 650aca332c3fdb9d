package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// A redrive to an endpoint disabled for failing delivers nothing (the
// letters are parked), one to an endpoint its tenant disabled nothing
// unless the tenant enables it first (delivery skips them), and one to a
// deleted webhook or one no longer subscribed to the event nothing either
// (delivery drops or skips them): the report says so, and names the
// webhooks.
func TestRedriveResultSaysParkedDisabledAndDeleted(t *testing.T) {
	var b bytes.Buffer
	writeRedriveResult(&b, dlq.Result{Matched: 9, Eligible: 9, Redriven: 9, Parked: 4, ParkedWebhooks: []string{"wh_a", "wh_d"},
		WebhookDeleted: 2, DeletedWebhooks: []string{"wh_b", "wh_c"}, WebhookDisabled: 3, DisabledWebhooks: []string{"wh_e", "wh_f"},
		Unsubscribed: 2, UnsubscribedWebhooks: []string{"wh_g", "wh_h"}})
	want := "redriven 9 of 9 matching dead letters\n" +
		"4 of them went to endpoints disabled for failing (webhooks wh_a, wh_d), which park deliveries until their tenants recover: nothing was delivered; " +
		"tell the tenants (only their recover sends them; parked deliveries expire after parkedTtl)\n" +
		"2 of them went to deleted webhooks (wh_b, wh_c), which delivery drops: nothing was delivered (a purge does the same)\n" +
		"3 of them went to endpoints their tenants disabled (webhooks wh_e, wh_f), which delivery skips unless the tenants enable them first: nothing was delivered\n" +
		"2 of them went to webhooks no longer subscribed to their events (wh_g, wh_h), which delivery skips: nothing was delivered\n"
	if b.String() != want {
		t.Errorf("redrive:\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	writeRedriveResult(&b, dlq.Result{DryRun: true, Matched: 4, Eligible: 4, Parked: 1, ParkedWebhooks: []string{"wh_a"},
		WebhookDeleted: 1, DeletedWebhooks: []string{"wh_b"}, WebhookDisabled: 2, DisabledWebhooks: []string{"wh_c"},
		Unsubscribed: 1, UnsubscribedWebhooks: []string{"wh_d"}})
	want = "dry run: 4 dead letters match, 4 would be redriven\n" +
		"1 of them would go to an endpoint disabled for failing (webhook wh_a), which parks deliveries until its tenant recovers: nothing would be delivered; " +
		"tell the tenant (only their recover sends them; parked deliveries expire after parkedTtl)\n" +
		"1 of them would go to a deleted webhook (wh_b), which delivery drops: nothing would be delivered (a purge does the same)\n" +
		"2 of them would go to an endpoint its tenant disabled (webhook wh_c), which delivery skips unless the tenant enables it first: nothing would be delivered\n" +
		"1 of them would go to a webhook no longer subscribed to their event (wh_d), which delivery skips: nothing would be delivered\n"
	if b.String() != want {
		t.Errorf("dry run:\n%s\nwant\n%s", b.String(), want)
	}
}

// The CLI reads the webhooks from the table: against a local stack, a
// redrive of a disabled-for-failing endpoint's letters, a tenant-disabled
// one's and a deleted webhook's says what became of them.
func TestDLQRedriveReadsTheWebhooks(t *testing.T) {
	l := newLocalDLQ(t)
	db, table := l.withTable(t, l.endpoint)
	storeWebhook(t, db, table, "wh_failing", false, webhook.DisabledFailing)
	storeWebhook(t, db, table, "wh_off", false, "")
	l.deadLetter(t, "dlv_1", "wh_failing")
	l.deadLetter(t, "dlv_2", "wh_gone")
	l.deadLetter(t, "dlv_3", "wh_off")

	out, _, err := runDLQ(t, "ls")
	if err != nil || !strings.Contains(out, "wh_failing (disabled: failing)") || !strings.Contains(out, "wh_gone (deleted)") ||
		!strings.Contains(out, "wh_off (disabled)") {
		t.Fatalf("ls: %v\n%s", err, out)
	}
	out, _, err = runDLQ(t, "show", "dlv_2")
	if err != nil || !strings.Contains(out, "wh_gone (deleted: a redrive only has delivery drop it; purge it)") {
		t.Fatalf("show: %v\n%s", err, out)
	}
	out, _, err = runDLQ(t, "show", "dlv_3")
	if err != nil || !strings.Contains(out, "wh_off (disabled by its tenant: a redrive only has delivery skip it, unless the tenant enables it first)") {
		t.Fatalf("show: %v\n%s", err, out)
	}
	out, _, err = runDLQ(t, "redrive", "--all", "--dry-run")
	if err != nil || !strings.Contains(out, "dry run: 3 dead letters match, 3 would be redriven\n") ||
		!strings.Contains(out, "1 of them would go to an endpoint disabled for failing (webhook wh_failing)") ||
		!strings.Contains(out, "1 of them would go to a deleted webhook (wh_gone), which delivery drops") ||
		!strings.Contains(out, "1 of them would go to an endpoint its tenant disabled (webhook wh_off), which delivery skips") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	out, _, err = runDLQ(t, "redrive", "--all")
	if err != nil || !strings.Contains(out, "redriven 3 of 3 matching dead letters\n1 of them went to an endpoint disabled for failing (webhook wh_failing)") ||
		!strings.Contains(out, "1 of them went to a deleted webhook (wh_gone), which delivery drops") ||
		!strings.Contains(out, "1 of them went to an endpoint its tenant disabled (webhook wh_off), which delivery skips") {
		t.Fatalf("redrive: %v\n%s", err, out)
	}
	if msgs, err := l.q.ReceiveOnce(context.Background(), l.deliveryURL, 10, 0, 0); err != nil || len(msgs) != 3 {
		t.Fatalf("delivery queue: %d messages, %v; want all 3: a redrive throws no letter away", len(msgs), err)
	}
}

// storeWebhook stores org_abc's webhook id (the one deadLetter's letters
// go to), enabled, or disabled for reason ("" when its tenant disabled it).
func storeWebhook(t *testing.T, db *dynamodb.Client, table, id string, enabled bool, reason string) {
	t.Helper()
	now := time.Now().UTC()
	w := webhook.Webhook{ID: id, OrgID: "org_abc", URL: "https://example.com/h", AllEvents: true, EventTypes: []string{webhook.AllEvents},
		Enabled: enabled, CreatedAt: now, UpdatedAt: now, DisabledReason: reason}
	if reason != "" {
		w.DisabledAt = now
	}
	if err := dynamo.NewWebhookStore(db, table).Create(context.Background(), w, 10); err != nil {
		t.Fatal(err)
	}
}
