// Package devrun is the local runtime behind `hookrelay dev`: emulators,
// table and queues, the API on loopback, and pollers that feed the fan-out
// and delivery handlers exactly as the Lambda SQS event sources do. End-to-
// end tests start the same stack in-process through Start.
package devrun

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/awsclient"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devstate"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/emulator"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/poller"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
)

// Options configure a local stack. Zero values mean what `make dev` does.
type Options struct {
	// DataDir holds the lock, dynalite's files, secrets, logs and the state
	// file; "" means devstate.DataDir() (.hookrelay at the repository root).
	DataDir string
	// Addr is the API address; "" takes HOOKRELAY_ADDR (default
	// 127.0.0.1:8080). "127.0.0.1:0" picks a free port (tests).
	Addr string
	// Env overrides HOOKRELAY_* variables of the process environment, so
	// tests choose e.g. a short HOOKRELAY_RETRY_SCHEDULE without Setenv.
	Env map[string]string
	// SecretStoreFlag says the store in Env came from dev's --secret-store
	// flag: a refusal of it then names the flag the user typed.
	SecretStoreFlag bool
	// Logger defaults to NewLogger(os.Stderr, slog.LevelInfo).
	Logger *slog.Logger
	// FanoutConcurrency and DeliverConcurrency are the batches in flight per
	// queue. Fan-out defaults to 5, the deployed fan-out's maximum
	// concurrency (fanoutReservedConcurrency), so the local stack does not
	// overstate fan-out's pace. Delivery defaults to 4 per lane (Lambda
	// scales to 5 a lane; a laptop need not).
	FanoutConcurrency, DeliverConcurrency int
	// WrapDeliver, when set, wraps the deliver handler the delivery poller
	// invokes. Test-only (the e2e chaos test injects batch panics with it);
	// `hookrelay dev` never sets it.
	WrapDeliver func(queue.Handler) queue.Handler
	// WrapFanout does the same for the fan-out handler (the e2e secret
	// audit reads every ingest message through it).
	WrapFanout func(queue.Handler) queue.Handler
}

// checkCatalog is catalog.CheckEmbedded; a test breaks it.
var checkCatalog = catalog.CheckEmbedded

// Stack is a running local pipeline.
type Stack struct {
	API     string // http://127.0.0.1:PORT
	DataDir string
	Config  config.Config // as the handlers see it: queue URLs filled, AllowLoopback on, own ports denied
	State   devstate.State
	Dynamo  *dynamodb.Client
	SQS     *sqsqueue.Client
	Logger  *slog.Logger

	closers  []func() // undo steps of Start, run in reverse by Stop
	stopping chan struct{}
	stopOnce sync.Once
	failed   chan struct{}
	failOnce sync.Once
	err      error
}

// Start brings the whole stack up; on error everything it started is
// stopped again. The caller must call Stop.
func Start(ctx context.Context, o Options) (*Stack, error) {
	s := &Stack{stopping: make(chan struct{}), failed: make(chan struct{}), Logger: o.Logger}
	if s.Logger == nil {
		s.Logger = NewLogger(os.Stderr, slog.LevelInfo)
	}
	if err := s.start(ctx, o); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Stack) start(ctx context.Context, o Options) error {
	// The handlers compile a type's schema on its first use; a catalog
	// edited wrong is one error naming its file now, not a panic later.
	if err := checkCatalog(); err != nil {
		return err
	}
	cfg, err := loadConfig(o)
	if err != nil {
		return err
	}
	if s.DataDir, err = dataDir(o.DataDir); err != nil {
		return err
	}
	// Lock before the port check: a second `make dev` must say "already
	// running", not "port in use".
	lk, err := acquireLock(s.DataDir)
	if err != nil {
		return err
	}
	s.onStop(lk.release)
	if err := checkSecretStore(s.DataDir, storeChoice(o, cfg.SecretStore)); err != nil {
		return err
	}
	ln, err := listenLoopback(cfg.Addr)
	if err != nil {
		return err
	}
	s.onStop(func() { ln.Close() })
	cfg.Addr = ln.Addr().String()
	s.API = "http://" + cfg.Addr

	dyn, goaws, err := s.startEmulators(ctx)
	if err != nil {
		return err
	}
	// Every emulator the stack runs, in one list: each is watched, and each
	// one's port is denied to webhooks along with the API's.
	emulators := []*emulator.Process{dyn, goaws}
	kms, err := s.startKMS(ctx, cfg)
	if err != nil {
		return err
	}
	if kms != nil {
		emulators = append(emulators, kms)
	}
	cfg.DeniedLoopbackPorts = ownPorts(ln, emulators)
	if err := s.connect(ctx, &cfg, dyn, goaws); err != nil {
		return s.startupError(err, emulators)
	}
	store, err := s.secretStore(ctx, &cfg, kms)
	if err != nil {
		return s.startupError(err, emulators)
	}
	s.Config = cfg
	h, err := newHandlers(cfg, s.Dynamo, s.SQS, store, s.DataDir, s.Logger)
	if err != nil {
		return fmt.Errorf("build the app: %w", err)
	}
	if o.WrapDeliver != nil {
		h.Deliver = o.WrapDeliver(h.Deliver)
	}
	if o.WrapFanout != nil {
		h.Fanout = o.WrapFanout(h.Fanout)
	}
	s.serve(ln, h.API)
	s.poll(o, h.Fanout, h.Deliver)

	s.State = devstate.State{
		PID: os.Getpid(), API: s.API, DynamoEndpoint: dyn.Endpoint, SQSEndpoint: goaws.Endpoint,
		Region: emulator.Region, Table: cfg.Table, DeliveryQueueURL: cfg.DeliveryQueues.String(), DLQURL: cfg.DLQURL,
		IngestQueueURL: cfg.IngestQueueURL, IngestDLQURL: cfg.IngestDLQURL,
		SecretStore: cfg.SecretStore, SecretKeyID: cfg.SecretKeyID, HeaderPrefix: cfg.HeaderPrefix,
	}
	if kms != nil {
		s.State.KMSEndpoint = kms.Endpoint
	}
	if err := devstate.Write(s.DataDir, s.State); err != nil {
		return fmt.Errorf("write %s: %w", devstate.FileName, err)
	}
	if err := markSecretStore(s.DataDir, cfg.SecretStore); err != nil {
		return err
	}
	s.onStop(func() { devstate.Remove(s.DataDir) })
	s.watch(emulators...)
	return nil
}

