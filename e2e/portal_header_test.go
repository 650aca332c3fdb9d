package e2e

import "github.com/chromedp/chromedp"

// headerRowsExpr measures the signed-in header: how many rows the brand,
// the menu's links and Sign out take (boxes that overlap vertically share
// a row), whether Sign out is on the brand's row, whether the menu shows
// all its links without scrolling, and the header's height.
const headerRowsExpr = `(() => {
	const boxes = [".brand", "header nav a", ".account button"].flatMap(s => [...document.querySelectorAll(s)]).map(e => e.getBoundingClientRect());
	const rows = [];
	for (const b of boxes) {
		const row = rows.find(r => b.top < r.bottom && r.top < b.bottom);
		if (row) { row.top = Math.min(row.top, b.top); row.bottom = Math.max(row.bottom, b.bottom); } else rows.push({top: b.top, bottom: b.bottom});
	}
	const brand = boxes[0], out = boxes[boxes.length - 1];
	const nav = document.querySelector("header nav");
	return {rows: rows.length, signOutBesideBrand: out.top < brand.bottom && brand.top < out.bottom, menuFits: nav.scrollWidth <= nav.clientWidth,
		height: document.querySelector("header").getBoundingClientRect().height};
})()`

type headerRows struct {
	Rows               int     `json:"rows"`
	SignOutBesideBrand bool    `json:"signOutBesideBrand"`
	MenuFits           bool    `json:"menuFits"`
	Height             float64 `json:"height"`
}

// headerTakes fails unless the signed-in header takes rows rows, with
// Sign out on the brand's and the menu whole: one at desktop width, two
// on a phone (the brand with the organization and Sign out, then the
// menu), where it took three.
func (b *browser) headerTakes(rows int, page string) {
	b.t.Helper()
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[headerRows](headerRowsExpr))
	if err != nil {
		b.fail(err)
	}
	if got.Rows != rows || !got.SignOutBesideBrand || !got.MenuFits {
		b.t.Errorf("%s: the header takes %d rows (%.0f px), Sign out beside the brand: %v, the menu fits: %v; want %d rows, both true",
			page, got.Rows, got.Height, got.SignOutBesideBrand, got.MenuFits, rows)
	}
}
