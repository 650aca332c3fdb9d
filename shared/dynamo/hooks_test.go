package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// testHook is an enabled webhook of org subscribed to emailOpen, created at.
func testHook(org, id string, at time.Time) webhook.Webhook {
	return webhook.Webhook{ID: id, OrgID: org, Name: "h", URL: "https://example.com/h",
		EventTypes: []string{"emailOpen"}, Enabled: true, CreatedAt: at, UpdatedAt: at}
}

// createHook stores w, under a cap no test reaches.
func createHook(t *testing.T, store *dynamo.WebhookStore, w webhook.Webhook) webhook.Webhook {
	t.Helper()
	if err := store.Create(context.Background(), w, 100); err != nil {
		t.Fatalf("create %s: %v", w.ID, err)
	}
	return w
}
