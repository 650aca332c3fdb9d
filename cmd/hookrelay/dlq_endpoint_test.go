package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/devstate"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/emulator"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// emulatorDLQ is a DLQ on a goaws of its own holding n dead letters, and
// the URL that names it by goaws's loopback address.
func emulatorDLQ(t *testing.T, n int) (endpoint, dlqURL string) {
	t.Helper()
	endpoint = testenv.Goaws(t)
	api := testenv.SQSClient(t, endpoint)
	l := localDLQ{q: sqsqueue.New(api), dlqURL: testenv.Queue(t, api, "deliveries-dlq", nil)}
	for i := range n {
		l.deadLetter(t, fmt.Sprintf("dlv_%d", i), "wh_fixed")
	}
	return endpoint, endpoint + "/" + emulator.AccountID + "/deliveries-dlq"
}

// A DLQ URL on an emulator's host is read there, not at the SDK's own SQS
// endpoint (the host was ignored, and the commands
// listed a same-named queue wherever AWS_ENDPOINT_URL pointed).
func TestDLQURLOnAnotherHostIsReadThere(t *testing.T) {
	noTarget(t)
	loopbackAWS(t)
	a, aURL := emulatorDLQ(t, 1)
	b, bURL := emulatorDLQ(t, 2)
	for _, c := range []struct {
		sdkEndpoint, dlqURL, want string
	}{
		{b, aURL, "\n1 dead letter\n"},
		{a, bURL, "\n2 dead letters\n"},
	} {
		t.Setenv("AWS_ENDPOINT_URL", c.sdkEndpoint)
		out, _, err := runDLQ(t, "ls", "--dlq-url", c.dlqURL)
		if err != nil || !strings.Contains(out, c.want) {
			t.Errorf("ls --dlq-url %s with the SDK pointed at %s: %v\n%s\nwant %q", c.dlqURL, c.sdkEndpoint, err, out, c.want)
		}
	}
}

// recordedAWS answers every AWS request on this machine, as an empty SQS
// answer, and records the host and signing scope each was meant for: the
// AWS-host cases are checked without sending anything. Queue attributes
// are a stack's: a queue named *dlq is a DLQ, every other dead-letters to
// its account's "dlq".
type recordedAWS struct {
	mu    sync.Mutex
	hosts []string
	auth  []string
}

func (r *recordedAWS) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	r.mu.Lock()
	r.hosts = append(r.hosts, req.URL.Host)
	r.auth = append(r.auth, req.Header.Get("Authorization"))
	r.mu.Unlock()
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "application/x-amz-json-1.0")
	if req.Header.Get("X-Amz-Target") == "AmazonSQS.GetQueueAttributes" {
		_ = json.NewEncoder(rec).Encode(map[string]any{"Attributes": standInQueueAttributes(body)})
	} else {
		rec.WriteString("{}")
	}
	return rec.Result(), nil
}

// standInQueueAttributes answers a GetQueueAttributes request's body.
func standInQueueAttributes(body []byte) map[string]string {
	var in struct{ QueueUrl string }
	_ = json.Unmarshal(body, &in)
	path := strings.Split(in.QueueUrl, "/")
	account, name := path[len(path)-2], path[len(path)-1]
	arn := func(name string) string { return "arn:aws:sqs:stand-in:" + account + ":" + name }
	attrs := map[string]string{"QueueArn": arn(name)}
	if !strings.HasSuffix(name, "dlq") {
		attrs["RedrivePolicy"] = `{"deadLetterTargetArn":"` + arn("dlq") + `","maxReceiveCount":5}`
	}
	return attrs
}

// answerAWSLocally routes every AWS call of the commands to a recordedAWS
// for the test, with stand-in credentials and no endpoint override.
func answerAWSLocally(t *testing.T) *recordedAWS {
	loopbackAWS(t)
	t.Setenv("AWS_ENDPOINT_URL", "")
	rec := &recordedAWS{}
	saved := awsTransport
	awsTransport = rec
	t.Cleanup(func() { awsTransport = saved })
	return rec
}

