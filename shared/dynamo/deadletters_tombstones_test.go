package dynamo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// Closed items stay in the webhook's partition until their
// TTL and a recover reads them (filtered out, but counted in each 1 MB
// page) from since. Before the open-from position, an open letter behind
// more than MaxDeadLetterPages pages of tombstones was never returned,
// however often the tenant called again: recover answered "more" for ever.
// ~40,000 real tombstones (~250 B each) fill 10 MB; the test writes 40
// closed items of 320 KB each instead, read the same way.
func TestAnOpenLetterBehindManyTombstonesIsReached(t *testing.T) {
	db, table := testenv.Table(t)
	x := dynamo.NewDeadLetterIndex(db, table)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	x.Now = func() time.Time { return t0.Add(time.Hour) }
	pad := strings.Repeat("x", 320<<10)
	for i := range 40 {
		at := t0.Add(time.Duration(i) * time.Second).Format("2006-01-02T15:04:05.000000000Z07:00")
		id := fmt.Sprintf("dlv_closed%02d", i)
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "DLQ#org_a#wh_1"}, "sk": &types.AttributeValueMemberS{Value: at + "#" + id},
			"delivery_id": &types.AttributeValueMemberS{Value: id}, "expires_at": &types.AttributeValueMemberN{Value: fmt.Sprint(t0.Add(24 * time.Hour).Unix())},
			"closed_by": &types.AttributeValueMemberS{Value: deliverylog.ClosedByRecover}, "closed_at": &types.AttributeValueMemberS{Value: t0.Format(time.RFC3339Nano)},
			"pad": &types.AttributeValueMemberS{Value: pad},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	last := deliverylog.DeadLetter{OrgID: "org_a", WebhookID: "wh_1", DeliveryID: "dlv_open", At: t0.Add(time.Minute), Message: `{"n":1}`}
	if err := x.Add(ctx, last); err != nil {
		t.Fatal(err)
	}
	calls := 0
	for call := 1; call <= 5; call++ {
		calls = call
		got, more, err := x.Open(ctx, "org_a", "wh_1", t0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 && got[0].DeliveryID == "dlv_open" {
			if calls != 2 {
				t.Fatalf("the open letter came with call %d, want the second (the first stops at its bound)", calls)
			}
			return
		}
		if len(got) != 0 || !more {
			t.Fatalf("call %d: %d letters, more %v", call, len(got), more)
		}
	}
	t.Fatal("5 calls of Open from since: none reached the open letter behind 10 MB of tombstones (each answered more)")
}

// The position never passes the call's time less LateDeadLetterWrite: an
// item deliver writes late (its key is the start of its last attempt,
// minutes before the write) behind where a call found only tombstones is
// read by the next call with the same since.
func TestALateIndexWriteIsNotSkipped(t *testing.T) {
	db, table := testenv.Table(t)
	x := dynamo.NewDeadLetterIndex(db, table)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	now := t0.Add(time.Hour)
	x.Now = func() time.Time { return now }
	add := func(id string, at time.Time) deliverylog.DeadLetter {
		d := deliverylog.DeadLetter{OrgID: "org_a", WebhookID: "wh_1", DeliveryID: id, At: at, Message: `{"n":1}`}
		if err := x.Add(ctx, d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	early, recent := add("dlv_early", t0), add("dlv_recent", now.Add(-time.Minute))
	for _, d := range []deliverylog.DeadLetter{early, recent} {
		if err := x.Close(ctx, d.Ref(), deliverylog.ClosedByRecover, now); err != nil {
			t.Fatal(err)
		}
	}
	if got, more, err := x.Open(ctx, "org_a", "wh_1", t0, 10); err != nil || more || len(got) != 0 {
		t.Fatalf("Open of two tombstones: %d, more %v, %v", len(got), more, err)
	}
	// Written now, keyed 10 min back: inside LateDeadLetterWrite, but
	// after the last tombstone the call read past.
	late := add("dlv_late", now.Add(-10*time.Minute))
	now = now.Add(time.Second)
	got, _, err := x.Open(ctx, "org_a", "wh_1", t0, 10)
	if err != nil || len(got) != 1 || got[0].DeliveryID != late.DeliveryID {
		t.Fatalf("Open after a late write: %d letters, %v; want dlv_late", len(got), err)
	}
	// Another since has no position of this one's: from an earlier since,
	// an open letter before t0 is read.
	before := add("dlv_before", t0.Add(-time.Hour))
	if got, _, err := x.Open(ctx, "org_a", "wh_1", t0.Add(-2*time.Hour), 10); err != nil || len(got) != 2 || got[0].DeliveryID != before.DeliveryID {
		t.Fatalf("Open from an earlier since: %d letters, %v; want dlv_before and dlv_late", len(got), err)
	}
}
