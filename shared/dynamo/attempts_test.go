package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

func TestAttemptLogListsNewestFirstWithCursor(t *testing.T) {
	db, table := testenv.Table(t)
	log := dynamo.NewAttemptLog(db, table, 24*time.Hour)
	ctx := context.Background()
	t0 := time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)
	log.Now = func() time.Time { return t0.Add(time.Hour) }

	mk := func(org, wh string, i int, at time.Time) deliverylog.Attempt {
		return deliverylog.Attempt{
			DeliveryID: fmt.Sprintf("dlv_%02d", i/3), EventID: "evt_x", EventName: "emailClick", OrgID: org, WebhookID: wh,
			Attempt: i%3 + 1, At: at, Outcome: deliverylog.OutcomeRetrying, StatusCode: 500 + i, ErrorClass: "",
			LatencyMS: int64(i), Response: fmt.Sprintf("oops %d", i),
		}
	}
	var want []deliverylog.Attempt
	for i := 0; i < 23; i++ {
		a := mk("org_a", "wh_1", i, t0.Add(time.Duration(i)*time.Second))
		if err := log.Append(ctx, a); err != nil {
			t.Fatal(err)
		}
		want = append([]deliverylog.Attempt{a}, want...) // newest first
	}
	// Other webhooks and orgs, and an expired entry of wh_1, never show.
	for _, a := range []deliverylog.Attempt{
		mk("org_a", "wh_2", 1, t0), mk("org_b", "wh_1", 2, t0),
		mk("org_a", "wh_1", 99, t0.Add(-48*time.Hour)),
	} {
		if err := log.Append(ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	var got []deliverylog.Attempt
	cursor, pages := "", 0
	for {
		page, next, err := log.List(ctx, "org_a", "wh_1", 10, cursor)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, page...)
		if next == "" {
			break
		}
		if pages > 5 {
			t.Fatal("cursor does not advance")
		}
		cursor = next
	}
	if pages != 3 || !reflect.DeepEqual(got, want) {
		t.Fatalf("pages=%d, got %d attempts:\n%+v\nwant %d:\n%+v", pages, len(got), got, len(want), want)
	}

	for _, bad := range []string{"!!", "Zm9v", "MDAwMDAwMDAwMDAwMDAwMDAwMDAjI2Rsdl8x"} {
		if _, _, err := log.List(ctx, "org_a", "wh_1", 10, bad); !errors.Is(err, webhook.ErrInvalidCursor) {
			t.Errorf("cursor %q: err = %v, want ErrInvalidCursor", bad, err)
		}
	}
}
