package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// Recover pressed on a failing, still enabled endpoint from its run's
// start: the first redriven dead letter delivered is the success that
// ends the run, which must not then be kept as last_failure_run, since
// README shows it only until a recover from its start completes. A failure
// recorded after the recover is not one it sent:
// the run is kept then.
func TestRecoverOfFailingEnabledEndpointLeavesNoLastRun(t *testing.T) {
	t.Parallel()
	he := newHealthEnv(t)
	tok := he.token("org_abc")
	ctx := context.Background()
	start := time.Now().Add(-3 * time.Hour).UTC().Truncate(time.Second)
	failingRecovered := func(t *testing.T) string {
		t.Helper()
		id := he.create(tok, createBody("failing", "emailOpen")).ID
		for range 2 {
			if _, err := he.health.RecordFailure(ctx, "org_abc", id, start, start); err != nil {
				t.Fatal(err)
			}
		}
		res := he.do(http.MethodPost, webhooksPath+"/"+id+"/recover", tok, map[string]any{"since": start.Format(time.RFC3339)})
		if res.status != http.StatusAccepted {
			t.Fatalf("recover: %d %s", res.status, res.body)
		}
		return id
	}
	lastRun := func(t *testing.T, id string) any {
		t.Helper()
		health, _ := he.get(t, tok, id)["health"].(map[string]any)
		return health["last_failure_run"]
	}

	id := failingRecovered(t)
	// The deliver function records the redriven dead letter's success.
	if err := he.health.RecordRecovery(ctx, "org_abc", id, time.Now()); err != nil {
		t.Fatal(err)
	}
	if lr := lastRun(t, id); lr != nil {
		t.Fatalf("after a completed recover from the run's start (%s), last_failure_run %v is shown", start.Format(time.RFC3339), lr)
	}

	id = failingRecovered(t)
	if _, err := he.health.RecordFailure(ctx, "org_abc", id, start, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := he.health.RecordRecovery(ctx, "org_abc", id, time.Now()); err != nil {
		t.Fatal(err)
	}
	if lr := lastRun(t, id); lr == nil {
		t.Fatal("a failure recorded after the recover: no last_failure_run offers its dead letter")
	}
}
