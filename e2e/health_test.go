package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/devauth"
	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// Endpoint health on the local stack: an endpoint answering 400 (a
// permanent failure: dead-lettered at once) is disabled after 3 failed
// deliveries spanning 2 s; what is published meanwhile is parked, neither
// POSTed nor dead-lettered; recover delivers the dead letters and the
// parked deliveries since a time exactly once, with their original
// delivery ids and valid signatures; a second endpoint hears about the
// disable and the re-enable; a success in between resets the count.
const (
	healthPeriod   = 2 * time.Second
	healthFailures = 3
)

type webhookHealth struct {
	Enabled        bool   `json:"enabled"`
	DisabledReason string `json:"disabled_reason"`
	Health         struct {
		ConsecutiveFailures int        `json:"consecutive_failures"`
		FailingSince        *time.Time `json:"failing_since"`
		LastSuccessAt       *time.Time `json:"last_success_at"`
	} `json:"health"`
}

func (tn *tenant) webhookHealth(id string) webhookHealth {
	tn.t.Helper()
	var w webhookHealth
	tn.mustCall(http.MethodGet, "/api/v1/organization/webhooks/"+id, nil, http.StatusOK, &w)
	return w
}

// awaitHealth publishes nothing; it waits until the webhook's health is as wanted.
func (tn *tenant) awaitHealth(id, what string, ok func(webhookHealth) bool) webhookHealth {
	tn.t.Helper()
	var last webhookHealth
	testenv.WaitFor(tn.t, patience, what, func() bool { last = tn.webhookHealth(id); return ok(last) })
	return last
}

// deadLetters lists the webhook's dead letters through the admin API.
func (tn *tenant) deadLetters(operatorToken, webhookID string) []string {
	tn.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, tn.s.API+"/api/v1/admin/dlq?limit=100&webhook_id="+webhookID, nil)
	req.Header.Set("Authorization", "Bearer "+operatorToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tn.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Entries []struct {
			Delivery struct {
				DeliveryID string `json:"delivery_id"`
			} `json:"delivery"`
		} `json:"entries"`
	}
	if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&out) != nil {
		tn.t.Fatalf("list dead letters: %s", res.Status)
	}
	var idsOut []string
	for _, e := range out.Entries {
		idsOut = append(idsOut, e.Delivery.DeliveryID)
	}
	slices.Sort(idsOut)
	return idsOut
}