// loadConfig reads HOOKRELAY_* with Options.Env taking precedence. Dev mode
// always allows loopback endpoints: that is what makes a local receiver
// work. Start then denies the stack's own ports (API, emulators): a webhook
// URL must never drive them (a URL at goaws would run SQS actions).
func loadConfig(o Options) (config.Config, error) {
	cfg, err := config.FromLookup(func(name string) (string, bool) {
		if v, ok := o.Env[name]; ok {
			return v, true
		}
		return os.LookupEnv(name)
	})
	if err != nil {
		return cfg, err
	}
	if o.Addr != "" {
		cfg.Addr = o.Addr
	}
	cfg.AllowLoopback = true
	return cfg, nil
}

func dataDir(dir string) (string, error) {
	if dir == "" {
		var err error
		if dir, err = devstate.DataDir(); err != nil {
			return "", err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("data folder: %w", err)
	}
	return filepath.Abs(dir)
}

// startEmulators runs dynalite (persisted, so webhooks survive a restart)
// and goaws (in memory: queues are recreated below), logging to files.
func (s *Stack) startEmulators(ctx context.Context) (dyn, goaws *emulator.Process, err error) {
	dynLog, err := s.logFile(logName(emulator.DynaliteName))
	if err != nil {
		return nil, nil, err
	}
	if dyn, err = emulator.StartDynalite(ctx, emulator.Options{DataDir: filepath.Join(s.DataDir, "dynamodb"), Log: dynLog}); err != nil {
		return nil, nil, err
	}
	s.onStop(dyn.Stop)
	goawsLog, err := s.logFile(logName(emulator.GoawsName))
	if err != nil {
		return nil, nil, err
	}
	if goaws, err = emulator.StartGoaws(ctx, emulator.Options{DataDir: filepath.Join(s.DataDir, "goaws"), Log: goawsLog}); err != nil {
		return nil, nil, err
	}
	s.onStop(goaws.Stop)
	return dyn, goaws, nil
}

// logFile holds one emulator's output for this run (truncated at start).
func (s *Stack) logFile(name string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(s.DataDir, name), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	s.onStop(func() { f.Close() })
	return f, nil
}

// connect builds the clients, then the table and queues, and fills their
// names into cfg.
func (s *Stack) connect(ctx context.Context, cfg *config.Config, dyn, goaws *emulator.Process) error {
	awsCfg, err := awsclient.Local(ctx, emulator.Region)
	if err != nil {
		return err
	}
	s.Dynamo = dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(dyn.Endpoint) })
	sqsAPI := sqs.NewFromConfig(awsCfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(goaws.Endpoint) })
	s.SQS = sqsqueue.New(sqsAPI)
	if err := dynamo.EnsureTable(ctx, s.Dynamo, cfg.Table); err != nil {
		return fmt.Errorf("create table %s: %w", cfg.Table, err)
	}
	q, err := createQueues(ctx, sqsAPI, *cfg)
	if err != nil {
		return err
	}
	cfg.IngestQueueURL, cfg.IngestDLQURL = q.Ingest, q.IngestDLQ
	cfg.DeliveryQueues, cfg.DLQURL = q.Delivery, q.DLQ
	return nil
}

func (s *Stack) serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.fail(fmt.Errorf("API server: %w", err))
		}
	}()
	s.onStop(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	})
}

