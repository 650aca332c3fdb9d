package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// copyShown counts the page's Copy buttons that are rendered.
const copyShown = `[...document.querySelectorAll('button[data-copy]')].filter(e => e.getClientRects().length > 0).length`

// TestPortalWithoutScriptShowsNoCopyButtons: the Copy buttons are in the
// page hidden, for the script to show once it can copy. With script off
// (a locked-down browser, a script that failed to load) they stay hidden:
// .button's display once overrode [hidden], and a Copy beside the secret
// shown once did nothing when pressed (README: "the script
// only adds copy buttons").
func TestPortalWithoutScriptShowsNoCopyButtons(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "portalnojs")
	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(tn.portalLink())
	b.scriptOff()

	b.open(s.API+"/portal/verify", "pre.code")
	if evaluate[int](b, `document.querySelectorAll('button[data-copy]').length`) == 0 {
		t.Fatal("the Verify page has no Copy buttons to check")
	}
	if n := evaluate[int](b, copyShown); n != 0 {
		t.Errorf("Verify your endpoint, script off: %d Copy buttons shown", n)
	}

	// The secret page, reached by a form post, as without script.
	hook := tn.createWebhook("http://127.0.0.1:9/nojs", "emailOpen")
	b.open(s.API+"/portal/webhooks/"+hook.ID+"/rotate", `form[action$="/rotate"] button`)
	b.run(chromedp.Click(chromedp.CSS(`form[action$="/rotate"] button`)))
	b.waitVisible("#secret")
	createdSecrets.add(strings.TrimSpace(b.text("#secret")))
	if n := evaluate[int](b, copyShown); n != 0 {
		t.Errorf("the new secret's page, script off: %d Copy buttons shown", n)
	}
	b.screenshot("nojs-secret", "")
}

// scriptOff turns JavaScript off in the browser's pages from now on (the
// devtools protocol's own evaluations still run).
func (b *browser) scriptOff() {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		b.fail(err)
	}
}
