package testenv

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func TestEmulatorsStartAndAnswer(t *testing.T) {
	db, table := Table(t)
	out, err := db.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil || out.Table.TableStatus != "ACTIVE" {
		t.Fatalf("describe table: %v %v", err, out)
	}
	q := SQSClient(t, Goaws(t))
	url := Queue(t, q, "probe", map[string]string{"VisibilityTimeout": "5"})
	if _, err := q.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("hi")}); err != nil {
		t.Fatalf("send: %v", err)
	}
	got, err := q.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1})
	if err != nil || len(got.Messages) != 1 || aws.ToString(got.Messages[0].Body) != "hi" {
		t.Fatalf("receive: %v %+v", err, got)
	}
}

func TestQueueDepthCountsInFlightMessagesOnce(t *testing.T) {
	ctx := context.Background()
	q := SQSClient(t, Goaws(t))
	url := Queue(t, q, "depth", nil)
	for _, body := range []string{"a", "b"} {
		if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 1, VisibilityTimeout: 60})
	if err != nil || len(got.Messages) != 1 {
		t.Fatalf("receive: %v %+v", err, got)
	}
	if n, err := QueueDepth(ctx, q, url); err != nil || n != 2 {
		t.Fatalf("depth with one of two messages in flight = %d (%v), want 2", n, err)
	}
	if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: got.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if n, err := QueueDepth(ctx, q, url); err != nil || n != 1 {
		t.Fatalf("depth after deleting one = %d (%v), want 1", n, err)
	}
}
