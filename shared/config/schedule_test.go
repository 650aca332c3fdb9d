package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseScheduleKeepsRetriesWithinWhatSQSHonours(t *testing.T) {
	if got, err := ParseSchedule("30s, 10h"); err != nil || len(got) != 2 || got[1] != 10*time.Hour {
		t.Fatalf("a 10 h step: %v %v", got, err)
	}
	for sched, want := range map[string]string{
		"12h":                        "must be in (0, 10h]", // SQS refuses 12 h once any time passed since the receive
		"30s,10h1s":                  "must be in (0, 10h]",
		"0s":                         "must be in (0, 10h]",
		"10h,10h,10h,10h,10h,10h,6h": "span 72h36m0s; they must fit in 72h",
		"30s,soon":                   "soon",
	} {
		if _, err := ParseSchedule(sched); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error containing %q", sched, err, want)
		}
	}
	// The span counts the jitter: 65 h of steps is 71.5 h of retries.
	if _, err := ParseSchedule("10h,10h,10h,10h,10h,10h,5h"); err != nil {
		t.Errorf("a 65 h schedule fits: %v", err)
	}
	if _, err := FromLookup(lookupOf(map[string]string{EnvRetrySchedule: "12h"})); err == nil {
		t.Error("Load accepted a schedule SQS cannot honour")
	}
}
