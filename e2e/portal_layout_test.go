package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hookrelay/hookrelay/shared/devrun"
)

// headerPartsExpr lists what is wrong with the signed-in header: a part
// (logo, product name, organization, Sign out, menu) that is not shown,
// that reaches past the window's edges, or that overlaps another. A
// part's box is where its text is drawn: a name that overflows its box
// without being clipped counts with the text it runs over.
const headerPartsExpr = `(() => {
	const parts = {logo: ".brand .logo-badge, .brand .logo", name: ".brand-name", org: ".account .org", signOut: ".account button", menu: "header nav"};
	const drawn = e => {
		const r = e.getBoundingClientRect();
		const box = {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
		if (getComputedStyle(e).overflowX === "visible") {
			const range = document.createRange();
			range.selectNodeContents(e);
			const t = range.getBoundingClientRect();
			if (t.width > 0) { box.left = Math.min(box.left, t.left); box.right = Math.max(box.right, t.right); }
		}
		return box;
	};
	const out = [], boxes = [];
	for (const [part, sel] of Object.entries(parts)) {
		const e = document.querySelector(sel);
		if (!e || e.getClientRects().length === 0) { out.push(part + " is not shown"); continue; }
		const b = drawn(e);
		if (b.right - b.left < 1) out.push(part + " is " + (b.right - b.left) + " px wide");
		if (b.left < -0.5 || b.right > innerWidth + 0.5) out.push(part + " spans " + Math.round(b.left) + ".." + Math.round(b.right) + " px, the window 0.." + innerWidth);
		for (const [other, o] of boxes) {
			const w = Math.min(b.right, o.right) - Math.max(b.left, o.left), h = Math.min(b.bottom, o.bottom) - Math.max(b.top, o.top);
			if (w > 0.5 && h > 0.5) out.push(part + " overlaps " + other + " (" + Math.round(w) + "x" + Math.round(h) + " px)");
		}
		boxes.push([part, b]);
	}
	return out;
})()`

// TestPortalHeaderKeepsTheOrgBesideALongProductName: a product name of 27
// characters on a phone ran under Sign out, and the organization, which
// every page names in its menu, was squeezed to nothing. Every part of
// the header stays shown, inside the window, over no other part.
func TestPortalHeaderKeepsTheOrgBesideALongProductName(t *testing.T) {
	t.Parallel()
	env := testEnv()
	env["HOOKRELAY_PORTAL_PRODUCT_NAME"] = "Acme Customer Success Cloud"
	s := startTestStack(t, devrun.Options{Env: env})
	tn := newTenant(t, s, "longbrand")
	b := newBrowser(t, phoneWidth, phoneHeight)
	b.signIn(tn.portalLink())
	b.headerFits("long-brand", 375, 390, 720, 721, 900, desktopWidth)
	if got := b.text(".account .org"); got != tn.org {
		t.Errorf("the header names organization %q, want %q", got, tn.org)
	}
	// The longest name the configuration takes (60 characters) ends in an
	// ellipsis where it does not fit: a stack of its own for each name
	// would only change this text.
	long := strings.Repeat("Acme Cloud ", 6)[:60]
	b.truth(`(() => { document.querySelector(".brand-name").textContent = ` + strconv.Quote(long) + `; return true })()`)
	b.headerFits("longest-brand", 375, 721, desktopWidth)
}

// headerFits checks the header's parts (headerPartsExpr) and that the page
// does not scroll sideways at each width, with a screenshot of each.
func (b *browser) headerFits(page string, widths ...int64) {
	b.t.Helper()
	for _, width := range widths {
		name := page + "-" + strconv.FormatInt(width, 10)
		b.run(chromedp.EmulateViewport(width, phoneHeight))
		b.listsNothing(name, "the header's parts", headerPartsExpr)
		b.noHorizontalScroll(name)
		b.viewShot(name)
	}
}

