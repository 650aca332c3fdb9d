package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// A record keeps the error class of the attempt it counts, and only that
// attempt's: a later save without one (the endpoint answered) clears it,
// or a receive beyond the schedule would dead-letter a 5xx with an earlier
// attempt's blocked_address.
func TestASavedErrorClassIsTheLastAttemptsOnly(t *testing.T) {
	db, table := testenv.Table(t)
	s := dynamo.NewDeliveryStore(db, table, time.Hour)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second)
	rec := deliverylog.DeliveryRecord{DeliveryID: "dlv_1", OrgID: "org_a", WebhookID: "wh_1", EventID: "evt_1", EventName: "emailClick",
		Message: "m", Attempts: 1, FirstAttemptAt: t0, LastAttemptAt: t0, Status: deliverylog.StatusInFlight, LastErrorClass: "blocked_address"}
	if err := s.Save(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "dlv_1"); err != nil || got.LastErrorClass != "blocked_address" {
		t.Fatalf("Get = %+v, %v; want error class blocked_address", got, err)
	}
	rec.Attempts, rec.LastAttemptAt, rec.LastStatusCode, rec.LastErrorClass = 2, t0.Add(time.Second), 503, ""
	if err := s.Save(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "dlv_1"); err != nil || got.LastErrorClass != "" || got.LastStatusCode != 503 {
		t.Fatalf("Get after a save with a status = %+v, %v; want status 503 and no error class", got, err)
	}
}
