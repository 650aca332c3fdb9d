package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
)

// A failure run that a success ended is shown as health.last_failure_run
// (get and list) until a recover from its start or earlier, or until the
// DLQ's retention after its end, when its dead letters are gone (the portal
// offers Recover for it).
func TestLastFailureRunShownUntilRecovered(t *testing.T) {
	t.Parallel()
	he := newHealthEnv(t)
	tok := he.token("org_abc")
	ctx := context.Background()
	// endRun records n failures from start and the success that ends them at end.
	endRun := func(id string, start time.Time, n int, end time.Time) {
		t.Helper()
		for range n {
			if _, err := he.health.RecordFailure(ctx, "org_abc", id, start, start); err != nil {
				t.Fatal(err)
			}
		}
		if err := he.health.RecordRecovery(ctx, "org_abc", id, end); err != nil {
			t.Fatal(err)
		}
	}
	lastRun := func(id string) (got, listed any) {
		t.Helper()
		health, _ := he.get(t, tok, id)["health"].(map[string]any)
		for _, v := range he.do(http.MethodGet, webhooksPath, tok, nil).json(t)["data"].([]any) {
			if w := v.(map[string]any); w["id"] == id {
				listed = w["health"].(map[string]any)["last_failure_run"]
			}
		}
		return health["last_failure_run"], listed
	}
	recoverFrom := func(id string, from time.Time) {
		t.Helper()
		res := he.do(http.MethodPost, webhooksPath+"/"+id+"/recover", tok, map[string]any{"since": from.Format(time.RFC3339)})
		if res.status != http.StatusAccepted {
			t.Fatalf("recover: %d %s", res.status, res.body)
		}
	}

	id := he.create(tok, createBody("fixed", "emailOpen")).ID
	if got, listed := lastRun(id); got != nil || listed != nil {
		t.Fatalf("a new webhook shows last_failure_run %v / %v", got, listed)
	}
	start := time.Now().Add(-3 * time.Hour).UTC().Truncate(time.Second)
	end := start.Add(2 * time.Hour)
	endRun(id, start, 2, end)
	want := map[string]any{"failing_since": start.Format(time.RFC3339), "ended_at": end.Format(time.RFC3339), "failures": float64(2)}
	got, listed := lastRun(id)
	for where, v := range map[string]any{"get": got, "list": listed} {
		m, _ := v.(map[string]any)
		if len(m) != len(want) || m["failing_since"] != want["failing_since"] || m["ended_at"] != want["ended_at"] || m["failures"] != want["failures"] {
			t.Fatalf("%s: last_failure_run %v, want %v", where, v, want)
		}
	}
	recoverFrom(id, start.Add(time.Second)) // misses the run's first dead letters
	if got, _ := lastRun(id); got == nil {
		t.Fatal("a recover from after the run's start cleared last_failure_run")
	}
	recoverFrom(id, start)
	if got, listed := lastRun(id); got != nil || listed != nil {
		t.Fatalf("after a recover from the run's start: last_failure_run %v / %v", got, listed)
	}

	// A run that ended more than the DLQ's retention ago has nothing left to recover.
	old := he.create(tok, createBody("old", "emailOpen")).ID
	oldEnd := time.Now().Add(-config.DLQRetention - time.Minute)
	endRun(old, oldEnd.Add(-time.Hour), 1, oldEnd)
	if got, listed := lastRun(old); got != nil || listed != nil {
		t.Fatalf("a run that ended %v ago: last_failure_run %v / %v", time.Since(oldEnd), got, listed)
	}
}
