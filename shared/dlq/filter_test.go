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
	for _, bad := range []string{"yesterday", "-1h", "0s", "2026-04-30"} {
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
