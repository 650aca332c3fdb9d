package devrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devstate"
	"github.com/hookrelay/hookrelay/shared/emulator"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// startStack starts a stack on a free port and stops it when the test ends.
func startStack(t *testing.T, dataDir string) *Stack {
	t.Helper()
	s, err := tryStart(t, dataDir, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

func tryStart(t *testing.T, dataDir, addr string) (*Stack, error) {
	t.Helper()
	var logs testenv.Buffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("stack log:\n%s", logs.String())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return Start(ctx, Options{
		DataDir: dataDir,
		Addr:    addr,
		Env:     map[string]string{"HOOKRELAY_RETRY_SCHEDULE": "1s,1s,1s", "HOOKRELAY_DELIVERY_TIMEOUT": "2s"},
		Logger:  NewLogger(&logs, slog.LevelDebug),
	})
}

func TestStackServesTheAPIAndWritesItsState(t *testing.T) {
	dir := t.TempDir()
	s := startStack(t, dir)

	resp, err := http.Get(s.API + "/openapi.json")
	if err != nil {
		t.Fatalf("GET /openapi.json: %v", err)
	}
	defer resp.Body.Close()
	var spec map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&spec); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.json = %d, %v", resp.StatusCode, err)
	}
	if _, ok := spec["openapi"]; !ok {
		t.Fatalf("/openapi.json has no openapi version: %v", spec)
	}

	st, err := devstate.Read(dir)
	if err != nil {
		t.Fatalf("devstate: %v", err)
	}
	if st.API != s.API || st.PID != os.Getpid() || st.Table != s.Config.Table ||
		st.DeliveryQueueURL != s.Config.DeliveryQueues.String() || len(s.Config.DeliveryQueues) != lanes.Count || st.DLQURL == "" || st.IngestQueueURL == "" || st.IngestDLQURL == "" ||
		st.HeaderPrefix != s.Config.HeaderPrefix {
		t.Fatalf("state file %+v does not describe the stack %+v", st, s.Config)
	}
	if !s.Config.AllowLoopback {
		t.Fatal("dev mode must allow loopback endpoints")
	}
	// The queue URLs name goaws's own address, so that one copied into
	// `hookrelay dlq --dlq-url` (which goes where the URL's host says)
	// reaches it: goaws's own URLs put the region before the host
	// (us-east-1.127.0.0.1), a name that resolves nowhere.
	for _, u := range append([]string{st.DLQURL, st.IngestQueueURL, st.IngestDLQURL}, lanes.Parse(st.DeliveryQueueURL)...) {
		if !strings.HasPrefix(u, st.SQSEndpoint+"/") {
			t.Errorf("queue URL %s is not on goaws's endpoint %s", u, st.SQSEndpoint)
		}
	}
}

// TestDeliveryLanesHaveTheRedriveAndVisibilityOfTheDesign: every lane is a
// delivery queue like the deployed ones, redriving to the one DLQ.
func TestDeliveryLanesHaveTheRedriveAndVisibilityOfTheDesign(t *testing.T) {
	s := startStack(t, t.TempDir())
	if len(s.Config.DeliveryQueues) != lanes.Count {
		t.Fatalf("%d delivery lanes, want %d", len(s.Config.DeliveryQueues), lanes.Count)
	}
	for _, u := range s.Config.DeliveryQueues {
		checkDeliveryQueue(t, s, u)
	}
}

