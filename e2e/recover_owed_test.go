package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/testenv"
)

// On the local stack: the admin API's redrive dry run says which letters
// would only be parked again (their endpoint is disabled for failing), and
// a recover right after another endpoint's of the same organization (whose
// dead letters are read at most once per 30 s) leaves its endpoint enabled
// with dead_letters_from on its GET, so a later visit still offers Recover.
func TestRecoverSkippedByTheThrottleOwesTheDeadLetters(t *testing.T) {
	t.Parallel()
	s, tn, operator := healthStack(t, "owed")
	down := newReceiver(t, func(int, *http.Request, []byte) answer { return status(http.StatusBadRequest) })
	a := tn.createWebhook(down.url("/a"), "emailClick")
	b := tn.createWebhook(down.url("/b"), "emailClick")
	since := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)

	// Each event fails at both: three failures spanning the period disable both.
	tn.publish("emailClick", clickData)
	for _, id := range []string{a.ID, b.ID} {
		tn.awaitHealth(id, "the first failure", func(w webhookHealth) bool { return w.Health.ConsecutiveFailures == 1 })
	}
	// Each endpoint's period counts from its own first failure: wait out
	// the later one's.
	start := *tn.webhookHealth(a.ID).Health.FailingSince
	if bStart := *tn.webhookHealth(b.ID).Health.FailingSince; bStart.After(start) {
		start = bStart
	}
	testenv.WaitFor(t, patience, "the auto-disable period to pass", func() bool { return time.Since(start) > healthPeriod })
	tn.publish("emailClick", clickData)
	tn.publish("emailClick", clickData)
	for _, id := range []string{a.ID, b.ID} {
		tn.awaitHealth(id, "disabled for failing", func(w webhookHealth) bool { return !w.Enabled && w.DisabledReason == "failing" })
		testenv.WaitFor(t, patience, "3 dead letters of "+id, func() bool { return len(tn.deadLetters(operator, id)) == 3 })
	}

	var dry struct {
		Parked         int      `json:"parked"`
		ParkedWebhooks []string `json:"parked_webhooks"`
	}
	body, _ := json.Marshal(map[string]any{"webhook_id": a.ID, "dry_run": true})
	req, _ := http.NewRequest(http.MethodPost, s.API+"/api/v1/admin/dlq/redrive", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+operator)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(res.Body).Decode(&dry)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || dry.Parked != 3 || len(dry.ParkedWebhooks) != 1 || dry.ParkedWebhooks[0] != a.ID {
		t.Fatalf("redrive dry run: %s, %+v, %v; want 3 parked for %s", res.Status, dry, err, a.ID)
	}

	var rec struct {
		Enabled    bool `json:"enabled"`
		Incomplete bool `json:"dead_letters_incomplete"`
	}
	tn.mustCall(http.MethodPost, "/api/v1/organization/webhooks/"+a.ID+"/recover", map[string]any{"since": since.Format(time.RFC3339)}, http.StatusAccepted, &rec)
	if !rec.Enabled || rec.Incomplete {
		t.Fatalf("first recover: %+v", rec)
	}
	tn.mustCall(http.MethodPost, "/api/v1/organization/webhooks/"+b.ID+"/recover", map[string]any{"since": since.Format(time.RFC3339)}, http.StatusAccepted, &rec)
	if !rec.Enabled || !rec.Incomplete {
		t.Fatalf("recover right after another's: %+v, want enabled with its dead letters not read", rec)
	}
	var got struct {
		Enabled         bool   `json:"enabled"`
		DeadLettersFrom string `json:"dead_letters_from"`
	}
	tn.mustCall(http.MethodGet, "/api/v1/organization/webhooks/"+b.ID, nil, http.StatusOK, &got)
	if !got.Enabled || got.DeadLettersFrom != since.Format(time.RFC3339) {
		t.Fatalf("the second endpoint after its recover: %+v, want dead_letters_from %s", got, since.Format(time.RFC3339))
	}
}
