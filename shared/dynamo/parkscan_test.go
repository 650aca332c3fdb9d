package dynamo_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// A recover run whose calls take more than an hour in all (a tenant
// pressing Recover again every 40 minutes through deliveries parked before
// since, 8 MB a call) keeps its position while its calls go on: it lives
// an hour after the run's last call, not its first, or every hour the run
// would start over and never reach the deliveries parked after since,
// which stay parked at an endpoint the first call enabled.
func TestParkedScanPositionLivesWhileTheRunGoesOn(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.Table(t)
	s := dynamo.NewParkedStore(db, table, 7*24*time.Hour)
	since := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	now := since.Add(time.Hour)
	s.Now = func() time.Time { return now }
	park := func(id string, sent, parked time.Time, msg string) {
		if err := s.Park(ctx, deliverylog.Parked{OrgID: "org_a", WebhookID: "wh_1", DeliveryID: id, SentAt: sent, ParkedAt: parked, Message: msg}); err != nil {
			t.Fatal(err)
		}
	}
	// ~20 MB parked before since, in the range a recover looks through:
	// more than two calls' reads.
	for i := range 100 {
		b := make([]byte, 150<<10)
		rand.Read(b)
		sent := since.Add(-72*time.Hour + time.Duration(i)*time.Minute)
		park(fmt.Sprintf("dlv_before%03d", i), sent, sent.Add(time.Second), base64.StdEncoding.EncodeToString(b))
	}
	park("dlv_after", since.Add(time.Minute), since.Add(time.Minute), `{"n":1}`)

	var got []string
	calls := 0
	for len(got) == 0 {
		calls++
		if calls > 5 {
			t.Fatalf("no delivery after %d calls 40 minutes apart: the run started over", calls-1)
		}
		page, more, err := s.Since(ctx, "org_a", "wh_1", since, 1001)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			got = append(got, p.DeliveryID)
			if _, err := s.Unpark(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		if !more && len(got) == 0 {
			t.Fatalf("call %d: no more, nothing kept", calls)
		}
		now = now.Add(40 * time.Minute)
	}
	if fmt.Sprint(got) != "[dlv_after]" || calls < 3 {
		t.Fatalf("got %v in %d calls, want dlv_after in 3 or more (the reads before it take more than two)", got, calls)
	}
}
