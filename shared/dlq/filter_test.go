package dlq

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/message"
)

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	if got, err := ParseSince("90m", now); err != nil || !got.Equal(now.Add(-90*time.Minute)) {
		t.Errorf("90m: %v %v", got, err)
	}
	if got, err := ParseSince("2026-04-30T08:00:00Z", now); err != nil || !got.Equal(time.Date(2026, 4, 30, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("RFC 3339: %v %v", got, err)
	}
	if got, err := ParseSince("2026-05-01T12:00:00Z", now); err != nil || !got.Equal(now) {
		t.Errorf("now: %v %v", got, err)
	}
	for _, bad := range []string{"yesterday", "-1h", "0s", "2026-04-30", "2026-05-01T12:00:01Z", "2026-05-01T15:00:00+02:00"} {
		if _, err := ParseSince(bad, now); !errors.Is(err, ErrInvalidFilter) {
			t.Errorf("%q: %v, want ErrInvalidFilter", bad, err)
		}
	}
}

func TestSelectNeedsAllOrAFilterButNotBoth(t *testing.T) {
	now := time.Now()
	if _, err := Select(FilterSpec{}, false, now); !errors.Is(err, ErrNoSelection) {
		t.Errorf("nothing selected: %v", err)
	}
	if _, err := Select(FilterSpec{IDs: []string{" ", ""}}, false, now); !errors.Is(err, ErrNoSelection) {
		t.Errorf("blank ids select nothing: %v", err)
	}
	if _, err := Select(FilterSpec{Reason: "permanent_status"}, true, now); !errors.Is(err, ErrInvalidFilter) {
		t.Errorf("all plus a filter: %v", err)
	}
	if f, err := Select(FilterSpec{}, true, now); err != nil || !f.Empty() {
		t.Errorf("all: %+v %v", f, err)
	}
	f, err := Select(FilterSpec{WebhookID: " wh_1 ", Tier: TierEndpoint}, false, now)
	if err != nil || f.WebhookID != "wh_1" || f.Tier != TierEndpoint {
		t.Errorf("filter: %+v %v", f, err)
	}
}

// A reason no dead letter can carry is a typo: refused, naming the reasons,
// instead of an empty list (or a purge that silently matches nothing).
func TestAFilterTakesOnlyDeadLetterReasons(t *testing.T) {
	now := time.Now()
	for _, r := range message.DeadLetterReasons {
		if f, err := (FilterSpec{Reason: " " + r + " "}).Filter(now); err != nil || f.Reason != r {
			t.Errorf("reason %q: %+v %v", r, f, err)
		}
	}
	_, err := FilterSpec{Reason: "permanent"}.Filter(now)
	if !errors.Is(err, ErrInvalidFilter) || !strings.Contains(err.Error(), message.ReasonPermanentStatus) {
		t.Errorf("reason permanent: %v, want ErrInvalidFilter naming the reasons", err)
	}
}

// A webhook id in a form no webhook has is a typo: refused like an
// invalid organization id, instead of an empty list or a purge of nothing.
func TestAFilterTakesOnlyWebhookIDs(t *testing.T) {
	now := time.Now()
	if f, err := (FilterSpec{WebhookID: " wh_01jd3k4m5n6p7q8r9s0t1v2w3x "}).Filter(now); err != nil || f.WebhookID != "wh_01jd3k4m5n6p7q8r9s0t1v2w3x" {
		t.Errorf("valid id: %+v %v", f, err)
	}
	for _, bad := range []string{"bad id", "wh_", "01jd3k4m5n6p7q8r9s0t1v2w3x", "wh_A1", "wh_a#b", "org_a", "dlv_1"} {
		_, err := FilterSpec{WebhookID: bad}.Filter(now)
		if !errors.Is(err, ErrInvalidFilter) || !strings.Contains(err.Error(), "not a webhook id") {
			t.Errorf("webhook %q: %v, want ErrInvalidFilter", bad, err)
		}
	}
}

// A since in the future would select nothing: refused, as webhooks
// recover refuses it.
func TestAFilterRefusesASinceInTheFuture(t *testing.T) {
	now := time.Now()
	_, err := FilterSpec{Since: now.Add(time.Hour).Format(time.RFC3339)}.Filter(now)
	if !errors.Is(err, ErrInvalidFilter) || !strings.Contains(err.Error(), "in the future") {
		t.Errorf("since in an hour: %v, want ErrInvalidFilter saying so", err)
	}
}

func TestUnmatchedNamesEachIDThatSelectedNothing(t *testing.T) {
	twice := &message.Delivery{DeliveryID: "dlv_twice"}
	selected := []Entry{
		{MessageID: "m1", Delivery: twice},
		{MessageID: "m2", Delivery: twice}, // a failed Resend's second letter
		{MessageID: "m3", Delivery: &message.Delivery{DeliveryID: "dlv_once"}},
		{MessageID: "m4"}, // poison: no delivery id
	}
	f := Filter{IDs: []string{"dlv_twice", "dlv_typo", "m3", "dlv_once", "m4", "dlv_typo", "m9"}}
	if got := f.unmatched(selected); strings.Join(got, ",") != "dlv_typo,m9" {
		t.Fatalf("unmatched %q, want dlv_typo and m9 once each", got)
	}
	if got := (Filter{IDs: []string{"m1"}}).unmatched(nil); strings.Join(got, ",") != "m1" {
		t.Fatalf("nothing selected: %q", got)
	}
}

// A recover since an endpoint's failing_since (fractional seconds) selects
// the dead letter of the run's first failure, recorded in whole seconds.
func TestSinceSelectsALetterOfItsOwnSecond(t *testing.T) {
	since := time.Date(2026, 5, 1, 12, 0, 0, 700_000_000, time.UTC)
	e := Entry{LastAttempt: since.Truncate(time.Second)}
	if !(Filter{Since: since}).Matches(e) {
		t.Fatalf("a letter of since's own second was left out")
	}
	if (Filter{Since: since}).Matches(Entry{LastAttempt: since.Truncate(time.Second).Add(-time.Second)}) {
		t.Fatalf("a letter of the second before was selected")
	}
}
