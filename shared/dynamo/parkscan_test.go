package dynamo_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
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

// Park moves back every open position of the webhook, however many pages
// they take: positions of abandoned runs (one per since) stay until their
// hour ends, and DynamoDB ends a Query page at 1 MB. The padding makes
// four positions pass it; the one past the park sorts last.
func TestParkPullsPositionsBeyondTheFirstPage(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.Table(t)
	s := dynamo.NewParkedStore(db, table, 7*24*time.Hour)
	since := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	now := since.Add(time.Hour)
	s.Now = func() time.Time { return now }
	stamp := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z07:00") }
	pad := strings.Repeat("p", 300<<10)
	position := func(since time.Time, from string) {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "PARKSCAN#org_a#wh_1"}, "sk": &types.AttributeValueMemberS{Value: "PARKSCAN#" + stamp(since)},
			"since": &types.AttributeValueMemberS{Value: stamp(since)}, "from": &types.AttributeValueMemberS{Value: from},
			"expires_at": &types.AttributeValueMemberN{Value: fmt.Sprint(now.Add(time.Hour).Unix())},
			"pad":        &types.AttributeValueMemberS{Value: pad},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 { // abandoned runs' positions, before the one that matters
		position(since.Add(-time.Duration(4-i)*time.Hour), "0000")
	}
	// The run with since: its first call stopped at the read bound after
	// the deliveries sent up to 10:00 the day before.
	position(since, stamp(since.Add(-23*time.Hour))+"#dlv_zz")
	// A delivery sent before that, parked after since (a retry), behind
	// the position: the run's next call must read it.
	sent := since.Add(-30 * time.Hour)
	if err := s.Park(ctx, deliverylog.Parked{OrgID: "org_a", WebhookID: "wh_1", DeliveryID: "dlv_behind", SentAt: sent, ParkedAt: since.Add(time.Minute), Message: "{}"}); err != nil {
		t.Fatal(err)
	}
	page, _, err := s.Since(ctx, "org_a", "wh_1", since, 1001)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 || page[0].DeliveryID != "dlv_behind" {
		t.Fatalf("the run's next call got %v, want dlv_behind (its position was not moved back)", page)
	}
}
