package rfc3339_test

import (
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/rfc3339"
)

func TestParseTakesEitherCase(t *testing.T) {
	want := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"2026-12-01T00:00:00Z", "2026-12-01t00:00:00z", "2026-12-01t01:00:00+01:00", "2026-12-01T00:00:00.000z"} {
		if got, err := rfc3339.Parse(s); err != nil || !got.Equal(want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "2026-12-01", "2026-12-01 00:00:00Z", "2026-12-01x00:00:00z", "24h"} {
		if got, err := rfc3339.Parse(s); err == nil {
			t.Errorf("Parse(%q) = %v, want an error", s, got)
		}
	}
}