// deliveryOrg is a delivery message's tenant ("" for poison).
func deliveryOrg(m events.SQSMessage) string {
	d, err := message.Decode(m.Body)
	if err != nil {
		return ""
	}
	return d.OrgID
}

// poll runs the event source mappings of the stack: fan-out's, and one
// per delivery lane, each with its own consumers as on AWS.
func (s *Stack) poll(o Options, fanout, deliver queue.Handler) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	// goaws-loopback hands out the ingest queue's messages fairly by group
	// (fairorder.go): fan-out's invocations are short, so its poller takes
	// them as received. It reads nothing ahead either: a message pooled
	// past its time would come back with a receive counted that fan-out
	// never saw, and the ingest queue allows only 5.
	pollers := []*poller.Poller{{Name: "fanout", QueueURL: s.Config.IngestQueueURL, Handler: fanout,
		Concurrency: orDefault(o.FanoutConcurrency, 5), Timeout: fanoutTimeout}}
	for i, u := range s.Config.DeliveryQueues {
		// Fair dispatch by organization: a deliver invocation can hold its
		// batch for the delivery timeout, so each takes one organization's
		// messages, as SQS fair queues spread consumers on AWS.
		pollers = append(pollers, &poller.Poller{Name: laneName("deliver", i), QueueURL: u, Handler: deliver,
			Concurrency: orDefault(o.DeliverConcurrency, 4), Timeout: deliverTimeout(s.Config),
			Group: deliveryOrg, StaleAfter: deliveryVisibility(s.Config) / 2})
	}
	for _, p := range pollers {
		p.Queue, p.Logger = s.SQS, s.Logger
		wg.Go(func() {
			if err := p.Run(ctx); err != nil {
				s.fail(err)
			}
		})
	}
	s.onStop(func() { cancel(); wg.Wait() })
}

// watch reports an emulator that exits while the stack runs: the pipeline
// cannot work without it, so `hookrelay dev` must stop rather than limp on.
func (s *Stack) watch(procs ...*emulator.Process) {
	for _, p := range procs {
		go func() {
			select {
			case <-p.Done():
				select {
				case <-s.stopping:
				default:
					s.fail(fmt.Errorf("%s exited unexpectedly (see %s)", p.Name, filepath.Join(s.DataDir, logName(p.Name))))
				}
			case <-s.stopping:
			}
		}()
	}
}

// startupError names an emulator that exited while the stack started (a
// damaged data folder: dynalite listens before it opens its files): the
// client's error, a refused connection, says nothing of the cause, which
// is in the emulator's log. An exit is waited for briefly, as the refused
// connection may come before the process is reaped.
func (s *Stack) startupError(err error, procs []*emulator.Process) error {
	for deadline := time.Now().Add(time.Second); ; time.Sleep(50 * time.Millisecond) {
		for _, p := range procs {
			select {
			case <-p.Done():
				return fmt.Errorf("%s exited during startup (see %s; `make clean` resets a damaged data folder): %w",
					p.Name, filepath.Join(s.DataDir, logName(p.Name)), err)
			default:
			}
		}
		if time.Now().After(deadline) {
			return err
		}
	}
}

// ownPorts are the stack's own loopback ports: the API's and every
// emulator's. Dev mode's loopback allowance never reaches them.
func ownPorts(api net.Listener, emulators []*emulator.Process) []int {
	ports := []int{api.Addr().(*net.TCPAddr).Port}
	for _, p := range emulators {
		ports = append(ports, p.Port)
	}
	return ports
}

// emulatorLogs names each emulator's log file in the data folder: the
// one place both the file and the message pointing at it take it from.
var emulatorLogs = map[string]string{
	emulator.DynaliteName: "dynamodb.log",
	emulator.GoawsName:    "goaws.log",
	emulator.KMSName:      "kms.log",
}

func logName(emulatorName string) string {
	if name, ok := emulatorLogs[emulatorName]; ok {
		return name
	}
	return emulatorName + ".log"
}

func (s *Stack) fail(err error) {
	s.failOnce.Do(func() {
		s.err = err
		s.Logger.Error("local stack failed", "error", err)
		close(s.failed)
	})
}

// Failed is closed when a part of the stack stops on its own; Err says why.
func (s *Stack) Failed() <-chan struct{} { return s.failed }

// Err is the failure that closed Failed, nil before.
func (s *Stack) Err() error {
	select {
	case <-s.failed:
		return s.err
	default:
		return nil
	}
}

// Stop stops pollers, the API, the emulators (and their children), removes
// the state file and releases the lock. It is safe to call more than once.
func (s *Stack) Stop() {
	s.stopOnce.Do(func() {
		close(s.stopping)
		for i := len(s.closers) - 1; i >= 0; i-- {
			s.closers[i]()
		}
		s.closers = nil
	})
}

// onStop registers an undo step for Stop.
func (s *Stack) onStop(f func()) { s.closers = append(s.closers, f) }

func orDefault(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}
