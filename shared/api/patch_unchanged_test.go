package api_test

import (
	"net/http"
	"testing"
)

// A PATCH that changes nothing ({}, or the values the webhook has) leaves
// updated_at at the last change; one that changes a field moves it.
func TestPatchWithoutAChangeKeepsUpdatedAt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_abc")
	created := e.create(tok, createBody("orders", "emailOpen"))
	path := webhooksPath + "/" + created.ID
	for _, body := range []map[string]any{
		{}, {"name": "orders"}, {"event_types": []string{"emailOpen"}, "enabled": true}, {"all_events": false},
	} {
		res := e.do(http.MethodPatch, path, tok, body)
		if res.status != http.StatusOK {
			t.Fatalf("PATCH %v: %d %s", body, res.status, res.body)
		}
		if got := res.webhook(t); !got.UpdatedAt.Equal(created.UpdatedAt) {
			t.Errorf("PATCH %v changed nothing but moved updated_at from %s to %s", body, created.UpdatedAt, got.UpdatedAt)
		}
	}
	if got := e.do(http.MethodGet, path, tok, nil).webhook(t); !got.UpdatedAt.Equal(created.UpdatedAt) {
		t.Errorf("stored updated_at %s, want %s", got.UpdatedAt, created.UpdatedAt)
	}
	renamed := e.do(http.MethodPatch, path, tok, map[string]any{"name": "orders v2"}).webhook(t)
	if renamed.Name != "orders v2" || !renamed.UpdatedAt.After(created.UpdatedAt) {
		t.Errorf("a rename: name %q, updated_at %s (created %s)", renamed.Name, renamed.UpdatedAt, created.UpdatedAt)
	}
}
