package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
)

func runRecover(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := newWebhooksCmd()
	cmd.SetArgs(append([]string{"recover"}, args...))
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	err := cmd.Execute()
	return out.String(), err
}

// TestRecoverAgainstTheLocalStack enables a disabled webhook through the
// command, as a developer would against make dev.
func TestRecoverAgainstTheLocalStack(t *testing.T) {
	s := startDevStack(t, nil)
	t.Setenv(config.EnvAddr, strings.TrimPrefix(s.API, "http://"))
	tok, err := devToken(s.Config, "org_cli", false, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	api := apiTarget{apiURL: s.API, token: tok}
	var hook struct {
		ID      string `json:"id"`
		Enabled bool   `json:"enabled"`
	}
	if err := api.call(context.Background(), http.MethodPost, "/api/v1/organization/webhooks", map[string]any{
		"name": "cli", "url": "https://example.com/hooks", "event_types": []string{"emailClick"}, "enabled": false,
	}, http.StatusCreated, &hook); err != nil {
		t.Fatal(err)
	}

	out, err := runRecover(t, hook.ID, "--since", "24h", "--org", "org_cli")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "enabled "+hook.ID) || !strings.Contains(out, "queued 0 deliveries (0 dead-lettered, 0 parked)") {
		t.Fatalf("output %q", out)
	}
	var got json.RawMessage
	if err := api.call(context.Background(), http.MethodGet, "/api/v1/organization/webhooks/"+hook.ID, nil, http.StatusOK, &got); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), `"enabled":true`) {
		t.Fatalf("webhook after recover: %s", got)
	}
	// Another org's webhook is not found, and says so.
	if _, err := runRecover(t, hook.ID, "--since", "1h", "--org", "org_other"); err == nil || !strings.Contains(err.Error(), "not_found") {
		t.Fatalf("another org: %v", err)
	}
}

func TestRecoverRefusesBadArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"wh_01jd3k4m5n6p7q8r9s0t1v2w3x", "--org", "org_a"}, "--since is required"},
		{[]string{"wh_01jd3k4m5n6p7q8r9s0t1v2w3x", "--since", "yesterday", "--org", "org_a"}, "want a duration"},
		{[]string{"wh_01jd3k4m5n6p7q8r9s0t1v2w3x", "--since", "-2h", "--org", "org_a"}, "must be positive"},
		{[]string{"wh_01jd3k4m5n6p7q8r9s0t1v2w3x", "--since", "2999-01-01T00:00:00Z", "--org", "org_a"}, "in the future"},
		{[]string{"not-a-webhook", "--since", "1h", "--org", "org_a"}, "not a webhook id"},
		{[]string{"wh_01jd3k4m5n6p7q8r9s0t1v2w3x", "--since", "1h"}, "--org is required"},
		{[]string{"--since", "1h", "--org", "org_a"}, "missing WEBHOOK_ID"},
		{[]string{"wh_1", "wh_2", "--since", "1h", "--org", "org_a"}, "want one WEBHOOK_ID, got 2"},
	} {
		if _, err := runRecover(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}

// The hint for more uses the time this call resolved: the same relative
// --since, run later, would begin after the parked deliveries still held.
func TestRecoverSaysWhichSinceContinues(t *testing.T) {
	var out bytes.Buffer
	recovered{Queued: 1000, Parked: 1000, More: true}.write(&out, "wh_1", "2026-11-30T19:33:12Z")
	if !strings.Contains(out.String(), "run the command again with --since 2026-11-30T19:33:12Z") {
		t.Fatalf("output %q", out.String())
	}
}

// dead_letters_incomplete is most often the 30 s throttle (a recover just
// before searched the dead letters): the CLI says the search may be
// incomplete, not that something failed to be queued, and does not send
// the tenant to an operator for it.
func TestRecoverIncompleteDeadLettersIsNotAFailure(t *testing.T) {
	var out bytes.Buffer
	recovered{DeadLettersIncomplete: true}.write(&out, "wh_1", "2026-11-30T19:33:12Z")
	got := out.String()
	if strings.Contains(got, "could be queued") || strings.Contains(got, "could not") || strings.Contains(got, "operator") ||
		!strings.Contains(got, "run the command again in 30 s") {
		t.Fatalf("output %q", got)
	}
}