// TestPortalConfirmationCards: a confirmation's text starts as far from
// the card's top as from its sides, and the Enable question's three
// answers (Recover, Enable anyway, Cancel) share one row at desktop
// width; Recover sat alone above the other two. On a phone they wrap and
// still fit.
func TestPortalConfirmationCards(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "confirmcards")
	rc := newReceiver(t, func(int, *http.Request, []byte) answer { return status(http.StatusBadRequest) })
	hook := tn.createWebhook(rc.url("/down"), "emailClick")
	tn.publish("emailClick", clickData)
	tn.awaitHealth(hook.ID, "one failed delivery", func(w webhookHealth) bool { return w.Health.ConsecutiveFailures == 1 })
	// Disabled by its tenant while failing: Enable would drop the run, so
	// it asks, offering Recover.
	tn.mustCall(http.MethodPatch, "/api/v1/organization/webhooks/"+hook.ID, map[string]any{"enabled": false}, http.StatusOK, nil)

	page := s.API + "/portal/webhooks/" + hook.ID
	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(tn.portalLink())
	answers := []string{`form[action$="/recover"] button`, `form[action$="/enabled"] button`, `.confirm a.button`}
	for _, q := range []struct{ name, path, visible string }{
		{"enable", "/enable", answers[0]},
		{"delete", "/delete", "button.danger"},
		{"disable", "/disable", "button.danger"},
	} {
		b.open(page+q.path, q.visible)
		b.textAsFarFromTopAsFromSides(q.name)
		if q.name == "enable" {
			b.shareARow("enable", answers)
		}
		b.screenshot("confirm-"+q.name, "")
	}
	b.open(page+"/enable", answers[0])
	for _, width := range []int64{phoneWidth, 390} {
		name := "confirm-enable-" + strconv.FormatInt(width, 10)
		b.fitsAt(width, name)
		b.listsNothing(name, "answers overlapping", overlapsExpr(answers))
	}
}

// textAsFarFromTopAsFromSides fails when the confirmation card's first
// line of text starts further from the card's top than from its left:
// the first paragraph's margin added to the card's padding.
func (b *browser) textAsFarFromTopAsFromSides(page string) {
	b.t.Helper()
	gaps := evaluate[[]float64](b, `(() => {
		const c = document.querySelector(".card.confirm"), p = c.querySelector("p");
		const cr = c.getBoundingClientRect(), pr = p.getBoundingClientRect();
		return [pr.top - cr.top - c.clientTop, pr.left - cr.left - c.clientLeft];
	})()`)
	if len(gaps) != 2 || gaps[0]-gaps[1] > 0.5 || gaps[1]-gaps[0] > 0.5 {
		b.t.Errorf("%s: the card's text is %v px below its top edge and %v px from its left", page, gaps[0], gaps[1])
	}
}

// shareARow fails unless the elements matching sels are on one row:
// their boxes overlap vertically, each with the first.
func (b *browser) shareARow(page string, sels []string) {
	b.t.Helper()
	quoted := make([]string, len(sels))
	for i, s := range sels {
		quoted[i] = strconv.Quote(s)
	}
	b.listsNothing(page, "answers not on one row", `(() => {
		const sels = [`+strings.Join(quoted, ", ")+`];
		const boxes = sels.map(s => { const e = document.querySelector(s); return e ? e.getBoundingClientRect() : null; });
		const out = [];
		sels.forEach((s, i) => {
			const r = boxes[i];
			if (!r) { out.push(s + " is missing"); return; }
			if (r.top >= boxes[0].bottom || boxes[0].top >= r.bottom) out.push(s + " at " + Math.round(r.top) + " px, " + sels[0] + " at " + Math.round(boxes[0].top) + " px");
		});
		return out;
	})()`)
}

// overlapsExpr lists the pairs of elements matching sels whose boxes
// overlap.
func overlapsExpr(sels []string) string {
	quoted := make([]string, len(sels))
	for i, s := range sels {
		quoted[i] = strconv.Quote(s)
	}
	return `(() => {
		const sels = [` + strings.Join(quoted, ", ") + `];
		const boxes = sels.map(s => document.querySelector(s).getBoundingClientRect());
		const out = [];
		for (let i = 0; i < boxes.length; i++) for (let j = 0; j < i; j++) {
			const a = boxes[i], o = boxes[j];
			if (Math.min(a.right, o.right) - Math.max(a.left, o.left) > 0.5 && Math.min(a.bottom, o.bottom) - Math.max(a.top, o.top) > 0.5) out.push(sels[i] + " overlaps " + sels[j]);
		}
		return out;
	})()`
}

