package e2e

import (
	"github.com/chromedp/chromedp"
)

// fitsItsBoxes fails when an element of the page's content sticks out of
// a box around it: a card, or anything that clips or scrolls its content
// (a table's scrolling wrapper). noHorizontalScroll does not see that: a
// table wider than its card scrolls inside the card, and the page itself
// stays as wide as the window, while the last column (Resend) is cut off
// (s29 walk F2). Code samples (pre) scroll sideways on purpose, and
// screen-reader-only text (a phone's table head too) is clipped on
// purpose: both are left out.
func (b *browser) fitsItsBoxes(page string) {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](fitsItsBoxesExpr))
	if err != nil {
		b.fail(err)
	}
	if len(out) > 0 {
		b.screenshot("overflow-"+page, "")
		b.t.Errorf("%s: elements stick out of their box (screenshot .screenshots/overflow-%s.png):\n%v", page, page, out)
	}
}

// fitsItsBoxesExpr lists, for each box in main, the first elements that
// reach past its inner edges (half a pixel of rounding allowed).
const fitsItsBoxesExpr = `(() => {
	// Clipped on purpose: screen-reader-only text, a phone's table head.
	const clipped = new Map();
	const isClipped = e => {
		if (!e) return false;
		if (!clipped.has(e)) {
			const s = getComputedStyle(e);
			clipped.set(e, (s.position === 'absolute' && s.clip !== 'auto') || isClipped(e.parentElement));
		}
		return clipped.get(e);
	};
	const shown = e => e.getClientRects().length > 0 && !isClipped(e);
	const inCode = e => !!(e.parentElement && e.parentElement.closest('pre'));
	const name = e => e.tagName.toLowerCase() + [...e.classList].map(c => '.' + c).join('') +
		(e.dataset.label ? '[data-label=' + e.dataset.label + ']' : '');
	const boxes = [...document.querySelectorAll('main, main *')].filter(c => shown(c) && !inCode(c) &&
		!c.matches('pre') && (c.matches('main, .card') || getComputedStyle(c).overflowX !== 'visible'));
	const out = [];
	for (const c of boxes) {
		const r = c.getBoundingClientRect();
		const left = r.left + c.clientLeft, right = left + c.clientWidth;
		for (const e of c.querySelectorAll('*')) {
			if (!shown(e) || inCode(e)) continue;
			const er = e.getBoundingClientRect();
			if (er.width === 0) continue;
			if (er.left < left - 0.5 || er.right > right + 0.5) {
				out.push(name(e) + ' "' + e.textContent.trim().slice(0, 40) + '" spans ' + Math.round(er.left) + '..' +
					Math.round(er.right) + ' px, its box ' + name(c) + ' ' + Math.round(left) + '..' + Math.round(right));
				if (out.length >= 8) return out;
			}
		}
	}
	return out;
})()`
