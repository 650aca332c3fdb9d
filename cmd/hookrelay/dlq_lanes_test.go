package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// A redrive, and its dry run (which says what the real run would do),
// refuses a "lane" that is not a delivery lane of the DLQ, one whose
// RedrivePolicy does not send to it, before it reads or sends anything
// (the ingest queue as --queue-url answered "redriven 1
// of 1", and the letter became a malformed event in the ingest DLQ, where
// neither recover nor the dlq commands reach it; the DLQ itself took the
// letter back as a new message stripped of its reason and attempts).
func TestDLQRedriveRefusesQueuesThatAreNotLanesOfTheDLQ(t *testing.T) {
	noTarget(t)
	loopbackAWS(t)
	endpoint := testenv.Goaws(t)
	d := newDeployedDLQ(t, endpoint, "deliveries", 1)
	other := newDeployedDLQ(t, endpoint, "other", 0) // another stack's
	ingestDLQ := goawsQueue(t, endpoint, "ingest-dlq", nil)
	ingest := goawsQueue(t, endpoint, "ingest", map[string]string{"RedrivePolicy": redrivingTo("ingest-dlq")})
	plain := goawsQueue(t, endpoint, "plain", nil)
	notOurs := func(from, lane, sendsTo string) string {
		return from + ` "` + lane + `" is not a delivery lane of this DLQ: its RedrivePolicy sends to ` + testenv.QueueARN(sendsTo) + `, not to the DLQ (` + testenv.QueueARN("deliveries-dlq") + `)`
	}
	for _, c := range []struct{ env, flag, want string }{
		{"", ingest, notOurs("--queue-url", ingest, "ingest-dlq")},
		{ingest, "", notOurs("HOOKRELAY_DELIVERY_QUEUE_URL", ingest, "ingest-dlq")},
		{"", d.dlqURL, `--queue-url "` + d.dlqURL + `" is the DLQ itself, not a delivery lane of it`},
		{"", plain, `--queue-url "` + plain + `" is not a delivery lane of this DLQ: it has no RedrivePolicy`},
		// One stray lane refuses the run: nothing goes to the good one either.
		{"", d.lane + "," + other.lane, notOurs("--queue-url", other.lane, "other-dlq")},
	} {
		t.Setenv("HOOKRELAY_DELIVERY_QUEUE_URL", c.env)
		args := []string{"redrive", "--all", "--dlq-url", d.dlqURL}
		if c.flag != "" {
			args = append(args, "--queue-url", c.flag)
		}
		for _, dry := range []bool{true, false} {
			args := args
			if dry {
				args = append(args, "--dry-run")
			}
			out, _, err := runDLQ(t, args...)
			if err == nil || err.Error() != c.want || out != "" {
				t.Errorf("%q: %v, stdout %q; want only %q", args, err, out, c.want)
			}
		}
	}
	for _, q := range []struct {
		url  string
		want int
	}{{d.dlqURL, 1}, {d.lane, 0}, {other.lane, 0}, {ingest, 0}, {ingestDLQ, 0}, {plain, 0}} {
		if got := d.depth(t, q.url); got != q.want {
			t.Errorf("after the refused redrives %s holds %d messages, want %d", q.url, got, q.want)
		}
	}

	// The DLQ's own lane takes the letter.
	t.Setenv("HOOKRELAY_DELIVERY_QUEUE_URL", "")
	out, _, err := runDLQ(t, "redrive", "--all", "--dlq-url", d.dlqURL, "--queue-url", d.lane)
	if err != nil || !strings.Contains(out, "redriven 1 of 1 matching dead letter") || d.depth(t, d.lane) != 1 {
		t.Fatalf("redrive to the DLQ's lane: %v\n%s", err, out)
	}
}

