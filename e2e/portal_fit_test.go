package e2e

import (
	"encoding/json"

	"github.com/chromedp/chromedp"
)

// fitsItsBoxes fails when an element of the page's content sticks out of
// a box around it: a card, or anything that clips or scrolls its content
// (a table's scrolling wrapper). noHorizontalScroll does not see that: a
// table wider than its card scrolls inside the card, and the page itself
// stays as wide as the window, while the last column (Resend) is cut off.
// Code samples (pre) scroll sideways on purpose, and
// screen-reader-only text (a phone's table head too) is clipped on
// purpose: both are left out.
func (b *browser) fitsItsBoxes(page string) {
	b.t.Helper()
	b.listsNothing(page, "elements stick out of their box", fitsItsBoxesExpr)
}

// fitHelpersJS are the checks' shared JavaScript: what is shown, what is
// in a code sample, and an element's name for a message.
const fitHelpersJS = `
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
		(e.dataset.label ? '[data-label=' + e.dataset.label + ']' : '');`

// fitsItsBoxesExpr lists, for each box in main, the first elements that
// reach past its inner edges (half a pixel of rounding allowed).
const fitsItsBoxesExpr = `(() => {` + fitHelpersJS + `
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

// nothingScrollsSideways fails when an element in main is wider inside
// than its box (scrollWidth past clientWidth): a scrolling box that
// scrolls, or one that clips what does not fit. Left out: code samples
// (pre), which scroll on purpose, what is clipped on purpose, inline
// elements (no box width) and form fields, whose typed value scrolls.
func (b *browser) nothingScrollsSideways(page string) {
	b.t.Helper()
	b.listsNothing(page, "elements are wider inside than their box", `(() => {`+fitHelpersJS+`
		const out = [];
		for (const e of document.querySelectorAll('main, main *')) {
			if (!shown(e) || inCode(e) || e.matches('pre, input, select, textarea') ||
				e.clientWidth === 0 || e.scrollWidth <= e.clientWidth) continue;
			out.push(name(e) + ' "' + e.textContent.trim().slice(0, 40) + '": ' + e.scrollWidth + ' px inside, ' + e.clientWidth + ' px box');
			if (out.length >= 8) break;
		}
		return out;
	})()`)
}

// codesBreakOnlyAtUnderscores fails when a code matching sel (an error
// class such as connection_refused) wraps anywhere but right after an
// underscore: "connec / tion_r / efused" is not a code a tenant can read
// or search for.
func (b *browser) codesBreakOnlyAtUnderscores(page, sel string) {
	b.t.Helper()
	b.wrapsOnlyAfter(page, sel, "_")
}

// wrapsOnlyAfter fails when an element matching sel wraps to a new line
// anywhere but right after one of the characters in after ("" : nowhere).
func (b *browser) wrapsOnlyAfter(page, sel, after string) {
	b.t.Helper()
	quoted, _ := json.Marshal(sel)
	chars, _ := json.Marshal(after)
	b.listsNothing(page, "text broken where it must not be", `(() => {
		const out = [];
		const r = document.createRange();
		for (const code of document.querySelectorAll(`+string(quoted)+`)) {
			if (code.getClientRects().length === 0) continue;
			const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
			let line = '', top = null, before = '';
			for (let n; (n = walker.nextNode());) {
				for (let i = 0; i < n.length; i++) {
					r.setStart(n, i);
					r.setEnd(n, i + 1);
					const rect = r.getBoundingClientRect();
					if (top !== null && rect.top > top + 1) {
						if (!`+string(chars)+`.includes(before)) out.push(code.textContent + ' wraps after "' + line + '"');
						line = '';
					}
					top = rect.top;
					before = n.data[i];
					line += before;
				}
			}
		}
		return out;
	})()`)
}

// listsNothing fails, with a screenshot, when the expression lists
// anything.
func (b *browser) listsNothing(page, what, expr string) {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](expr))
	if err != nil {
		b.fail(err)
	}
	if len(out) > 0 {
		b.screenshot("failed-"+page, "")
		b.t.Errorf("%s: %s (screenshot .screenshots/failed-%s.png):\n%v", page, what, page, out)
	}
}
