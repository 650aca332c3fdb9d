package dynamo_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/envelope"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// TestSealedSecretsAloneAreNoWebhook: the envelope store writes a new
// webhook's sealed secrets on its key before the webhook, and a create
// that fails after that leaves them there. Every write to an existing
// webhook finds no webhook there (a delete would otherwise give back a
// slot it never took), and the sealed secrets stay for the store to clean.
func TestSealedSecretsAloneAreNoWebhook(t *testing.T) {
	db, table := testenv.Table(t)
	ctx := context.Background()
	store := dynamo.NewWebhookStore(db, table)
	sealed := dynamo.NewSealedItems(db, table)
	const org, id = "org_sealed", "wh_01JSEALEDONLY0000000000000"
	want := envelope.Sealed{DataKey: []byte("key"), Box: []byte("box")}
	if err := sealed.CreateSealed(ctx, org, id, want); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	writes := map[string]func() error{
		"Update": func() error {
			w := webhook.Webhook{ID: id, OrgID: org, Name: "h", URL: "https://example.com/h", AllEvents: true, Enabled: true, UpdatedAt: now}
			return store.Update(ctx, w, w)
		},
		"BumpSecretVersion": func() error { return store.BumpSecretVersion(ctx, org, id, now, "rot_1") },
		"RecordFailure":     func() error { _, err := store.RecordFailure(ctx, org, id, now, now); return err },
		"Delete":            func() error { return store.Delete(ctx, org, id) },
	}
	for name, write := range writes {
		if err := write(); !errors.Is(err, webhook.ErrNotFound) {
			t.Errorf("%s on sealed secrets alone: %v, want webhook.ErrNotFound", name, err)
		}
	}
	got, err := sealed.GetSealed(ctx, org, id)
	if err != nil || !bytes.Equal(got.DataKey, want.DataKey) || !bytes.Equal(got.Box, want.Box) {
		t.Errorf("sealed secrets after the refused writes: %+v, %v; want them kept", got, err)
	}
}