// An AWS queue URL is read in its own region, whatever the profile's
// (it went to AWS_REGION's endpoint).
func TestDLQURLOfAnotherRegionIsReadInIt(t *testing.T) {
	noTarget(t)
	for _, c := range []struct{ dlqURL, host, region string }{
		{"https://sqs.ap-southeast-2.amazonaws.com/123456789012/hookrelay-dlq", "sqs.ap-southeast-2.amazonaws.com", "ap-southeast-2"},
		{"https://us-west-2.queue.amazonaws.com/123456789012/hookrelay-dlq", "sqs.us-west-2.amazonaws.com", "us-west-2"},
		{"https://sqs.cn-north-1.amazonaws.com.cn/123456789012/hookrelay-dlq", "sqs.cn-north-1.amazonaws.com.cn", "cn-north-1"},
		{"https://sqs.us-gov-west-1.amazonaws.com/123456789012/hookrelay-dlq", "sqs.us-gov-west-1.amazonaws.com", "us-gov-west-1"},
	} {
		rec := answerAWSLocally(t) // AWS_REGION is eu-west-1
		out, _, err := runDLQ(t, "ls", "--dlq-url", c.dlqURL)
		if err != nil || !strings.Contains(out, "0 dead letters") {
			t.Errorf("ls --dlq-url %s: %v\n%s", c.dlqURL, err, out)
			continue
		}
		for i, host := range rec.hosts {
			if host != c.host || !strings.Contains(rec.auth[i], "/"+c.region+"/sqs/") {
				t.Errorf("ls --dlq-url %s sent a request to %s signed %q, want %s in %s", c.dlqURL, host, rec.auth[i], c.host, c.region)
			}
		}
		if len(rec.hosts) == 0 {
			t.Errorf("ls --dlq-url %s sent nothing", c.dlqURL)
		}
	}
}

// Lanes on another SQS endpoint or region than the DLQ are refused: the
// commands reach one endpoint, and would send the redriven letters to a
// same-named queue there.
func TestDLQRefusesLanesElsewhereThanTheDLQ(t *testing.T) {
	noTarget(t)
	loopbackAWS(t)
	const aws = "https://sqs.us-east-1.amazonaws.com/123456789012/"
	for _, c := range []struct{ dlqURL, lanes, want string }{
		{"http://127.0.0.1:9/000000000000/deliveries-dlq", aws + "deliveries", `--queue-url "` + aws + `deliveries" is at sqs.us-east-1.amazonaws.com (us-east-1), the DLQ at 127.0.0.1:9`},
		{aws + "dlq", "https://sqs.eu-west-1.amazonaws.com/123456789012/deliveries", "is at sqs.eu-west-1.amazonaws.com (eu-west-1), the DLQ at sqs.us-east-1.amazonaws.com (us-east-1)"},
		{aws + "dlq", aws + "lane0,http://127.0.0.1:9/000000000000/lane1", `"http://127.0.0.1:9/000000000000/lane1" is at 127.0.0.1:9`},
	} {
		_, _, err := runDLQ(t, "redrive", "--all", "--dry-run", "--dlq-url", c.dlqURL, "--queue-url", c.lanes)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--dlq-url %s --queue-url %s: %v, want a refusal with %q", c.dlqURL, c.lanes, err, c.want)
		}
	}
	// The same region in the legacy host form is the same endpoint.
	answerAWSLocally(t)
	if _, _, err := runDLQ(t, "redrive", "--all", "--dry-run", "--dlq-url", aws+"dlq", "--queue-url", "https://us-east-1.queue.amazonaws.com/123456789012/lane0"); err != nil {
		t.Errorf("lanes in the DLQ's region, legacy host: %v", err)
	}
}

// Without credentials the commands say so in one line, and the SDK's
// logger prints nothing of the metadata service it asked.
func TestDLQWithoutCredentialsSaysSoInOneLine(t *testing.T) {
	noTarget(t)
	loopbackAWS(t)
	noCredentials(t)
	stderr := captureStderr(t)
	_, errOut, err := runDLQ(t, "ls", "--dlq-url", "http://127.0.0.1:9/000000000000/deliveries-dlq")
	const want = "no AWS credentials: log in (aws sso login) or set AWS_PROFILE"
	if err == nil || err.Error() != want {
		t.Errorf("ls without credentials: %v, want %q", err, want)
	}
	if printed := stderr() + errOut; strings.Contains(printed, "SDK") || strings.Contains(printed, "IMDS") {
		t.Errorf("the SDK printed its internals:\n%s", printed)
	}
}

// noCredentials leaves the standard credential chain nothing to find: no
// keys, profile or files, and an "instance metadata service" on loopback
// answering 403, as one did on a developer's machine.
func noCredentials(t *testing.T) {
	t.Helper()
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	t.Cleanup(imds.Close)
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
		"AWS_CONFIG_FILE": dir + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.URL,
	} {
		t.Setenv(k, v)
	}
}

// captureStderr sends the process's stderr (where the SDK's default
// logger writes) to a file until the returned function reads it back.
func captureStderr(t *testing.T) func() string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = f
	restore := func() { os.Stderr = saved }
	t.Cleanup(restore)
	return func() string {
		restore()
		b, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
}