// TestPortalExamplesKeepTheirLinesOnAPhone: the catalog's JSON examples
// and schemas (and the create form's examples) are indented JSON; on a
// phone they wrapped mid-token ("2026-11-" / "23T09:58:12Z") and lost
// their indentation. Each line stays whole and the example scrolls
// sideways, while the page itself does not.
func TestPortalExamplesKeepTheirLinesOnAPhone(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "phoneexamples")
	b := newBrowser(t, phoneWidth, phoneHeight)
	b.signIn(tn.portalLink())
	for _, p := range []struct{ name, path string }{{"events", "/portal/events"}, {"create", "/portal/webhooks/new"}} {
		b.open(s.API+p.path, "details")
		b.truth(`(() => { document.querySelectorAll("details").forEach(d => d.open = true); return true })()`)
		if !b.truth(`[...document.querySelectorAll("main pre:not(.code)")].some(p => p.scrollWidth > p.clientWidth)`) {
			t.Errorf("%s: no example scrolls sideways: each wraps, or none is wider than a phone", p.name)
		}
		for _, width := range []int64{phoneWidth, 390} {
			name := "examples-" + p.name + "-" + strconv.FormatInt(width, 10)
			b.fitsAt(width, name)
			b.wrapsOnlyAfter(name, "main pre:not(.code) code", "\n")
		}
	}
}

// TestPortalCopyOnATouchScreen: where the clipboard is refused, Copy
// selects the text and says how to copy it: on a touch screen, with the
// device's own Copy (a phone has no Ctrl+C); with a mouse, Ctrl+C or ⌘C.
func TestPortalCopyOnATouchScreen(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "touchcopy")
	for _, c := range []struct {
		name        string
		touch       bool
		button, say string
	}{
		{"touch", true, "Selected: use your device's Copy", "use your device's Copy"},
		{"mouse", false, "Selected: press Ctrl+C or \u2318C", "press Control C, or Command C on a Mac"},
	} {
		b := newBrowser(t, 390, phoneHeight)
		if c.touch {
			if _, err := chromedp.Call(b.ctx, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: true, MaxTouchPoints: 5}); err != nil {
				b.fail(err)
			}
			if _, err := chromedp.Call(b.ctx, emulation.SetEmitTouchEventsForMouse, emulation.SetEmitTouchEventsForMouseParams{Enabled: true, Configuration: emulation.SetEmitTouchEventsForMouseConfigurationMobile}); err != nil {
				b.fail(err)
			}
		}
		b.signIn(tn.portalLink())
		b.open(s.API+"/portal/verify", `button[data-copy="code-go"]`)
		if got := b.truth(`matchMedia("(pointer: coarse)").matches`); got != c.touch {
			t.Fatalf("%s: (pointer: coarse) matches: %v", c.name, got)
		}
		b.truth(`(() => { navigator.clipboard.writeText = () => Promise.reject(new DOMException("blocked by permissions policy", "NotAllowedError"));
			document.execCommand = () => false; window.getSelection().removeAllRanges(); return true })()`)
		b.press(`button[data-copy="code-go"]`)
		b.waitTrue(`window.getSelection().toString().trim() === document.getElementById("code-go").textContent.trim() &&
			document.querySelector('button[data-copy="code-go"]').textContent !== "Copy"`, "the code selected")
		if got := b.text(`button[data-copy="code-go"]`); got != c.button {
			t.Errorf("%s: the refused Copy's button says %q, want %q", c.name, got, c.button)
		}
		if said := evaluate[string](b, `document.querySelector('button[data-copy="code-go"]').nextElementSibling.textContent`); !strings.Contains(said, c.say) {
			t.Errorf("%s: the live region says %q, want it to say %q", c.name, said, c.say)
		}
		b.truth(`(() => { document.querySelector('button[data-copy="code-go"]').scrollIntoView({block: "start"}); return true })()`)
		b.viewShot("copy-refused-" + c.name)
	}
}
