package portal

import (
	"net/url"
	"strings"
	"testing"
)

// The page a double click on Recover shows is the second call's: its dead
// letters were skipped because the first call searched them moments
// before (and queued them). It must not say they could not be searched,
// and it says what to do in a tenant's words, without the operator's
// terms.
func TestSecondRecoverPageSaysAnEarlierRecoverSearchedTheDeadLetters(t *testing.T) {
	v, _ := url.ParseQuery("done=recovered&queued=0&incomplete=1&since=2026-11-23T09%3A15%3A07Z")
	got := recoveredNotice(v)
	if strings.Contains(got, "could not be searched") || strings.Contains(got, "No missed deliveries were found") ||
		!strings.Contains(got, "Some missed deliveries may not have been queued yet. Press Recover again in a minute to queue any that remain.") {
		t.Errorf("second recover's notice: %q", got)
	}
	for _, jargon := range []string{"dead-letter", "recover queues", "could not be read"} {
		if strings.Contains(got, jargon) {
			t.Errorf("second recover's notice speaks of %q: %q", jargon, got)
		}
	}
}
