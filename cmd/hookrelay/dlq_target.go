package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/spf13/pflag"

	"github.com/hookrelay/hookrelay/shared/awsclient"
	"github.com/hookrelay/hookrelay/shared/awsclient/ownbody"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devrun"
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

// needs is what a command cannot do without, beyond the DLQ.
type needs struct {
	// lanes: redrive sends to the delivery lanes (and its dry run counts
	// what it would send there).
	lanes bool
	// table: purge records each purge in the tenants' index of dead
	// letters, or their recover would send the purged letters again.
	table bool
}

// ops builds the DLQ operations, refusing what the command needs and
// lacks. A missing table that does not stop the command (attempt counters
// not reset, scans not kept from overlapping) is a warning on warn.
func (t *dlqTarget) ops(ctx context.Context, warn io.Writer, n needs) (*dlq.Ops, error) {
	r, err := t.resolve(ctx)
	if err != nil {
		return nil, err
	}
	return r.ops(ctx, warn, n)
}

// resolved is where a target's DLQ, delivery lanes and table are.
type resolved struct {
	q                       *sqsqueue.Client
	dlqURL, queueURL, table string
	db                      *dynamodb.Client // nil: no table
	// dlqFrom and lanesFrom say where the URLs came from, for messages
	// about them.
	dlqFrom, lanesFrom string
	deployed           bool // not make dev's: the commands name its DLQ
}

// setting is one of a target's values and where it came from: a flag, a
// variable or a stack's output, named in messages about it.
type setting struct{ value, from string }

// targetSettings are the values a deployed stack's target is made of.
type targetSettings struct{ dlq, lanes, table setting }

// settings takes each value from its flag, else from the named stack's
// outputs, else from the environment: a stack named on the command line
// beats variables the shell may still hold for another stack (else they
// would win, silently), as in `secrets migrate`.
func (t *dlqTarget) settings(outputs map[string]string) targetSettings {
	pick := func(flag, value, env, output string) setting {
		switch {
		case value != "":
			return setting{value, "--" + flag}
		case outputs[output] != "":
			return setting{outputs[output], fmt.Sprintf("stack %s's %s output", t.stack, output)}
		default:
			return setting{os.Getenv(env), env}
		}
	}
	return targetSettings{
		dlq:   pick("dlq-url", t.dlqURL, config.EnvDLQURL, outputDLQURL),
		lanes: pick("queue-url", t.queueURL, config.EnvDeliveryQueueURL, outputDeliveryURL),
		table: pick("table", t.table, config.EnvTable, outputTable),
	}
}

// resolve finds the deployed stack the flags, stack outputs or
// environment name, or else the running `make dev`.
func (t *dlqTarget) resolve(ctx context.Context) (resolved, error) {
	s := t.settings(nil)
	if err := t.check(s.dlq.value); err != nil {
		return resolved{}, err
	}
	if t.stack == "" {
		// Refused before any AWS call.
		if err := checkQueueURLs(s); err != nil {
			return resolved{}, err
		}
		if s.dlq.value == "" {
			return devTarget(ctx)
		}
	}

	cfg, err := operatorAWSConfig(ctx)
	if err != nil {
		return resolved{}, err
	}
	if t.stack != "" {
		out, err := stackOutputs(ctx, cloudformation.NewFromConfig(cfg, inStackRegion(t.stack)), t.stack)
		if err != nil {
			return resolved{}, err
		}
		if s = t.settings(out); s.dlq.value == "" {
			return resolved{}, fmt.Errorf("stack %s has no %s output: pass --dlq-url", t.stack, outputDLQURL)
		}
		if err := checkQueueURLs(s); err != nil {
			return resolved{}, err
		}
	}
	at := endpointOf(s.dlq.value)
	if err := checkLanesAt(at, s.lanes); err != nil {
		return resolved{}, err
	}
	return resolved{
		q:      sqsqueue.New(sqs.NewFromConfig(cfg, at.sqsOptions)),
		dlqURL: s.dlq.value, queueURL: s.lanes.value, table: s.table.value,
		db:      dynamodb.NewFromConfig(cfg, at.dynamoOptions),
		dlqFrom: s.dlq.from, lanesFrom: s.lanes.from, deployed: true,
	}, nil
}

// checkLanesAt refuses delivery lanes whose requests would go elsewhere
// than the DLQ's: one client reaches one endpoint, and a redrive would
// send the letters to same-named queues there.
func checkLanesAt(at sqsEndpoint, lanesOf setting) error {
	for _, lane := range lanes.Parse(lanesOf.value) {
		if e := endpointOf(lane); !e.same(at) {
			return fmt.Errorf("%s %q is at %s, the DLQ at %s: give the delivery lanes of the DLQ's stack", lanesOf.from, lane, e, at)
		}
	}
	return nil
}

