package api_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
)

// heldDeliveries says deliveries parked for any webhook remain from a
// time, or none when that time is zero.
type heldDeliveries struct {
	mu   sync.Mutex
	from time.Time
}

func (h *heldDeliveries) ParkedFrom(context.Context, string, string) (time.Time, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.from, !h.from.IsZero(), nil
}

// An enabled webhook with parked deliveries left (a partial recover, an
// enable by PATCH) says so in its get, with the time a recover reaches
// them all from, so a client (the portal) knows without having been told
// by the recover answer; absent once none remain.
func TestGetWebhookShowsParkedDeliveriesLeft(t *testing.T) {
	t.Parallel()
	held := &heldDeliveries{from: time.Date(2026, 11, 23, 8, 59, 30, 0, time.UTC)}
	e := newEnv(t, func(d *api.Deps) { d.Parked = held })
	tok := e.token("org_abc")
	id := e.create(tok, createBody("orders", "emailOpen")).ID
	res := e.do(http.MethodGet, webhooksPath+"/"+id, tok, nil)
	if got := res.json(t); res.status != http.StatusOK || got["parked_from"] != "2026-11-23T08:59:30Z" {
		t.Fatalf("get with parked deliveries left: %d %s", res.status, res.body)
	}
	held.mu.Lock()
	held.from = time.Time{}
	held.mu.Unlock()
	res = e.do(http.MethodGet, webhooksPath+"/"+id, tok, nil)
	if _, ok := res.json(t)["parked_from"]; res.status != http.StatusOK || ok {
		t.Fatalf("get with none left: %d %s", res.status, res.body)
	}
}
