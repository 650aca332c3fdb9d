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
