package portal

import (
	"regexp"
	"strings"
	"testing"
)

// longName is a name without a space, as the API accepts it (an
// identifier, a pasted URL).
const longName = "ProductionOrdersEndpointForTheEuropeanWarehouseSystemV2Final"

// TestLongNamesWrapInCrumbsAndConfirmations: the breadcrumb and the
// confirmation pages' text, where an endpoint's name appears besides the
// page title, are styled to wrap a long word (overflow-wrap: anywhere), so
// a 60-character name without a space does not push a phone's page
// sideways or run off the card (the browser test
// TestPortalPagesAtPhoneWidth measures it at 375 px).
func TestLongNamesWrapInCrumbsAndConfirmations(t *testing.T) {
	css, err := staticFS.ReadFile("static/portal.css")
	if err != nil {
		t.Fatal(err)
	}
	wraps := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([^{}@/]+)\{[^}]*overflow-wrap: anywhere`).FindAllStringSubmatch(string(css), -1) {
		for _, sel := range strings.Split(m[1], ",") {
			wraps[strings.TrimSpace(sel)] = true
		}
	}
	for _, sel := range []string{".crumbs", ".confirm p"} {
		if !wraps[sel] {
			t.Errorf("portal.css does not wrap a long word in %s", sel)
		}
	}

	api := &fakeAPI{t: t, hook: healthyHook()}
	api.hook.Name = longName
	h := testHandler(t, api)
	name := regexp.MustCompile(`<p class="crumbs">.*?` + longName + `.*?</p>[\s\S]*<div class="card confirm">[\s\S]*<p>[^<]*(<[^>]*>[^<]*)*?` + longName)
	for path, page := range map[string]func(*visit) error{"delete": h.confirmDelete, "disable": h.confirmDisable, "rotate": h.confirmRotate} {
		if body := get(h, page, "/portal/webhooks/wh_1/"+path).Body.String(); !name.MatchString(body) {
			t.Errorf("%s: the name is not in the breadcrumb and in a paragraph of the .confirm card:\n%s", path, body)
		}
	}
	if body := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String(); !regexp.MustCompile(`<p class="crumbs">.*?` + longName).MatchString(body) {
		t.Errorf("the endpoint page's breadcrumb does not hold the name:\n%.600s", body)
	}
}
