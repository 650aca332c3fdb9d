package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/spf13/pflag"

	"github.com/hookrelay/hookrelay/shared/awsclient"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/devstate"
	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
)

// dlqTarget says which DLQ the commands act on: a deployed stack (flags,
// environment or stack outputs, standard AWS credential chain) or, when
// none is named, the running `make dev`.
type dlqTarget struct {
	dlqURL, queueURL, table, stack string
	flags                          *pflag.FlagSet
}

func (t *dlqTarget) addFlags(fs *pflag.FlagSet) {
	t.flags = fs
	fs.StringVar(&t.dlqURL, "dlq-url", "", "DLQ URL of a deployed stack (env "+config.EnvDLQURL+")")
	fs.StringVar(&t.queueURL, "queue-url", "", "delivery lanes' queue URLs of a deployed stack, comma-separated (env "+config.EnvDeliveryQueueURL+")")
	fs.StringVar(&t.table, "table", "", "DynamoDB table: attempt counters reset on redrive, and the lock that keeps scans of the DLQ from overlapping (env "+config.EnvTable+")")
	fs.StringVar(&t.stack, "stack", "", "read the URLs and table from this CloudFormation stack's outputs")
}

// ops builds the DLQ operations. Problems that do not stop the command
// (no table to reset attempts in) are written to warn.
func (t *dlqTarget) ops(ctx context.Context, warn io.Writer) (*dlq.Ops, error) {
	dlqURL := firstSet(t.dlqURL, os.Getenv(config.EnvDLQURL))
	queueURL := firstSet(t.queueURL, os.Getenv(config.EnvDeliveryQueueURL))
	table := firstSet(t.table, os.Getenv(config.EnvTable))
	if err := t.check(dlqURL); err != nil {
		return nil, err
	}
	if t.stack == "" && dlqURL == "" {
		return t.devOps(ctx, warn)
	}

	cfg, err := awsclient.Load(ctx)
	if err != nil {
		return nil, err
	}
	if t.stack != "" {
		out, err := stackOutputs(ctx, cloudformation.NewFromConfig(cfg), t.stack)
		if err != nil {
			return nil, err
		}
		dlqURL = firstSet(dlqURL, out[outputDLQURL])
		queueURL = firstSet(queueURL, out[outputDeliveryURL])
		table = firstSet(table, out[outputTable])
	}
	if dlqURL == "" {
		return nil, fmt.Errorf("stack %s has no %s output: pass --dlq-url", t.stack, outputDLQURL)
	}
	return newOps(sqsqueue.New(sqs.NewFromConfig(cfg)), dlqURL, queueURL, dynamodb.NewFromConfig(cfg), table, warn), nil
}

// check refuses flags that would be ignored: an empty --stack or --dlq-url
// (they would fall back to the running `make dev`), and --queue-url or
// --table without a deployed stack's DLQ (make dev has its own).
func (t *dlqTarget) check(dlqURL string) error {
	for _, name := range []string{"stack", "dlq-url"} {
		if f := t.flags.Lookup(name); f.Changed && strings.TrimSpace(f.Value.String()) == "" {
			return fmt.Errorf("--%s is empty: give a value, or leave the flag out to act on the running `make dev`", name)
		}
	}
	if t.stack != "" || dlqURL != "" {
		return nil
	}
	for _, name := range []string{"queue-url", "table"} {
		if t.flags.Lookup(name).Changed {
			return fmt.Errorf("--%s needs --dlq-url or --stack (or %s): without them the commands act on the running `make dev`, which has its own", name, config.EnvDLQURL)
		}
	}
	return nil
}

// devOps targets the emulators of the running `make dev`.
func (t *dlqTarget) devOps(ctx context.Context, warn io.Writer) (*dlq.Ops, error) {
	s, _, err := devrun.Running()
	if errors.Is(err, devstate.ErrNotRunning) {
		return nil, fmt.Errorf("%w, or target a deployed stack with --stack, --dlq-url or %s", err, config.EnvDLQURL)
	}
	if err != nil {
		return nil, err
	}
	cfg, err := awsclient.Local(ctx, s.Region)
	if err != nil {
		return nil, err
	}
	q := sqsqueue.New(sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(s.SQSEndpoint) }))
	var db *dynamodb.Client
	if s.DynamoEndpoint != "" {
		db = dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(s.DynamoEndpoint) })
	}
	return newOps(q, s.DLQURL, s.DeliveryQueueURL, db, s.Table, warn), nil
}

// newOps builds the DLQ operations with the table's attempt counters, scan
// lock and the tenants' index of dead letters. Without a table (a
// warning): redriven deliveries keep their count and may dead-letter
// sooner, a scan may overlap the stack's own (an admin API listing), each
// missing what the other holds, and a letter its tenant recovered already
// is neither shown so nor kept from being sent again.
func newOps(q *sqsqueue.Client, dlqURL, queueURL string, db *dynamodb.Client, table string, warn io.Writer) *dlq.Ops {
	if db == nil || table == "" {
		fmt.Fprintf(warn, "warning: no DynamoDB table (--table, --stack or %s): attempt counters will not be reset on redrive, scans are not kept from overlapping, and dead letters their tenants recovered already are redriven again\n", config.EnvTable)
		return dlq.New(q, dlqURL, lanes.Parse(queueURL), nil)
	}
	// The TTL only matters for writes that create records; a reset does not.
	ops := dlq.New(q, dlqURL, lanes.Parse(queueURL), dynamo.NewDeliveryStore(db, table, config.Defaults().AttemptTTL))
	ops.Locks, ops.Index = dynamo.NewLocks(db, table), dynamo.NewDeadLetterIndex(db, table)
	return ops
}

func firstSet(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
