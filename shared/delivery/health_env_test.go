package delivery

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/webhook"
)

// newHealthEnv's 410 removes from the dynalite store its tests read, so a
// test that reads a webhook after a 410 (a parked endpoint's test event)
// would see a wrongful removal.
func TestHealthEnvRemovesFromTheStoreItReads(t *testing.T) {
	he := newHealthEnv(t, time.Hour, 20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) }))
	t.Cleanup(srv.Close)
	he.create(t, "wh_gone", srv.URL, true)
	he.handle(t, sqsMessage(t, "org_a", "wh_gone", "evt_1"))
	if _, err := he.store.Get(context.Background(), "org_a", "wh_gone"); !errors.Is(err, webhook.ErrNotFound) {
		t.Fatalf("after a 410 the health env's store still has the webhook: %v", err)
	}
}
