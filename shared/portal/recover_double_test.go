package portal

import (
	"net/url"
	"strings"
	"testing"
)

// The page a double click on Recover shows is the second call's: its dead
// letters were skipped because the first call searched them moments
// before (and queued them). It must not say they could not be searched.
func TestSecondRecoverPageSaysAnEarlierRecoverSearchedTheDeadLetters(t *testing.T) {
	v, _ := url.ParseQuery("done=recovered&queued=0&incomplete=1&since=2026-11-23T09%3A15%3A07Z")
	got := recoveredNotice(v)
	if strings.Contains(got, "could not be searched") || strings.Contains(got, "No missed deliveries were found") || !strings.Contains(got, "a recover less than 30 s ago") || !strings.Contains(got, "Recover again in a minute") {
		t.Errorf("second recover's notice: %q", got)
	}
}