// healthStack starts a stack that disables an endpoint after
// healthFailures failures spanning healthPeriod, with a tenant named name
// and an operator token.
func healthStack(t *testing.T, name string) (*stack, *tenant, string) {
	t.Helper()
	env := testEnv()
	env["HOOKRELAY_DISABLE_AFTER"] = healthPeriod.String()
	env["HOOKRELAY_DISABLE_MIN_FAILURES"] = fmt.Sprint(healthFailures)
	s := startTestStack(t, devrun.Options{Env: env})
	tn := newTenant(t, s, name)
	key, err := devauth.DevKey(s.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	operator, err := devauth.NewDevJWT(key, s.Config).Issue(tn.org, true, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return s, tn, operator
}

func TestEndpointHealthDisableParkRecover(t *testing.T) {
	t.Parallel()
	s, tn, operator := healthStack(t, "health")

	var up atomic.Bool // the endpoint answers 200 when up, 400 when down
	down := newReceiver(t, func(int, *http.Request, []byte) answer {
		if up.Load() {
			return status(http.StatusOK)
		}
		return status(http.StatusBadRequest)
	})
	watcher := newReceiver(t, nil)
	a := tn.createWebhook(down.url("/hooks"), "emailClick")
	tn.createWebhook(watcher.url("/health"), "webhook.disabled", "webhook.enabled")

	publishFailing := func(n int) string {
		t.Helper()
		id := tn.publish("emailClick", clickData)
		tn.awaitHealth(a.ID, fmt.Sprintf("%d consecutive failures", n), func(w webhookHealth) bool { return w.Health.ConsecutiveFailures == n })
		return id
	}

	// Two failures, then a success: the run ends, last_success_at is set.
	publishFailing(1)
	publishFailing(2)
	up.Store(true)
	tn.publish("emailClick", clickData)
	w := tn.awaitHealth(a.ID, "the success resets the count", func(w webhookHealth) bool { return w.Health.ConsecutiveFailures == 0 })
	if !w.Enabled || w.Health.LastSuccessAt == nil || w.Health.FailingSince != nil {
		t.Fatalf("after the success: %+v", w)
	}
	// Dead letters are dated to the second: the recover below starts at
	// the next whole second, after every dead letter of the first run.
	since := time.Now().UTC().Add(time.Second).Truncate(time.Second)
	testenv.WaitFor(t, patience, "the next second", func() bool { return time.Now().After(since) })
	up.Store(false)

	// A new run: three failures spanning the period disable the endpoint.
	failed := []string{publishFailing(1)}
	start := *tn.webhookHealth(a.ID).Health.FailingSince
	testenv.WaitFor(t, patience, "the auto-disable period to pass", func() bool { return time.Since(start) > healthPeriod })
	failed = append(failed, publishFailing(2))
	failed = append(failed, tn.publish("emailClick", clickData))
	w = tn.awaitHealth(a.ID, "disabled for failing", func(w webhookHealth) bool { return !w.Enabled })
	if w.DisabledReason != "failing" || w.Health.ConsecutiveFailures != healthFailures {
		t.Fatalf("disabled webhook: %+v", w)
	}
	postsBefore := down.count()
	deadBefore := tn.deadLetters(operator, a.ID)
	if len(deadBefore) != 5 {
		t.Fatalf("%d dead letters before parking, want the 5 failed deliveries", len(deadBefore))
	}

	// Published while disabled: parked. The markers reach the watcher
	// (subscribed to the notices only) through another endpoint that
	// proves fan-out and delivery carried everything published so far.
	parked := []string{tn.publish("emailClick", clickData), tn.publish("emailClick", clickData)}
	marker := newReceiver(t, nil)
	tn.createWebhook(marker.url("/marker"), "emailClick")
	// The marker's own delivery to a is parked too, and recover counts it:
	// the marker's POST does not prove that park was written (deliveries
	// of one event are handled concurrently), so wait for it as well.
	markerID := tn.drained("emailClick", marker)
	for _, id := range append([]string{markerID}, parked...) {
		dlv := ids.Delivery(id, a.ID)
		testenv.WaitFor(t, patience, "parked "+dlv, func() bool {
			return strings.Contains(s.logs.linesWith(100, dlv), "outcome=parked")
		})
	}
	if down.count() != postsBefore {
		t.Fatalf("%d POSTs to the disabled endpoint", down.count()-postsBefore)
	}
	if got := tn.deadLetters(operator, a.ID); !slices.Equal(got, deadBefore) {
		t.Fatalf("dead letters changed while parked: %v, was %v", got, deadBefore)
	}

	// Recover since the second run began: its 3 dead letters and the 3
	// parked deliveries (2 events and the marker), each once, with their
	// original delivery ids.
	up.Store(true)
	var rec struct {
		Enabled      bool `json:"enabled"`
		Queued       int  `json:"queued"`
		Parked       int  `json:"parked"`
		DeadLettered int  `json:"dead_lettered"`
	}
	tn.mustCall(http.MethodPost, "/api/v1/organization/webhooks/"+a.ID+"/recover", map[string]any{"since": since.Format(time.RFC3339)}, http.StatusAccepted, &rec)
	if !rec.Enabled || rec.Queued != 6 || rec.Parked != 3 || rec.DeadLettered != 3 {
		t.Fatalf("recover answered %+v", rec)
	}
	want := map[string]bool{}
	for _, id := range append(failed, parked...) {
		want[ids.Delivery(id, a.ID)] = true
	}
	hits := down.waitHits(t, postsBefore+5, patience)[postsBefore:]
	tn.drained("emailClick", down, marker)
	if down.count() != postsBefore+5 {
		t.Fatalf("%d deliveries after recover, want 5", down.count()-postsBefore)
	}
	for _, h := range hits {
		if !want[h.delivery()] {
			t.Errorf("delivery %s: not one of the recovered ones, or twice", h.delivery())
		}
		delete(want, h.delivery())
		if err := verifyIndependently(a.SigningSecret, h.header, h.body, h.at); err != nil {
			t.Errorf("delivery %s: %v", h.delivery(), err)
		}
	}
	if len(want) != 0 {
		t.Fatalf("never recovered: %v", want)
	}
	w = tn.webhookHealth(a.ID)
	if !w.Enabled || w.DisabledReason != "" || w.Health.ConsecutiveFailures != 0 {
		t.Fatalf("after recover: %+v", w)
	}
	if left := tn.deadLetters(operator, a.ID); len(left) != 2 {
		t.Fatalf("dead letters before since: %v, want the first run's 2 left", left)
	}

	// The watcher heard about both.
	notices := map[string]string{}
	testenv.WaitFor(t, patience, "webhook.disabled and webhook.enabled at the watcher", func() bool {
		for _, h := range watcher.all() {
			var env struct {
				Type string `json:"event_name"`
				Data struct {
					WebhookID string `json:"webhook_id"`
					Reason    string `json:"reason"`
				} `json:"data"`
			}
			if json.Unmarshal(h.body, &env) == nil && env.Data.WebhookID == a.ID {
				notices[env.Type] = env.Data.Reason
			}
		}
		return len(notices) == 2
	})
	if notices["webhook.disabled"] != "failing" || notices["webhook.enabled"] != "recovered" {
		t.Fatalf("notices %v", notices)
	}
}