// The reverse slip: a queue that dead-letters elsewhere (a delivery lane,
// the ingest queue) given as the DLQ is refused by every command before
// it receives anything: a listing would hide the lane's live deliveries
// for the length of its scan, a purge delete them.
func TestDLQRefusesAQueueThatDeadLettersElsewhereAsTheDLQ(t *testing.T) {
	noTarget(t)
	loopbackAWS(t)
	endpoint := testenv.Goaws(t)
	d := newDeployedDLQ(t, endpoint, "deliveries", 0)
	// A delivery on its lane, as a purge of the lane would find it.
	localDLQ{q: d.q, dlqURL: d.lane}.deadLetter(t, "dlv_live", "wh_fixed")
	db, table := testenv.Table(t)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", aws.ToString(db.Options().BaseEndpoint))
	want := `--dlq-url "` + d.lane + `" is not a DLQ: its RedrivePolicy sends to ` + testenv.QueueARN("deliveries-dlq")
	for _, args := range [][]string{
		{"ls"}, {"show", "dlv_live"}, {"purge", "--all", "--yes"},
		{"redrive", "--all", "--dry-run", "--queue-url", d.lane},
	} {
		args = append(args, "--dlq-url", d.lane, "--table", table)
		out, _, err := runDLQ(t, args...)
		if err == nil || err.Error() != want || out != "" {
			t.Errorf("%q: %v, stdout %q; want only %q", args, err, out, want)
		}
	}
	if n := d.depth(t, d.lane); n != 1 {
		t.Fatalf("the lane holds %d messages after the refusals, want its 1", n)
	}
	// Named by the variable, the refusal names it.
	t.Setenv("HOOKRELAY_DLQ_URL", d.lane)
	if _, _, err := runDLQ(t, "ls"); err == nil || !strings.HasPrefix(err.Error(), `HOOKRELAY_DLQ_URL "`+d.lane+`" is not a DLQ`) {
		t.Errorf("ls with HOOKRELAY_DLQ_URL a lane: %v", err)
	}
}

// The ingest DLQ has no RedrivePolicy, like the delivery DLQ, so the queue
// checks let it through; the first producer event a command receives
// refuses it, before anything is listed, deleted or sent (`dlq purge --tier
// pipeline --yes` deleted the producer events, the
// only copy of each).
func TestDLQRefusesTheIngestDLQAsTheDLQ(t *testing.T) {
	noTarget(t)
	loopbackAWS(t)
	endpoint := testenv.Goaws(t)
	d := newDeployedDLQ(t, endpoint, "deliveries", 0)
	ingestDLQ := goawsQueue(t, endpoint, "ingest-dlq", nil)
	// Given with its DLQ, the ingest queue passes as its lane.
	ingest := goawsQueue(t, endpoint, "ingest", map[string]string{"RedrivePolicy": redrivingTo("ingest-dlq")})
	event := `{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"emailClik","source":"hookrelay","account":"000000000000","time":"2026-12-02T09:00:00Z","region":"us-east-1","resources":[],"detail":{"organization_id":"org_a","data":{}}}`
	if err := d.q.Send(context.Background(), ingestDLQ, queue.Message{Body: event, Attributes: map[string]string{"reason": "unknown_event_type"}}); err != nil {
		t.Fatal(err)
	}
	db, table := testenv.Table(t)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", aws.ToString(db.Options().BaseEndpoint))
	for _, args := range [][]string{
		{"ls"}, {"show", "6a7e8feb-b491-4cf7-a9f1-bf3703467718"}, {"purge", "--tier", "pipeline", "--yes"}, {"purge", "--all", "--yes"},
		{"redrive", "--all", "--dry-run", "--queue-url", ingest}, {"redrive", "--all", "--queue-url", ingest},
	} {
		args = append(args, "--dlq-url", ingestDLQ, "--table", table)
		out, _, err := runDLQ(t, args...)
		switch out { // a purge or a redrive says what it did before its error
		case "purged 0 dead letters\n", "redriven 0 dead letters: stopped before the DLQ scan ended, so nothing was sent\n":
			out = ""
		}
		if err == nil || !strings.Contains(err.Error(), "holds producer events (EventBridge events), as the ingest DLQ does") || out != "" {
			t.Errorf("%q: %v, stdout %q; want the ingest DLQ refused", args, err, out)
		}
	}
	if n := d.depth(t, ingestDLQ); n != 1 {
		t.Fatalf("the ingest DLQ holds %d messages after the refusals, want its 1", n)
	}
	if n := d.depth(t, ingest); n != 0 {
		t.Fatalf("the ingest queue holds %d messages", n)
	}
}
