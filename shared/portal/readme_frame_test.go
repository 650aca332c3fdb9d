package portal

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/config"
)

// README's "To try the iframe" steps, followed word for word, let both the
// same-site page (127.0.0.1) and the other-site one (127.0.0.2) frame the
// portal: the second must be listed too, or Chromium shows "refused to
// connect" where README promises "Open webhooks in a new tab".
func TestREADMEsIframeStepsAllowBothPages(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, steps, _ := strings.Cut(string(readme), "To try the iframe")
	m := regexp.MustCompile("`" + config.EnvPortalFrameAncestors + "=([^`]*)`").FindStringSubmatch(steps)
	if m == nil || strings.Index(steps, m[0]) > 500 {
		t.Fatal("README's iframe steps name no " + config.EnvPortalFrameAncestors)
	}
	value := strings.ReplaceAll(m[1], "<port>", "18735")
	c, err := config.FromLookup(func(k string) (string, bool) { return value, k == config.EnvPortalFrameAncestors })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Portal.ValidateAs(config.PortalEnv); err != nil {
		t.Fatalf("make dev refuses README's %s=%s: %v", config.EnvPortalFrameAncestors, value, err)
	}
	csp := contentSecurityPolicy(c.Portal)
	for _, page := range []string{"http://127.0.0.1:18735", "http://127.0.0.2:18735"} {
		if !strings.Contains(csp+" ", " "+page+" ") {
			t.Errorf("README's setting (%s) does not let a page on %s frame the portal: %s", value, page, csp)
		}
	}
}
