package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/emulator"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// deployedDLQ is a stack's DLQ and delivery lane on a goaws, the lane's
// RedrivePolicy sending to the DLQ as a deployed stack's does.
type deployedDLQ struct {
	localDLQ
	lane string
}

// newDeployedDLQ creates name-dlq and name-lane on the goaws at endpoint
// and puts letters dead letters on the DLQ.
func newDeployedDLQ(t *testing.T, endpoint, name string, letters int) deployedDLQ {
	t.Helper()
	api := testenv.SQSClient(t, endpoint)
	d := deployedDLQ{localDLQ: localDLQ{q: sqsqueue.New(api), endpoint: endpoint}}
	d.dlqURL = goawsQueue(t, endpoint, name+"-dlq", nil)
	d.lane = goawsQueue(t, endpoint, name+"-lane", map[string]string{"RedrivePolicy": redrivingTo(name + "-dlq")})
	for i := range letters {
		d.deadLetter(t, fmt.Sprintf("dlv_%s_%d", name, i), "wh_fixed")
	}
	return d
}

// goawsQueue creates a queue and names it by goaws's loopback address
// (goaws's own URLs put the region before the host).
func goawsQueue(t *testing.T, endpoint, name string, attrs map[string]string) string {
	t.Helper()
	testenv.Queue(t, testenv.SQSClient(t, endpoint), name, attrs)
	return endpoint + "/" + emulator.AccountID + "/" + name
}

// redrivingTo is a RedrivePolicy dead-lettering to the goaws queue dlq.
func redrivingTo(dlq string) string {
	return `{"deadLetterTargetArn":"` + testenv.QueueARN(dlq) + `","maxReceiveCount":"5"}`
}

// depth is how many messages the queue holds, visible or not.
func (d deployedDLQ) depth(t *testing.T, url string) int {
	t.Helper()
	n, err := testenv.QueueDepth(context.Background(), d.q.API(), url)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// --stack NAME acts on the named stack: its outputs beat the environment
// (a staging stack's HOOKRELAY_* left in the shell), flags beat both, and
// stderr says which DLQ and where it came from (the
// environment won silently, `ls --stack Prod` listed staging's DLQ and a
// redrive sent staging's letters into Prod's lanes).
func TestDLQStackOutputsBeatTheEnvironment(t *testing.T) {
	noTarget(t)
	loopbackAWS(t)
	endpoint := testenv.Goaws(t)
	prod := newDeployedDLQ(t, endpoint, "prod", 1)
	staging := newDeployedDLQ(t, endpoint, "staging", 2)
	db, table := testenv.Table(t)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", aws.ToString(db.Options().BaseEndpoint))
	cfn := newStackStandIn(t, "Prod", map[string]string{outputDLQURL: prod.dlqURL, outputDeliveryURL: prod.lane, outputTable: table})
	t.Setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", cfn.URL)
	t.Setenv("HOOKRELAY_DLQ_URL", staging.dlqURL)
	t.Setenv("HOOKRELAY_DELIVERY_QUEUE_URL", staging.lane)
	t.Setenv("HOOKRELAY_TABLE", "staging-table") // not on the dynalite: using it fails

	fromStack := "DLQ: " + prod.dlqURL + " (stack Prod's DlqUrl output)\n"
	out, errOut, err := runDLQ(t, "ls", "--stack", "Prod")
	if err != nil || !strings.Contains(out, "\n1 dead letter\n") || errOut != fromStack {
		t.Fatalf("ls --stack Prod with staging's variables: %v\nstdout:\n%s\nstderr:\n%s\nwant Prod's 1 letter and stderr %q", err, out, errOut, fromStack)
	}
	// --json keeps stdout JSON: the DLQ line is on stderr.
	out, errOut, err = runDLQ(t, "ls", "--stack", "Prod", "--json")
	var listed []dlq.Entry
	if err != nil || json.Unmarshal([]byte(out), &listed) != nil || len(listed) != 1 || errOut != fromStack {
		t.Fatalf("ls --json --stack Prod: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	// A flag beats the stack's output, and says so.
	out, errOut, err = runDLQ(t, "ls", "--stack", "Prod", "--dlq-url", staging.dlqURL)
	if want := "DLQ: " + staging.dlqURL + " (--dlq-url)\n"; err != nil || !strings.Contains(out, "\n2 dead letters\n") || errOut != want {
		t.Fatalf("ls --stack Prod --dlq-url staging's: %v\nstdout:\n%s\nstderr:\n%s\nwant staging's 2 letters and stderr %q", err, out, errOut, want)
	}
	// Without --stack the environment names the DLQ, and stderr says so.
	t.Setenv("HOOKRELAY_TABLE", table)
	out, errOut, err = runDLQ(t, "ls")
	if want := "DLQ: " + staging.dlqURL + " (HOOKRELAY_DLQ_URL)\n"; err != nil || !strings.Contains(out, "\n2 dead letters\n") || errOut != want {
		t.Fatalf("ls with HOOKRELAY_DLQ_URL: %v\nstdout:\n%s\nstderr:\n%s\nwant stderr %q", err, out, errOut, want)
	}
	t.Setenv("HOOKRELAY_TABLE", "staging-table")

	// The redrive takes Prod's letter to Prod's lane; staging's stay.
	out, errOut, err = runDLQ(t, "redrive", "--all", "--stack", "Prod")
	if err != nil || !strings.Contains(out, "redriven 1 of 1 matching dead letter") || errOut != fromStack {
		t.Fatalf("redrive --all --stack Prod: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	if p, s, sd := prod.depth(t, prod.lane), prod.depth(t, staging.lane), prod.depth(t, staging.dlqURL); p != 1 || s != 0 || sd != 2 {
		t.Fatalf("after redrive --stack Prod: Prod's lane holds %d (want 1), staging's lane %d (want 0), staging's DLQ %d (want 2)", p, s, sd)
	}
	for _, asked := range cfn.Asked() {
		if asked != "DescribeStacks Prod" {
			t.Errorf("CloudFormation was asked %q", asked)
		}
	}
}
