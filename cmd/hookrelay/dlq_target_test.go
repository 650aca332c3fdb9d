package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/devstate"
)

// Target flags that would be ignored (the command then acting on the
// running make dev) are refused, before any stack or queue is looked at.
func TestDLQRefusesIgnoredTargetFlags(t *testing.T) {
	noTarget(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ls", "--queue-url", "https://sqs.eu-west-1.amazonaws.com/1/q"}, "--queue-url needs --dlq-url or --stack"},
		{[]string{"ls", "--table", "hookrelay"}, "--table needs --dlq-url or --stack"},
		{[]string{"redrive", "--all", "--table", "hookrelay"}, "--table needs --dlq-url or --stack"},
		{[]string{"ls", "--stack", ""}, "--stack is empty"},
		{[]string{"purge", "--all", "--yes", "--stack", " "}, "--stack is empty"},
		{[]string{"show", "dlv_1", "--dlq-url", ""}, "--dlq-url is empty"},
		// An unset variable must not hand the choice to the environment's
		// HOOKRELAY_TABLE or lanes.
		{[]string{"ls", "--dlq-url", "http://127.0.0.1:9/000000000000/dlq", "--table", ""}, "--table is empty"},
		{[]string{"redrive", "--all", "--dlq-url", "http://127.0.0.1:9/000000000000/dlq", "--queue-url", " "}, "--queue-url is empty"},
	} {
		_, _, err := runDLQ(t, c.args...)
		if err == nil || errors.Is(err, devstate.ErrNotRunning) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want a refusal with %q", c.args, err, c.want)
		}
	}
}

// A redrive of a deployed stack's DLQ without its lanes is refused before
// anything is read, dry run too, naming the ways to give them.
func TestDLQRedriveNeedsTheLanes(t *testing.T) {
	noTarget(t)
	loopbackAWS(t)
	t.Setenv("HOOKRELAY_DLQ_URL", "http://127.0.0.1:9/000000000000/deliveries-dlq")
	t.Setenv("HOOKRELAY_DELIVERY_QUEUE_URL", " , ")
	const want = "redrive needs the delivery lanes' queue URLs: pass --queue-url, set HOOKRELAY_DELIVERY_QUEUE_URL, or use --stack (its DeliveryQueueUrl output)"
	for _, args := range [][]string{{"redrive", "--all", "--dry-run"}, {"redrive", "--all"}, {"redrive", "dlv_1"}} {
		out, _, err := runDLQ(t, args...)
		if err == nil || err.Error() != want || out != "" {
			t.Errorf("%v: %v, stdout %q; want only %q", args, err, out, want)
		}
	}
}

// A DLQ or lane URL that is not an http(s) URL with a host is refused,
// naming where it came from, before any AWS call (the SDK
// sent "notaurl" to the region's endpoint and a failed lookup came back
// as an answer lost in transit).
func TestDLQRefusesAQueueURLThatIsNotOne(t *testing.T) {
	noTarget(t)
	loopbackAWS(t)
	const dlqURL = "http://127.0.0.1:9/000000000000/deliveries-dlq"
	for _, c := range []struct {
		env  string
		args []string
		want string
	}{
		{"", []string{"ls", "--dlq-url", "notaurl"}, `--dlq-url "notaurl": want a queue URL`},
		{"", []string{"ls", "--dlq-url", "sqs.us-east-1.amazonaws.com/1/q"}, `--dlq-url "sqs.us-east-1.amazonaws.com/1/q": want`},
		{"notaurl", []string{"show", "dlv_1"}, `HOOKRELAY_DLQ_URL "notaurl": want a queue URL`},
		{"", []string{"redrive", "--all", "--dlq-url", dlqURL, "--queue-url", dlqURL + ",lane2"}, `--queue-url "lane2": want a queue URL`},
	} {
		// No clock: a request would have failed at loopbackAWS's closed
		// port with another error than the refusal.
		t.Setenv("HOOKRELAY_DLQ_URL", c.env)
		_, _, err := runDLQ(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want a refusal with %q", c.args, err, c.want)
		}
	}
}

// loopbackAWS points the SDK at a closed loopback port with stand-in
// credentials: were a refusal missed, its request fails there, never
// reaching AWS or the instance metadata service.
func loopbackAWS(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}
