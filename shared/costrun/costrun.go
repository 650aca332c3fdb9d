// Package costrun runs the local pipeline — the emulators and the very
// fanout and deliver handlers the Lambdas run — through the fixed
// scenarios of `make cost`, and measures them: every AWS call the handlers
// make (package awsmeter), their time and log bytes. Dev tooling only: no
// Lambda links it.
package costrun

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/awsclient"
	"github.com/hookrelay/hookrelay/shared/awskms"
	"github.com/hookrelay/hookrelay/shared/awsmeter"
	"github.com/hookrelay/hookrelay/shared/awssecrets"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/cost"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/emulator"
	"github.com/hookrelay/hookrelay/shared/envelope"
	"github.com/hookrelay/hookrelay/shared/fakesm"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
)

// Shape is a traffic shape: how many messages one invocation gets, and
// how often a container starts cold (its caches empty).
type Shape struct {
	Name      string
	BatchSize int
	// ColdEvery rebuilds the deliver handler, caches and all, after that
	// many deliver messages; 0 keeps one warm handler for the whole run.
	ColdEvery int
}

// The two shapes `make cost` prints.
var (
	Busy   = Shape{Name: "busy (batches of 10, warm caches)", BatchSize: 10}
	Sparse = Shape{Name: "sparse (1 message per invocation, caches cold every 100 deliver invocations)", BatchSize: 1, ColdEvery: 100}
)

// Scenario is one fixed workload.
type Scenario struct {
	Events    int
	Endpoints int
	// FailFirst makes every endpoint answer 503 to the first POST of each
	// delivery: every delivery then takes exactly one retry.
	FailFirst bool
	Shape     Shape
	// LogLevel is the stack's logLevel setting: the handlers' lines below
	// it are not written, as Lambda would not ingest them. The zero value
	// is INFO, the default.
	LogLevel slog.Level
	// SecretStore is the stack's secretStore ("" is the default,
	// secretsmanager); envelope runs local-kms and meters its calls.
	SecretStore string
	// ProducerID publishes as a producer does in the README's examples:
	// its own source and a detail.id, which fan-out claims (a conditional
	// write per event). Without it the events are id-less.
	ProducerID bool
	// EndpointLatency is how long the endpoints take to answer; 0 answers
	// at once (the scenarios `make cost` prices, which print the cost of
	// each 100 ms apart).
	EndpointLatency time.Duration
	// DataBytes grows the catalog sample's data (about 0.5 KB) with chat
	// turns to at least this many bytes of compact JSON; 0 keeps the sample.
	DataBytes int
}

func (s Scenario) envelope() bool { return s.SecretStore == config.SecretStoreEnvelope }

func (s Scenario) String() string {
	outcome := "first-attempt success"
	if s.FailFirst {
		outcome = "one retry each"
	}
	extra := ""
	if s.envelope() {
		extra += ", secretStore=envelope"
	}
	if s.ProducerID {
		extra += ", producer detail.id"
	}
	if s.DataBytes > 0 {
		extra += fmt.Sprintf(", event data ≥ %d B", s.DataBytes)
	}
	return fmt.Sprintf("N=%d, %s, %s%s", s.Endpoints, outcome, s.Shape.Name, extra)
}

// Memory sizes the deployed functions have (infra/limits.go); duration is
// priced at these. infra's TestCostReportPricesTheFunctionsMemory fails
// when they differ from the synthesized functions'.
const (
	FanoutMemoryMB  = 256
	DeliverMemoryMB = 256
)

// stack is a fresh table and set of queues on fresh emulators.
type stack struct {
	cfg     config.Config
	plain   aws.Config // setup and the event sources: not metered
	metered aws.Config // the handlers' clients
	meter   *awsmeter.Meter
	dynEP   string
	sqsEP   string
	kmsEP   string // local-kms, with the envelope store only
	smEP    string // the fake Secrets Manager
	keyID   string
	db      *dynamodb.Client
	sqs     *sqsqueue.Client
	stop    []func()
}

func (s *stack) close() {
	for i := len(s.stop) - 1; i >= 0; i-- {
		s.stop[i]()
	}
}

func (s *stack) dynamo(cfg aws.Config) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(s.dynEP) })
}

func (s *stack) queue(cfg aws.Config) *sqsqueue.Client {
	return sqsqueue.New(sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(s.sqsEP) }))
}

