// Package testenv gives integration tests their own emulators: each call
// starts a fresh dynalite or goaws on a free loopback port and stops it when
// the test ends. Tests never skip when an emulator is missing: they fail and
// say to run `make tools`.
package testenv

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/awsclient"
	"github.com/hookrelay/hookrelay/shared/awsmeter"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/emulator"
)

var tableSeq atomic.Int64

// AWSConfig is the SDK config for talking to local emulators.
func AWSConfig(t testing.TB) aws.Config {
	t.Helper()
	cfg, err := awsclient.Local(context.Background(), emulator.Region)
	if err != nil {
		t.Fatalf("aws config: %v", err)
	}
	return cfg
}

// Dynalite starts dynalite and returns its endpoint.
func Dynalite(t testing.TB) string {
	t.Helper()
	return startEmulator(t, "dynalite", emulator.Options{}, emulator.StartDynalite).Endpoint
}

// Goaws starts goaws and returns its endpoint.
func Goaws(t testing.TB) string {
	t.Helper()
	return startEmulator(t, "goaws", emulator.Options{DataDir: t.TempDir()}, emulator.StartGoaws).Endpoint
}

// DynamoClient returns a client for endpoint.
func DynamoClient(t testing.TB, endpoint string) *dynamodb.Client {
	return dynamodb.NewFromConfig(AWSConfig(t), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// MeteredDynamo starts dynalite and returns a client whose calls and
// consumed capacity the returned meter counts.
func MeteredDynamo(t testing.TB) (*dynamodb.Client, *awsmeter.Meter) {
	t.Helper()
	m := &awsmeter.Meter{}
	cfg := AWSConfig(t)
	m.Attach(&cfg)
	endpoint := Dynalite(t)
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) }), m
}

// SQSClient returns a client for endpoint.
func SQSClient(t testing.TB, endpoint string) *sqs.Client {
	return sqs.NewFromConfig(AWSConfig(t), func(o *sqs.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// Table starts dynalite and creates a fresh hookrelay table on it.
func Table(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	db := DynamoClient(t, Dynalite(t))
	name := fmt.Sprintf("hookrelay-test-%d", tableSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := dynamo.EnsureTable(ctx, db, name); err != nil {
		t.Fatalf("create table: %v", err)
	}
	return db, name
}

// Queue creates a queue on goaws (attributes such as RedrivePolicy and
// VisibilityTimeout optional) and returns its URL.
func Queue(t testing.TB, client *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	url := aws.ToString(out.QueueUrl)
	if !strings.Contains(url, "127.0.0.1") {
		t.Fatalf("queue url %s is not on loopback", url)
	}
	return url
}

// QueueARN is the ARN goaws gives a queue name (for RedrivePolicy).
func QueueARN(name string) string {
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", emulator.Region, emulator.AccountID, name)
}
