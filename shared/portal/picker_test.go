package portal

import (
	"regexp"
	"strings"
	"testing"
)

var summaryTag = regexp.MustCompile(`<summary>(.*?)</summary>`)

// Each "Example payload" control in the event picker names its event
// type, so a screen reader's list of controls tells them apart.
func TestExamplePayloadsNameTheirEvent(t *testing.T) {
	h := testHandler(t, &fakeAPI{t: t, hook: healthyHook()})
	page := get(h, h.newForm, "/portal/webhooks/new").Body.String()
	summaries := summaryTag.FindAllStringSubmatch(page, -1)
	types := h.o.Catalog.Types()
	if len(summaries) != len(types) {
		t.Fatalf("%d example controls for %d types", len(summaries), len(types))
	}
	seen := map[string]bool{}
	for _, s := range summaries {
		name := words(s[1])
		if !strings.HasPrefix(name, "Example payload of ") || seen[name] {
			t.Errorf("example control named %q", name)
		}
		seen[name] = true
	}
}
