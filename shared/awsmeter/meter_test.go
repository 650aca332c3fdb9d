package awsmeter_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/awsmeter"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

func TestMeterCountsCallsAndDynamoCapacity(t *testing.T) {
	ctx := context.Background()
	db, m := testenv.MeteredDynamo(t)
	cfg := testenv.AWSConfig(t)
	m.Attach(&cfg)
	q := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(testenv.Goaws(t)) })
	if err := dynamo.EnsureTable(ctx, db, "metered"); err != nil {
		t.Fatal(err)
	}
	before := m.Snapshot()

	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}, "sk": &types.AttributeValueMemberS{Value: "b"}}
	small := map[string]types.AttributeValue{"pk": key["pk"], "sk": key["sk"], "v": &types.AttributeValueMemberS{Value: "x"}}
	big := map[string]types.AttributeValue{"pk": key["pk"], "sk": key["sk"], "v": &types.AttributeValueMemberS{Value: strings.Repeat("x", 2500)}}
	for _, item := range []map[string]types.AttributeValue{small, big} {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("metered"), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	// Strongly consistent read of a 2.5 KB item: 1 read unit; eventually
	// consistent: 0.5.
	if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("metered"), Key: key, ConsistentRead: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("metered"), Key: key}); err != nil {
		t.Fatal(err)
	}
	out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("metered")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: out.QueueUrl, MessageBody: aws.String(strings.Repeat("y", 1000))}); err != nil {
		t.Fatal(err)
	}
	// SQS bills each request per 64 KB chunk of its own payload: 100 KB is
	// two, whatever the other request's size.
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: out.QueueUrl, MessageBody: aws.String(strings.Repeat("z", 100*1024))}); err != nil {
		t.Fatal(err)
	}

	got := m.Snapshot().Sub(before)
	want := map[awsmeter.Op]int{
		{"DynamoDB", "PutItem"}: 2, {"DynamoDB", "GetItem"}: 2,
		{"SQS", "CreateQueue"}: 1, {"SQS", "SendMessage"}: 2,
	}
	if len(got.Calls) != len(want) {
		t.Errorf("calls = %v, want %v", got.Calls, want)
	}
	for op, n := range want {
		if got.Calls[op] != n {
			t.Errorf("%s: %d calls, want %d", op, got.Calls[op], n)
		}
	}
	// The second put replaces a small item with a 2.5 KB one: 3 units
	// (1 KB steps, the larger of old and new), after 1 for the first.
	if got.WriteUnits != 4 {
		t.Errorf("write units = %v, want 4", got.WriteUnits)
	}
	if got.ReadUnits != 1.5 {
		t.Errorf("read units = %v, want 1.5", got.ReadUnits)
	}
	send := awsmeter.Op{Service: "SQS", Operation: "SendMessage"}
	if b := got.Bytes[send]; b < 1000+100*1024 || b > 2000+100*1024 {
		t.Errorf("SendMessage request bytes = %d, want the 1000-byte and 100 KB bodies plus a little framing", b)
	}
	if c := got.Chunks[send]; c != 3 {
		t.Errorf("SendMessage 64 KB chunks = %d, want 3 (1 for 1000 bytes, 2 for 100 KB)", c)
	}
	if got.Service("DynamoDB") != 4 {
		t.Errorf("DynamoDB calls = %d, want 4", got.Service("DynamoDB"))
	}
}
