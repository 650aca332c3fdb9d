package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/message"
)

// A tenant's recover leaves its own test's dead letter for the operators;
// ls and show mark it, so it is not redriven as a producer's webhook.test.
func TestDLQOutputMarksATenantsTest(t *testing.T) {
	test := dlq.Entry{MessageID: "m1", EventName: "webhook.test", Delivery: &message.Delivery{EventName: "webhook.test", Test: true}}
	published := dlq.Entry{MessageID: "m2", EventName: "webhook.test", Delivery: &message.Delivery{EventName: "webhook.test"}}
	var b bytes.Buffer
	if err := writeEntriesTable(&b, []dlq.Entry{test, published}, false, 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if !strings.HasSuffix(strings.TrimSpace(lines[1]), "webhook.test (tenant's test)") || !strings.HasSuffix(strings.TrimSpace(lines[2]), " webhook.test") {
		t.Fatalf("dlq ls:\n%s", b.String())
	}
	for _, c := range []struct {
		e    dlq.Entry
		want string
	}{{test, "event:        webhook.test (tenant's test)\n"}, {published, "event:        webhook.test\n"}} {
		b.Reset()
		if err := writeEntry(&b, c.e); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("dlq show %s:\n%s\nwant %q", c.e.MessageID, b.String(), c.want)
		}
	}
}

// Ages are never negative: under make dev a letter's sent time is when
// goaws was asked for it, seconds after the page's now.
func TestDLQAgeIsNeverNegative(t *testing.T) {
	now := time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{now.Add(2 * time.Second), "0s"}, {now, "0s"}, {now.Add(-90 * time.Second), "1m"}, {now.Add(-72 * time.Hour), "3d"}, {time.Time{}, "-"},
	} {
		if got := age(now, c.at); got != c.want {
			t.Errorf("age of %s at %s: %q, want %q", c.at, now, got, c.want)
		}
	}
}
