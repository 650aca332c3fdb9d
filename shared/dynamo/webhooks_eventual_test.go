package dynamo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/awsmeter"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// Delivery's webhook reads cost half a read unit; a webhook not found is
// read again consistently before it counts as gone.
func TestEventuallyConsistentGet(t *testing.T) {
	ctx := context.Background()
	db, m := testenv.MeteredDynamo(t)
	if err := dynamo.EnsureTable(ctx, db, "eventual"); err != nil {
		t.Fatal(err)
	}
	store := dynamo.NewWebhookStore(db, "eventual")
	createHook(t, store, testHook("org_a", "wh_1", time.Now()))
	eventual := store.EventuallyConsistent()
	get := awsmeter.Op{Service: "DynamoDB", Operation: "GetItem"}

	before := m.Snapshot()
	if got, err := eventual.Get(ctx, "org_a", "wh_1"); err != nil || got.ID != "wh_1" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if d := m.Snapshot().Sub(before); d.Calls[get] != 1 || d.ReadUnits != 0.5 {
		t.Errorf("existing webhook: %d reads, %v units; want one eventually consistent read (0.5)", d.Calls[get], d.ReadUnits)
	}
	before = m.Snapshot()
	if _, err := eventual.Get(ctx, "org_a", "wh_missing"); !errors.Is(err, webhook.ErrNotFound) {
		t.Fatalf("missing webhook: %v", err)
	}
	if d := m.Snapshot().Sub(before); d.Calls[get] != 2 || d.ReadUnits != 1.5 {
		t.Errorf("missing webhook: %d reads, %v units; want an eventual then a consistent read (0.5 + 1)", d.Calls[get], d.ReadUnits)
	}
	before = m.Snapshot()
	if _, err := store.Get(ctx, "org_a", "wh_1"); err != nil {
		t.Fatal(err)
	}
	if d := m.Snapshot().Sub(before); d.Calls[get] != 1 || d.ReadUnits != 1 {
		t.Errorf("the API's store: %d reads, %v units; want one consistent read", d.Calls[get], d.ReadUnits)
	}
}

// Fan-out's subscription query reads consistently (a whole read unit for
// a small partition, not half): it alone decides whether an accepted event
// reaches a webhook, so one created, enabled or subscribed just before the
// publish must be in it.
func TestSubscriptionQueryIsConsistent(t *testing.T) {
	ctx := context.Background()
	db, m := testenv.MeteredDynamo(t)
	if err := dynamo.EnsureTable(ctx, db, "subsconsistent"); err != nil {
		t.Fatal(err)
	}
	store := dynamo.NewWebhookStore(db, "subsconsistent")
	createHook(t, store, testHook("org_a", "wh_1", time.Now()))
	query := awsmeter.Op{Service: "DynamoDB", Operation: "Query"}
	for _, s := range []*dynamo.WebhookStore{store, store.EventuallyConsistent()} {
		before := m.Snapshot()
		found := 0
		if err := s.ForEachSubscribed(ctx, "org_a", "emailOpen", func(p []webhook.Webhook) error { found += len(p); return nil }); err != nil {
			t.Fatal(err)
		}
		if d := m.Snapshot().Sub(before); found != 1 || d.Calls[query] != 1 || d.ReadUnits != 1 {
			t.Errorf("found %d webhooks in %d queries, %v read units; want 1 in one consistent query (1 unit)", found, d.Calls[query], d.ReadUnits)
		}
	}
}
