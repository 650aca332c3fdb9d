package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hookrelay/hookrelay/shared/devstate"
	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/emulator"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// runDLQ executes `hookrelay dlq args...` in-process.
func runDLQ(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newDLQCmd()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// noTarget makes sure no DLQ is reachable: a refusal must come from the
// argument checks, before any queue is touched.
func noTarget(t *testing.T) {
	t.Setenv(devstate.EnvDataDir, t.TempDir())
	t.Setenv("HOOKRELAY_DLQ_URL", "")
	t.Setenv("HOOKRELAY_DELIVERY_QUEUE_URL", "")
	t.Setenv("HOOKRELAY_TABLE", "")
}

func TestDLQRefusesAnEmptySelection(t *testing.T) {
	noTarget(t)
	_, _, err := runDLQ(t, "redrive")
	if !errors.Is(err, dlq.ErrNoSelection) || !strings.Contains(err.Error(), "--all") {
		t.Fatalf("redrive without selection: %v", err)
	}
	_, _, err = runDLQ(t, "redrive", "--dry-run")
	if !errors.Is(err, dlq.ErrNoSelection) {
		t.Fatalf("redrive --dry-run without selection: %v", err)
	}
	_, _, err = runDLQ(t, "purge", "--yes")
	if !errors.Is(err, dlq.ErrNoSelection) {
		t.Fatalf("purge --yes without selection: %v", err)
	}
	_, _, err = runDLQ(t, "redrive", "--all", "--org", "org_a")
	if !errors.Is(err, dlq.ErrInvalidFilter) {
		t.Fatalf("redrive --all with a filter: %v", err)
	}
}

func TestDLQPurgeNeedsYes(t *testing.T) {
	noTarget(t)
	for _, args := range [][]string{{"purge", "--all"}, {"purge", "--org", "org_a"}, {"purge", "some-id"}, {"purge", "--all", "--yes", "--dry-run"}} {
		if _, _, err := runDLQ(t, args...); err == nil || !strings.Contains(err.Error(), "--yes") {
			t.Errorf("%v: %v, want a refusal naming --yes", args, err)
		}
	}
}

// Both of purge's (--dry-run | --yes) given: the refusal says so, rather
// than advising to add what was typed.
func TestDLQPurgeRefusesDryRunWithYes(t *testing.T) {
	noTarget(t)
	_, _, err := runDLQ(t, "purge", "--reason", "permanent_status", "--dry-run", "--yes")
	if err == nil || !strings.Contains(err.Error(), "--dry-run and --yes cannot be used together") {
		t.Fatalf("purge --dry-run --yes: %v, want a refusal saying they cannot be used together", err)
	}
}

func TestDLQRejectsBadFilters(t *testing.T) {
	noTarget(t)
	for _, args := range [][]string{{"ls", "--tier", "tenant"}, {"ls", "--reason", "bogus"}, {"purge", "--reason", "permanent", "--yes"}, {"ls", "--since", "yesterday"}, {"redrive", "--since", "-1h"},
		{"ls", "--webhook", "bad id"}, {"purge", "--webhook", "WH_1", "--yes"}, {"redrive", "--since", time.Now().Add(time.Hour).Format(time.RFC3339)}} {
		if _, _, err := runDLQ(t, args...); !errors.Is(err, dlq.ErrInvalidFilter) {
			t.Errorf("%v: %v, want an invalid filter error", args, err)
		}
	}
	// With valid arguments the next problem is the missing local stack.
	if _, _, err := runDLQ(t, "ls"); !errors.Is(err, devstate.ErrNotRunning) {
		t.Errorf("ls without make dev: %v", err)
	}
}

// A state file left by a make dev that was killed names emulators that
// are gone: dlq says no stack runs instead of failing to connect.
func TestDLQIgnoresAKilledDevsStateFile(t *testing.T) {
	noTarget(t)
	dir := t.TempDir()
	t.Setenv(devstate.EnvDataDir, dir)
	if err := devstate.Write(dir, devstate.State{SQSEndpoint: "http://127.0.0.1:9", Region: emulator.Region, DLQURL: "http://127.0.0.1:9/q/dlq"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runDLQ(t, "ls"); !errors.Is(err, devstate.ErrNotRunning) {
		t.Fatalf("ls with a killed dev's state file: %v, want ErrNotRunning", err)
	}
}

// localDLQ is a `make dev` state on goaws that the dlq commands find, with
// an empty DLQ and delivery queue.
type localDLQ struct {
	q                   *sqsqueue.Client
	dlqURL, deliveryURL string
	endpoint, dataDir   string // goaws's, and the state file's folder
}

func newLocalDLQ(t *testing.T) localDLQ {
	t.Helper()
	endpoint := testenv.Goaws(t)
	api := testenv.SQSClient(t, endpoint)
	l := localDLQ{
		q:        sqsqueue.New(api),
		endpoint: endpoint,
		dataDir:  t.TempDir(),
		dlqURL:   testenv.Queue(t, api, "deliveries-dlq", map[string]string{"VisibilityTimeout": "30"}),
	}
	// Its lane dead-letters to its DLQ, as make dev's do: a redrive
	// sends only to the DLQ's own lanes.
	l.deliveryURL = testenv.Queue(t, api, "deliveries", map[string]string{"VisibilityTimeout": "30", "RedrivePolicy": redrivingTo("deliveries-dlq")})
	t.Setenv(devstate.EnvDataDir, l.dataDir)
	t.Setenv("HOOKRELAY_DLQ_URL", "")
	l.writeState(t, devstate.State{SQSEndpoint: endpoint})
	holdDevLock(t, l.dataDir)
	return l
}

// writeState writes the state file with s's endpoints and table (the
// region and queue URLs are l's).
func (l localDLQ) writeState(t *testing.T, s devstate.State) {
	t.Helper()
	s.Region, s.DeliveryQueueURL, s.DLQURL = emulator.Region, l.deliveryURL, l.dlqURL
	if err := devstate.Write(l.dataDir, s); err != nil {
		t.Fatal(err)
	}
}

// withTable gives the make dev a table (on a dynalite of its own) and the
// SQS endpoint sqs (goaws's, or a proxy in front of it).
func (l localDLQ) withTable(t *testing.T, sqs string) (*dynamodb.Client, string) {
	t.Helper()
	db, table := testenv.Table(t)
	l.writeState(t, devstate.State{SQSEndpoint: sqs, DynamoEndpoint: aws.ToString(db.Options().BaseEndpoint), Table: table})
	return db, table
}

// deadLetter puts a delivery of org_abc to webhook on the DLQ as the
// delivery Lambda does after its retries, and returns its body.
func (l localDLQ) deadLetter(t *testing.T, deliveryID, webhook string) string {
	t.Helper()
	d := message.Delivery{DeliveryID: deliveryID, EventID: "evt_" + deliveryID, OrgID: "org_abc", WebhookID: webhook, EventName: "emailClick", Envelope: `{"id":"evt","data":{"k":1}}`}
	body, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{message.AttrReason: message.ReasonRetriesExhausted, message.AttrLastStatus: "503", message.AttrAttempts: "4", message.AttrOrgID: "org_abc", message.AttrWebhookID: webhook}
	if err := l.q.Send(context.Background(), l.dlqURL, queue.Message{Body: body, Attributes: attrs}); err != nil {
		t.Fatal(err)
	}
	return body
}

func TestDLQAgainstALocalStack(t *testing.T) {
	l := newLocalDLQ(t)
	q, deliveryURL := l.q, l.deliveryURL
	var bodies []string
	for i, wh := range []string{"wh_fixed", "wh_fixed", "wh_other"} {
		bodies = append(bodies, l.deadLetter(t, fmt.Sprintf("dlv_%d", i), wh))
	}

	out, _, err := runDLQ(t, "ls", "--json", "--webhook", "wh_fixed")
	if err != nil {
		t.Fatal(err)
	}
	var listed []dlq.Entry
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed) != 2 {
		t.Fatalf("ls --json: %v, %d entries in %s", err, len(listed), out)
	}
	table, _, err := runDLQ(t, "ls")
	if err != nil || !strings.Contains(table, "REASON") || !strings.Contains(table, listed[0].MessageID) || !strings.Contains(table, "3 dead letters") {
		t.Fatalf("ls table: %v\n%s", err, table)
	}
	// A page's count is not the total when more follow.
	if first, _, err := runDLQ(t, "ls", "--limit", "2"); err != nil || !strings.Contains(first, "\n2 dead letters on this page, more follow\n") {
		t.Fatalf("ls --limit 2 of 3: %v\n%s", err, first)
	}
	// One page at a time: the next page's command goes to stderr.
	var paged []string
	cursorArg := regexp.MustCompile(`--cursor (\S+)`)
	args := []string{"ls", "--json", "--limit", "2"}
	for pages := 1; ; pages++ {
		out, hint, err := runDLQ(t, args...)
		var page []dlq.Entry
		if err != nil || json.Unmarshal([]byte(out), &page) != nil || len(page) > 2 {
			t.Fatalf("ls page %d: %v, %s", pages, err, out)
		}
		for _, e := range page {
			paged = append(paged, e.Raw)
		}
		m := cursorArg.FindStringSubmatch(hint)
		if m == nil {
			if pages != 2 {
				t.Fatalf("3 dead letters in pages of 2 took %d pages", pages)
			}
			break
		}
		args = []string{"ls", "--json", "--limit", "2", "--cursor", m[1]}
	}
	if slices.Sort(paged); !slices.Equal(paged, slices.Sorted(slices.Values(bodies))) {
		t.Fatalf("pages listed %v", paged)
	}
	shown, _, err := runDLQ(t, "show", "dlv_2")
	if err != nil || !strings.Contains(shown, "wh_other") || !strings.Contains(shown, `"k": 1`) {
		t.Fatalf("show: %v\n%s", err, shown)
	}

	// Ids that find nothing fail, as show does: a mistyped id is not done.
	if out, _, err := runDLQ(t, "redrive", "dlv_2", "no-such-letter", "--dry-run"); err == nil || !strings.Contains(err.Error(), "1 id of 2 matched no dead letter") || !strings.HasSuffix(err.Error(), ": no-such-letter") || !strings.Contains(out, "1 dead letter matches") {
		t.Fatalf("redrive of a known and an unknown id: %v\n%s", err, out)
	}

	out, _, err = runDLQ(t, "redrive", "--webhook", "wh_fixed")
	if err != nil || !strings.Contains(out, "redriven 2 of 2") {
		t.Fatalf("redrive: %v\n%s", err, out)
	}
	sent := map[string]bool{}
	for {
		msgs, err := q.ReceiveOnce(context.Background(), deliveryURL, 10, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 0 {
			break
		}
		for _, m := range msgs {
			sent[m.Body] = true
		}
	}
	if len(sent) != 2 || !sent[bodies[0]] || !sent[bodies[1]] {
		t.Fatalf("delivery queue holds %v", sent)
	}
	l.withTable(t, l.endpoint) // purge refuses to run without one
	if _, _, err := runDLQ(t, "purge", "no-such-letter", "--yes"); err == nil || !strings.Contains(err.Error(), "1 id of 1 matched no dead letter") {
		t.Fatalf("purge of an unknown id: %v", err)
	}
	// A dry run says what the purge would delete, and deletes nothing: the
	// purge after it finds the letter.
	out, _, err = runDLQ(t, "purge", "--webhook", "wh_other", "--dry-run")
	if err != nil || out != "dry run: 1 dead letter would be purged\n" {
		t.Fatalf("purge --dry-run: %v %q", err, out)
	}
	out, _, err = runDLQ(t, "purge", "--webhook", "wh_other", "--yes")
	if err != nil || !strings.Contains(out, "purged 1 dead letter\n") {
		t.Fatalf("purge: %v %s", err, out)
	}
	if out, _, _ := runDLQ(t, "ls", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("DLQ not empty after redrive and purge: %s", out)
	}
}

// Ids are checked one by one, not counted against the dead letters they
// selected: a delivery id may select two (a failed Resend leaves a second
// letter with it), and a message id given with its own delivery id one.
func TestDLQNamesEachIDThatMatchedNothing(t *testing.T) {
	l := newLocalDLQ(t)
	l.withTable(t, l.endpoint)
	l.deadLetter(t, "dlv_twice", "wh_fixed")
	l.deadLetter(t, "dlv_twice", "wh_fixed")
	l.deadLetter(t, "dlv_once", "wh_other")
	out, _, err := runDLQ(t, "ls", "--json", "--webhook", "wh_other")
	var listed []dlq.Entry
	if err != nil || json.Unmarshal([]byte(out), &listed) != nil || len(listed) != 1 {
		t.Fatalf("ls: %v\n%s", err, out)
	}
	once := listed[0].MessageID

	// The typo is named once, trimmed as the filter uses it.
	const typo = "1 id of 2 matched no dead letter (mistyped, already redriven or purged, or in flight in a running redrive): dlv_typo"
	out, _, err = runDLQ(t, "redrive", "dlv_twice", "dlv_typo", " dlv_typo", "--dry-run")
	if err == nil || err.Error() != typo || !strings.Contains(out, "2 dead letters match") {
		t.Fatalf("redrive of a delivery id with two letters and a typo: %v\n%s", err, out)
	}
	out, _, err = runDLQ(t, "redrive", once, "dlv_once", "--dry-run")
	if err != nil || !strings.Contains(out, "1 dead letter matches") {
		t.Fatalf("redrive of a message id and its own delivery id: %v\n%s", err, out)
	}
	out, _, err = runDLQ(t, "purge", once, "dlv_once", "--yes")
	if err != nil || out != "purged 1 dead letter\n" {
		t.Fatalf("purge of a message id and its own delivery id: %v\n%s", err, out)
	}
	out, _, err = runDLQ(t, "purge", "dlv_twice", "dlv_typo", "--yes")
	if err == nil || err.Error() != typo || out != "purged 2 dead letters\n" {
		t.Fatalf("purge of a delivery id with two letters and a typo: %v\n%s", err, out)
	}
	if out, _, _ := runDLQ(t, "ls", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("DLQ not empty after the purges: %s", out)
	}
}

func TestStackOutputsReadsDescribeStacks(t *testing.T) {
	srv := newStackStandIn(t, "hookrelay", map[string]string{
		outputDLQURL:      "https://sqs.eu-west-1.amazonaws.com/1/dlq",
		outputDeliveryURL: "https://sqs.eu-west-1.amazonaws.com/1/q",
	})
	api := cloudformation.NewFromConfig(testenv.AWSConfig(t), func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	out, err := stackOutputs(context.Background(), api, "hookrelay")
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.Asked(); !slices.Equal(got, []string{"DescribeStacks hookrelay"}) || out[outputDLQURL] != "https://sqs.eu-west-1.amazonaws.com/1/dlq" || out[outputDeliveryURL] != "https://sqs.eu-west-1.amazonaws.com/1/q" {
		t.Fatalf("requests %q, outputs %v", got, out)
	}

	// Without credentials nothing is sent: the error says what to configure.
	noCreds := cloudformation.NewFromConfig(testenv.AWSConfig(t), func(o *cloudformation.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{}, errors.New("no credentials configured")
		})
	})
	if _, err := stackOutputs(context.Background(), noCreds, "hookrelay"); err == nil || !strings.Contains(err.Error(), "configure AWS credentials and a region") {
		t.Fatalf("without credentials: %v, want the hint", err)
	}
	// A refusal is AWS's answer: it gets no hint.
	if _, err := stackOutputs(context.Background(), api, "nope"); err == nil || !strings.Contains(err.Error(), "does not exist") || strings.Contains(err.Error(), "configure AWS") {
		t.Fatalf("a refused describe: %v, want AWS's error without the hint", err)
	}
}
