package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/envelope"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// setCounter writes the org's webhook counter as a lost answer's SDK
// retry or a crash between a create's two writes leaves it.
func setCounter(t *testing.T, db *dynamodb.Client, table, org string, n string) {
	t.Helper()
	_, err := db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(table),
		Key: map[string]types.AttributeValue{
			dynamo.AttrPK: &types.AttributeValueMemberS{Value: dynamo.OrgKeyPrefix + org},
			dynamo.AttrSK: &types.AttributeValueMemberS{Value: "COUNT"},
		},
		UpdateExpression:          aws.String("SET webhook_count = :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: n}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A counter that drifted high would refuse the org below its cap for
// good. A create at the cap counts the org's webhooks (not the sealed
// secrets written before one) and goes on when there are fewer.
func TestACreateAtTheCapRecountsADriftedCounter(t *testing.T) {
	db, table := testenv.Table(t)
	store := dynamo.NewWebhookStore(db, table)
	ctx := context.Background()
	const org, max = "org_drift", 3
	now := time.Now()
	createHook(t, store, testHook(org, ids.NewAt(ids.WebhookPrefix, now), now))
	// The envelope store's first write for a webhook whose create failed.
	sealedOnly := ids.NewAt(ids.WebhookPrefix, now.Add(time.Millisecond))
	if err := dynamo.NewSealedItems(db, table).CreateSealed(ctx, org, sealedOnly, envelope.Sealed{DataKey: []byte("k"), Box: []byte("b")}); err != nil {
		t.Fatal(err)
	}
	setCounter(t, db, table, org, "3")
	slotsMatch(t, store, org, max)

	// At the cap for real, the refusal changes nothing: one delete frees
	// exactly one slot.
	page, _, err := store.List(ctx, org, 10, "")
	if err != nil || len(page) != max {
		t.Fatalf("after filling up: %d webhooks, %v; want %d", len(page), err, max)
	}
	if err := store.Delete(ctx, org, page[0].ID); err != nil {
		t.Fatal(err)
	}
	slotsMatch(t, store, org, max)
}

// A recount racing a create or delete that moved the counter after it
// was read leaves the counter to that write, and the create goes on by
// what the counter says then.
func TestARecountLosesToACounterThatMoved(t *testing.T) {
	db, table := testenv.Table(t)
	const org = "org_moved"
	now := time.Now()
	var moved bool
	faulty := testenv.FaultyDynamoClient(t, aws.ToString(db.Options().BaseEndpoint), func(in any) error {
		if q, ok := in.(*dynamodb.QueryInput); ok && q.Select == types.SelectCount && !moved {
			moved = true
			setCounter(t, db, table, org, "2") // a delete gave a slot back meanwhile
		}
		return nil
	})
	store := dynamo.NewWebhookStore(faulty, table)
	setCounter(t, db, table, org, "3")
	err := store.Create(context.Background(), testHook(org, ids.NewAt(ids.WebhookPrefix, now), now), 3)
	if !moved || err != nil {
		t.Fatalf("create while a delete gave a slot back: %v (recount ran: %v), want it created", err, moved)
	}
	// The counter is the racing write's plus this create's: 3, over the
	// one webhook stored, until the next create at the cap recounts.
	slotsMatch(t, dynamo.NewWebhookStore(db, table), org, 3)
}
