package portal

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestBrandCSSKeepsTextReadable: whatever accent the deploying team picks,
// the primary button's text and the links reach WCAG's 4.5:1 (#facc15 gave
// white text 1.53:1).
func TestBrandCSSKeepsTextReadable(t *testing.T) {
	white, page := rgb{255, 255, 255}, mustHex(pageColor)
	for accent, want := range map[string][2]string{
		"#4f46e5": {"#ffffff", "#4f46e5"}, // the default passes as it is
		"#0a7f5a": {"#ffffff", "#0a7f5a"},
		"#facc15": {inkColor, ""},
		"#22c55e": {inkColor, ""},
		"#0ea5e9": {inkColor, ""},
		"#ffffff": {inkColor, ""},
		"#000000": {"#ffffff", "#000000"},
	} {
		ink, text := accentColors(accent)
		if ink != want[0] {
			t.Errorf("%s: button text %s, want %s", accent, ink, want[0])
		}
		if want[1] != "" && text != want[1] {
			t.Errorf("%s: link colour %s, want the accent %s", accent, text, want[1])
		}
		a, tc := mustHex(accent), mustHex(text)
		if r := contrast(mustHex(ink), a); r < 4.5 {
			t.Errorf("%s: button text %s is %.2f:1", accent, ink, r)
		}
		if r, rw := contrast(tc, page), contrast(tc, white); r < 4.5 || rw < 4.5 {
			t.Errorf("%s: link colour %s is %.2f:1 on the page, %.2f:1 on white", accent, text, r, rw)
		}
		if want[1] == "" && (text == accent || tc.luminance() >= a.luminance()) {
			t.Errorf("%s: link colour %s is not the accent darkened", accent, text)
		}
	}
	if r := contrast(rgb{255, 255, 255}, mustHex("#facc15")); r > 1.54 || r < 1.52 {
		t.Errorf("contrast(white, #facc15) = %.3f, want 1.53 as the review measured", r)
	}
}

// TestBrandCSSIsServedAndUsed: brand.css carries the derived colours, and
// portal.css uses them for the primary button and links.
func TestBrandCSSIsServedAndUsed(t *testing.T) {
	h := testHandler(t, nil)
	h.o.Config.Portal.AccentColor = "#facc15"
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/portal/static/brand.css", nil)
	r.SetPathValue("name", "brand.css")
	h.static(w, r)
	if got := w.Body.String(); !regexp.MustCompile(`^:root\{--accent:#facc15;--accent-ink:#111827;--accent-text:#[0-9a-f]{6}\}\n$`).MatchString(got) {
		t.Fatalf("brand.css: %q", got)
	}
	css, err := staticFS.ReadFile("static/portal.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"a { color: var(--accent-text); }",
		"summary { cursor: pointer; color: var(--accent-text); }",
		".button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-ink); }",
		"color: var(--accent-ink); font-weight: 700; }", // the logo badge
	} {
		if !strings.Contains(string(css), want) {
			t.Errorf("portal.css lacks %q", want)
		}
	}
	if regexp.MustCompile(`[{;]\s*color:\s*var\(--accent\)`).Match(css) {
		t.Error("portal.css still sets a text colour to the raw accent")
	}
}
