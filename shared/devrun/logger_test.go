package devrun

import (
	"log/slog"
	"strings"
	"testing"
)

// TestEveryLineWritesTheHandlersDebugLines: the logger dev gives the
// handlers writes a DEBUG line through an INFO-level logger, with its
// attributes, while that logger itself still leaves DEBUG out.
func TestEveryLineWritesTheHandlersDebugLines(t *testing.T) {
	var out strings.Builder
	log := NewLogger(&out, slog.LevelInfo)
	log.Debug("poller batch")
	everyLine(log).With("org_id", "org_a").Debug("delivery attempt", "outcome", "delivered")
	got := out.String()
	if strings.Contains(got, "poller batch") {
		t.Errorf("the INFO logger wrote a DEBUG line:\n%s", got)
	}
	if !strings.Contains(got, "msg=\"delivery attempt\" org_id=org_a outcome=delivered") {
		t.Errorf("the handlers' DEBUG line is missing:\n%s", got)
	}
}