// check refuses flags that would be ignored: an empty --stack or --dlq-url
// (they would fall back to the running `make dev`), and --queue-url or
// --table without a deployed stack's DLQ (make dev has its own).
func (t *dlqTarget) check(dlqURL string) error {
	if err := refuseEmptyFlags(t.flags, "stack", "dlq-url", "queue-url", "table"); err != nil {
		return err
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

// checkQueueURLs refuses a DLQ or lane URL that is not an http(s) URL
// with a host, naming the flag, variable or output it came from: the SDK
// would send it to the region's endpoint as it is, and the failure would
// come back as a network error, not as the typo it is.
func checkQueueURLs(s targetSettings) error {
	for _, urls := range []setting{s.dlq, s.lanes} {
		for _, raw := range lanes.Parse(urls.value) {
			if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
				return fmt.Errorf("%s %q: want a queue URL, such as https://sqs.us-east-1.amazonaws.com/123456789012/hookrelay-dlq", urls.from, raw)
			}
		}
	}
	return nil
}

// devTarget is the emulators of the running `make dev`.
func devTarget(ctx context.Context) (resolved, error) {
	// Not running, or no repository to find it in (an operator's shell
	// elsewhere): the likely slip is a forgotten --stack.
	s, _, err := devrun.Running()
	if err != nil {
		return resolved{}, fmt.Errorf("%w, or target a deployed stack with --stack, --dlq-url or %s", err, config.EnvDLQURL)
	}
	cfg, err := awsclient.Local(ctx, s.Region)
	if err != nil {
		return resolved{}, err
	}
	// An emulator can hang as a remote SQS can: the same timeouts.
	cfg.HTTPClient = ownbody.Wrap(operatorHTTPClient())
	r := resolved{
		q:      sqsqueue.New(sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(s.SQSEndpoint) })),
		dlqURL: s.DLQURL, queueURL: s.DeliveryQueueURL, table: s.Table,
		dlqFrom: "make dev's DLQ", lanesFrom: "make dev's delivery lane",
	}
	if s.DynamoEndpoint != "" {
		r.db = dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(s.DynamoEndpoint) })
	}
	return r, nil
}

// ops builds the DLQ operations with the table's attempt counters, scan
// lock and the tenants' index of dead letters, refusing a DLQ that is not
// one and, when n needs lanes, lanes that are not its delivery lanes
// (checkQueuesOf). Without a table (a
// warning, unless n needs it): redriven deliveries keep their count and
// may dead-letter sooner, a scan may overlap the stack's own (an admin API
// listing), each missing what the other holds, and a letter its tenant
// recovered already is neither shown so nor kept from being sent again.
func (r resolved) ops(ctx context.Context, warn io.Writer, n needs) (*dlq.Ops, error) {
	if r.deployed {
		// A deployed stack's DLQ is named, whatever the command prints on
		// stdout (JSON stays JSON): the operator sees which one it acts on.
		fmt.Fprintf(warn, "DLQ: %s (%s)\n", r.dlqURL, r.dlqFrom)
	}
	delivery := lanes.Parse(r.queueURL)
	if n.lanes && len(delivery) == 0 {
		return nil, fmt.Errorf("redrive needs the delivery lanes' queue URLs: pass --queue-url, set %s, or use --stack (its %s output)", config.EnvDeliveryQueueURL, outputDeliveryURL)
	}
	if n.table && (r.db == nil || r.table == "") {
		return nil, fmt.Errorf("purge needs the DynamoDB table (--stack, --table or %s): without it the purge is not recorded in the tenants' index of dead letters, and their recover would send the purged letters again", config.EnvTable)
	}
	var lanesOf setting // checked only when sent to
	if n.lanes {
		lanesOf = setting{r.queueURL, r.lanesFrom}
	}
	if err := checkQueuesOf(ctx, r.q.API(), setting{r.dlqURL, r.dlqFrom}, lanesOf); err != nil {
		return nil, err
	}
	if r.db == nil || r.table == "" {
		fmt.Fprintf(warn, "warning: no DynamoDB table (--table, --stack or %s): attempt counters will not be reset on redrive, scans are not kept from overlapping, and dead letters their tenants recovered already are redriven again\n", config.EnvTable)
		return dlq.New(r.q, r.dlqURL, delivery, nil), nil
	}
	// The TTL only matters for writes that create records; a reset does not.
	ops := dlq.New(r.q, r.dlqURL, delivery, dynamo.NewDeliveryStore(r.db, r.table, config.Defaults().AttemptTTL))
	ops.Locks, ops.Index = dynamo.NewLocks(r.db, r.table), dynamo.NewDeadLetterIndex(r.db, r.table)
	return ops, nil
}

func firstSet(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
