package portal

import (
	"regexp"
	"testing"

	"github.com/hookrelay/hookrelay/shared/webhook"
)

var (
	// glued is a sentence or clause run into the next word: "again,Recover",
	// "UTC.Enable". words keeps inline tags from adding the space a page
	// left out, so such a page shows here as a browser shows it.
	glued = regexp.MustCompile(`[A-Za-z0-9)][.,;:][A-Z][a-z]`)
	// samples are example payloads and code, whose punctuation is not prose.
	samples = regexp.MustCompile(`(?s)<pre\b.*?</pre>`)
)

// TestNoSentenceRunsIntoTheNext renders every page of every health state
// and finds no two sentences (or clauses) run together.
func TestNoSentenceRunsIntoTheNext(t *testing.T) {
	hooks := map[string]hook{"healthy": healthyHook(), "failing": failingHook(), "disabled failing": disabledFailingHook(),
		"disabled by tenant": disabledByTenantHook(), "disabled by tenant while failing": func() hook { hk := failingHook(); hk.Enabled = false; return hk }(),
		"disabled failing, run ended": func() hook { hk := disabledFailingHook(); hk.Health = webhook.Health{}; return hk }()}
	for state, hk := range hooks {
		h := testHandler(t, &fakeAPI{t: t, hook: hk})
		pages := map[string]func(*visit) error{"/portal/": h.list, "/portal/webhooks/new": h.newForm, "/portal/webhooks/wh_1": h.endpoint,
			"/portal/webhooks/wh_1/enable": h.confirmEnable, "/portal/webhooks/wh_1/disable": h.confirmDisable, "/portal/webhooks/wh_1/delete": h.confirmDelete,
			"/portal/webhooks/wh_1/rotate": h.confirmRotate, "/portal/events": h.catalog, "/portal/verify": h.verify}
		for path, fn := range pages {
			text := words(samples.ReplaceAllString(get(h, fn, path).Body.String(), " "))
			for _, m := range glued.FindAllStringIndex(text, -1) {
				t.Errorf("%s (%s): run together: %q", path, state, text[max(0, m[0]-30):min(len(text), m[1]+20)])
			}
		}
	}
}