// silentPeer is a loopback TCP server that accepts each connection and
// never answers, as a black-holing proxy or VPN does; its connections
// are closed when the test ends.
func silentPeer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// An SQS that never answers fails the command within the answer timeout,
// naming the host (not the queue's path), and the scan lock it took is
// free at once (every dlq command hung, and kept
// the others out with dlq_busy until the lock lapsed).
func TestDLQSilentSQSFailsAndFreesTheScanLock(t *testing.T) {
	noTarget(t)
	loopbackAWS(t)
	db, table := testenv.Table(t)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", aws.ToString(db.Options().BaseEndpoint))
	shortAnswerTimeout(t)
	peer := silentPeer(t)

	start := time.Now()
	_, _, err := runDLQ(t, "ls", "--dlq-url", "http://"+peer+"/000000000000/secret-queue-name", "--table", table)
	took := time.Since(start)
	want := "SQS at " + peer + " did not answer within " + testAnswerTimeout.String()
	if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "secret-queue-name") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("ls against a silent SQS: %v, want one line starting %q, without the queue's path", err, want)
	}
	// A receive whose answer is lost may have hidden messages: the scan
	// waits that out (about 3 s) up to three times before it gives up. The
	// bound tells a hang (the walk's ls never ended) from a slow machine.
	if took > 2*time.Minute {
		t.Errorf("ls against a silent SQS took %s", took)
	}
	tok, err := dynamo.NewLocks(db, table).Acquire(context.Background(), "dlq-scan", time.Second)
	if err != nil || tok == "" {
		t.Fatalf("scan lock after the failed ls: token %q, %v; want it free", tok, err)
	}
}

// make dev's emulators get the same timeouts. The same command against
// the running goaws succeeds under that timeout: the silence, not the
// timeout, fails it (a timeout below the scan's long poll would fail a
// healthy queue too).
func TestDLQSilentLocalSQSFails(t *testing.T) {
	l := newLocalDLQ(t)
	shortAnswerTimeout(t)
	if out, _, err := runDLQ(t, "ls"); err != nil || !strings.Contains(out, "0 dead letters") {
		t.Fatalf("ls against make dev's answering goaws: %v\n%s", err, out)
	}
	peer := silentPeer(t)
	l.writeState(t, devstate.State{SQSEndpoint: "http://" + peer})
	_, _, err := runDLQ(t, "ls")
	if want := "SQS at " + peer + " did not answer within " + testAnswerTimeout.String(); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("ls against make dev with a silent goaws: %v, want %q", err, want)
	}
}

// testAnswerTimeout is well above the scan's 1 s long poll, which an
// answering SQS takes to answer an empty receive (a loaded machine adds
// to it), and below the 10 s default.
const testAnswerTimeout = 4 * time.Second

// shortAnswerTimeout gives AWS testAnswerTimeout to answer, for the test.
func shortAnswerTimeout(t *testing.T) {
	saved := awsAnswerTimeout
	awsAnswerTimeout = testAnswerTimeout
	t.Cleanup(func() { awsAnswerTimeout = saved })
}

// The DLQ URL make dev stores is one an operator can pass as --dlq-url:
// it names goaws's own address (it named us-east-1.127.0.0.1, which
// resolves nowhere, and worked only while the URL's host was ignored).
func TestMakeDevsDLQURLWorksAsDLQURL(t *testing.T) {
	loopbackAWS(t)
	s := startDevStack(t, nil)
	out, _, err := runDLQ(t, "ls", "--dlq-url", s.State.DLQURL)
	if err != nil || !strings.Contains(out, "0 dead letters") {
		t.Fatalf("ls --dlq-url %s (make dev's): %v\n%s", s.State.DLQURL, err, out)
	}
	// make dev's lanes are delivery lanes of its DLQ (their RedrivePolicy
	// sends to it), addressed as make dev or as a deployed stack; its
	// ingest queue is not one.
	for _, args := range [][]string{
		{"redrive", "--all", "--dry-run"},
		{"redrive", "--all", "--dry-run", "--dlq-url", s.State.DLQURL, "--queue-url", s.State.DeliveryQueueURL},
	} {
		if out, _, err := runDLQ(t, args...); err != nil || !strings.Contains(out, "dry run: 0 dead letters match") {
			t.Errorf("%q: %v\n%s", args, err, out)
		}
	}
	_, _, err = runDLQ(t, "redrive", "--all", "--dry-run", "--dlq-url", s.State.DLQURL, "--queue-url", s.State.IngestQueueURL)
	if want := `its RedrivePolicy sends to ` + testenv.QueueARN(devrun.IngestDLQ) + `, not to the DLQ (` + testenv.QueueARN(devrun.DeliveryDLQ) + `)`; err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("redrive to make dev's ingest queue: %v, want a refusal ending %q", err, want)
	}
}