func (s *stack) kms(cfg aws.Config) *kms.Client {
	return kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = aws.String(s.kmsEP) })
}

// secrets is an envelope store over cfg's clients: a new one is a new
// container (its data key cache empty).
func (s *stack) secrets(cfg aws.Config) *envelope.Store {
	return envelope.New(awskms.New(s.kms(cfg), s.keyID), dynamo.NewSealedItems(s.dynamo(cfg), s.cfg.Table))
}

// secretStores are the scenario's secret store as the API uses it (not
// metered) and a constructor of a deliver container's own (metered): the
// real adapters, Secrets Manager's on the loopback fake of its protocol
// (there is no emulator of it), the envelope store's on local-kms.
func (s *stack) secretStores(sc Scenario) (api secrets.Store, deliver func() secrets.Store) {
	if sc.envelope() {
		return s.secrets(s.plain), func() secrets.Store { return s.secrets(s.metered) }
	}
	sm := func(cfg aws.Config) secrets.Store {
		return awssecrets.New(secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
			o.BaseEndpoint = aws.String(s.smEP)
		}), s.cfg.SecretPrefix)
	}
	return sm(s.plain), func() secrets.Store { return sm(s.metered) }
}

// startKMS runs local-kms and makes the stack's key.
func (s *stack) startKMS(ctx context.Context, dataDir string) error {
	p, err := emulator.StartKMS(ctx, emulator.Options{DataDir: filepath.Join(dataDir, "kms")})
	if err != nil {
		return err
	}
	s.stop = append(s.stop, p.Stop)
	s.kmsEP = p.Endpoint
	s.keyID, err = awskms.EnsureAlias(ctx, s.kms(s.plain), "alias/hookrelay-cost")
	return err
}

func startStack(ctx context.Context, dataDir string, withKMS bool) (_ *stack, err error) {
	s := &stack{meter: &awsmeter.Meter{}}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	dyn, err := emulator.StartDynalite(ctx, emulator.Options{})
	if err != nil {
		return nil, err
	}
	s.stop = append(s.stop, dyn.Stop)
	goaws, err := emulator.StartGoaws(ctx, emulator.Options{DataDir: dataDir})
	if err != nil {
		return nil, err
	}
	s.stop = append(s.stop, goaws.Stop)
	s.dynEP, s.sqsEP = dyn.Endpoint, goaws.Endpoint
	sm := fakesm.Start()
	s.stop = append(s.stop, sm.Close)
	s.smEP = sm.URL
	if s.plain, err = awsclient.Local(ctx, emulator.Region); err != nil {
		return nil, err
	}
	s.metered = s.plain.Copy()
	s.meter.Attach(&s.metered)
	s.db, s.sqs = s.dynamo(s.plain), s.queue(s.plain)

	if withKMS {
		if err := s.startKMS(ctx, dataDir); err != nil {
			return nil, err
		}
	}
	s.cfg = config.Defaults()
	s.cfg.AllowLoopback = true
	s.cfg.RetrySchedule = []time.Duration{time.Second, time.Second, time.Second}
	s.cfg.DeliveryTimeout = 5 * time.Second
	if err := dynamo.EnsureTable(ctx, s.db, s.cfg.Table); err != nil {
		return nil, err
	}
	// One delivery lane: every scenario's events are one organization's,
	// which a deployed stack's lanes send to one queue as well.
	var delivery string
	for name, url := range map[string]*string{
		"ingest": &s.cfg.IngestQueueURL, "ingest-dlq": &s.cfg.IngestDLQURL,
		"delivery": &delivery, "dlq": &s.cfg.DLQURL,
	} {
		out, err := s.sqs.API().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("cost-" + name),
			Attributes: map[string]string{"VisibilityTimeout": "30"}})
		if err != nil {
			return nil, fmt.Errorf("create queue %s: %w", name, err)
		}
		*url = aws.ToString(out.QueueUrl)
	}
	s.cfg.DeliveryQueues = lanes.Lanes{delivery}
	return s, nil
}

// Measure runs one scenario on fresh emulators.
func Measure(ctx context.Context, sc Scenario, dataDir string) (cost.Measurement, error) {
	s, err := startStack(ctx, dataDir, sc.envelope())
	if err != nil {
		return cost.Measurement{}, err
	}
	defer s.close()
	return s.run(ctx, sc)
}