func checkDeliveryQueue(t *testing.T, s *Stack, queueURL string) {
	t.Helper()
	out, err := s.SQS.API().GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(queueURL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll},
	})
	if err != nil {
		t.Fatalf("queue attributes: %v", err)
	}
	vis, _ := strconv.Atoi(out.Attributes[string(types.QueueAttributeNameVisibilityTimeout)])
	if min := 6 * s.Config.DeliveryTimeout; time.Duration(vis)*time.Second < min {
		t.Errorf("delivery visibility timeout %ds is below 6 × the delivery timeout (%s)", vis, min)
	}
	var redrive struct {
		Target     string `json:"deadLetterTargetArn"`
		MaxReceive any    `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(out.Attributes[string(types.QueueAttributeNameRedrivePolicy)]), &redrive); err != nil {
		t.Fatalf("redrive policy %q: %v", out.Attributes[string(types.QueueAttributeNameRedrivePolicy)], err)
	}
	// The same count as the deployed queue: attempts and deferrals first.
	if want := config.DeliveryMaxReceive(s.Config.RetrySchedule); !strings.HasSuffix(redrive.Target, ":"+DeliveryDLQ) || fmt.Sprint(redrive.MaxReceive) != fmt.Sprint(want) {
		t.Errorf("redrive policy = %+v, want the DLQ after %d receives", redrive, want)
	}
}

func TestSecondStartOnTheSameDataDirIsRefused(t *testing.T) {
	dir := t.TempDir()
	startStack(t, dir)
	s2, err := tryStart(t, dir, "127.0.0.1:0")
	if err == nil {
		s2.Stop()
		t.Fatal("a second stack started on the same data folder")
	}
	want := fmt.Sprintf("hookrelay dev is already running (pid %d)", os.Getpid())
	if !errors.Is(err, ErrAlreadyRunning) || !strings.Contains(err.Error(), want) {
		t.Fatalf("second Start: %v; want %q", err, want)
	}
}

func TestPortInUseIsReportedBeforeAnythingStarts(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	dir := t.TempDir()
	_, err = tryStart(t, dir, taken.Addr().String())
	want := fmt.Sprintf("port %s is already in use", taken.Addr())
	if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), want) {
		t.Fatalf("Start on a taken port: %v; want %q", err, want)
	}
	// Nothing was left behind: no emulator log was even created, and the
	// lock is free again.
	if _, err := os.Stat(dir + "/goaws.log"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("emulators were started before the port check (goaws.log: %v)", err)
	}
	lk, err := acquireLock(dir)
	if err != nil {
		t.Fatalf("lock not released after the failed start: %v", err)
	}
	lk.release()
}

func TestNonLoopbackAddressIsRefused(t *testing.T) {
	_, err := tryStart(t, t.TempDir(), "0.0.0.0:0")
	if err == nil || !strings.Contains(err.Error(), "loopback only") || !strings.Contains(err.Error(), `HOOKRELAY_ADDR="0.0.0.0:0"`) {
		t.Fatalf("Start on 0.0.0.0: %v; want a loopback-only error naming HOOKRELAY_ADDR", err)
	}
}

func TestStopEndsEveryChildAndReleasesTheDataDir(t *testing.T) {
	dir := t.TempDir()
	s, err := tryStart(t, dir, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	// Who listens is read from /proc, not dialled: another package's test
	// may be handed a port Stop freed, and would answer a dial.
	children := childListeners(t)
	for _, p := range []int{portOf(t, s.State.DynamoEndpoint), portOf(t, s.State.SQSEndpoint)} {
		found := false
		for _, addrs := range children {
			found = found || listensOn(addrs, p)
		}
		if !found {
			t.Fatalf("no child process listens on emulator port %d: %v", p, children)
		}
	}
	api := portOf(t, s.API)
	if own, err := emulator.ProcessListeningAddrs(os.Getpid()); err != nil || !listensOn(own, api) {
		t.Fatalf("the test process does not listen on the API port %d: %v %v", api, own, err)
	}
	s.Stop()
	s.Stop() // idempotent

	for pgid := range children {
		if addrs, err := emulator.ListeningAddrs(pgid); err != nil || len(addrs) != 0 {
			t.Errorf("emulator group %d still listens on %v after Stop (%v)", pgid, addrs, err)
		}
	}
	if own, err := emulator.ProcessListeningAddrs(os.Getpid()); err != nil || listensOn(own, api) {
		t.Errorf("the API still listens on port %d after Stop (%v)", api, err)
	}
	if _, err := devstate.Read(dir); !errors.Is(err, devstate.ErrNotRunning) {
		t.Errorf("state file left after Stop: %v", err)
	}
	if err := s.Err(); err != nil {
		t.Errorf("a clean Stop reported a failure: %v", err)
	}
	lk, err := acquireLock(dir)
	if err != nil {
		t.Fatalf("lock held after Stop: %v", err)
	}
	lk.release()
}

func portOf(t *testing.T, endpoint string) int {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatalf("no port in %s", endpoint)
	}
	return p
}

// drain reads a body so keep-alive connections are reused.
func drain(r *http.Response) { _, _ = io.Copy(io.Discard, r.Body); r.Body.Close() }

// A catalog edited wrong stops `make dev` with the catalog's own error,
// before anything starts, instead of a handler panicking on first use.
func TestABrokenCatalogStopsTheStartFirst(t *testing.T) {
	broken := errors.New("catalog: catalog/types/orderPaid.schema.json: not JSON")
	checkCatalog = func() error { return broken }
	t.Cleanup(func() { checkCatalog = catalog.CheckEmbedded })
	dir := t.TempDir()
	if _, err := tryStart(t, dir, "127.0.0.1:0"); !errors.Is(err, broken) {
		t.Fatalf("Start with a broken catalog: %v, want the catalog's error", err)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("the failed start left %v in its data dir (%v)", entries, err)
	}
}

// A damaged dynalite folder makes dynalite exit after it listens: the
// start fails naming dynalite and its log, not with a refused connection.
func TestAnEmulatorExitingDuringStartupIsNamed(t *testing.T) {
	dir := t.TempDir()
	current := filepath.Join(dir, "dynamodb", "CURRENT")
	if err := os.MkdirAll(filepath.Dir(current), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(current, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := tryStart(t, dir, "127.0.0.1:0")
	if err == nil {
		s.Stop()
		t.Fatal("a stack started on a damaged dynalite folder")
	}
	if want := "dynalite exited during startup (see " + filepath.Join(dir, "dynamodb.log"); !strings.Contains(err.Error(), want) {
		t.Fatalf("start on a damaged dynalite folder: %v; want %q", err, want)
	}
}
