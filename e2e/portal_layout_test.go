package e2e

import (
	"strconv"
	"strings"
	"testing"

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
	for _, width := range []int64{375, 390, 720, 721, 900, desktopWidth} {
		name := "long-brand-" + strconv.FormatInt(width, 10)
		b.run(chromedp.EmulateViewport(width, phoneHeight))
		b.listsNothing(name, "the header's parts", headerPartsExpr)
		b.noHorizontalScroll(name)
		b.viewShot(name)
	}
	if got := b.text(".account .org"); got != tn.org {
		t.Errorf("the header names organization %q, want %q", got, tn.org)
	}
	// The longest name the configuration takes (60 characters) ends in an
	// ellipsis where it does not fit: a stack of its own for each name
	// would only change this text.
	long := strings.Repeat("Acme Cloud ", 6)[:60]
	b.truth(`(() => { document.querySelector(".brand-name").textContent = ` + strconv.Quote(long) + `; return true })()`)
	for _, width := range []int64{375, 721, desktopWidth} {
		name := "longest-brand-" + strconv.FormatInt(width, 10)
		b.run(chromedp.EmulateViewport(width, phoneHeight))
		b.listsNothing(name, "the header's parts", headerPartsExpr)
		b.noHorizontalScroll(name)
		b.viewShot(name)
	}
}
