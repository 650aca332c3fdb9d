package portal

import (
	"fmt"
	"math"
	"strconv"
)

// The brand's accent colour is the deploying team's choice, and many
// brands are light (yellow, green, sky blue): white text on such a button
// and accent-coloured links on white fail WCAG's 4.5:1. brand.css
// therefore carries, next to --accent, the text colour for the accent's
// background (--accent-ink: white or the page's ink, whichever contrasts
// more) and the colour for links and other accent text (--accent-text:
// the accent itself when it reaches 4.5:1 on the page's background, else
// the accent darkened until it does).

type rgb [3]float64 // 0..255

const (
	inkColor  = "#111827" // --ink in portal.css
	pageColor = "#f6f7f9" // --bg in portal.css, a little darker than the cards' white
)

// parseHex reads #rrggbb (config.Portal.Validate has checked the form).
func parseHex(s string) (rgb, bool) {
	if len(s) != 7 || s[0] != '#' {
		return rgb{}, false
	}
	var c rgb
	for i := range 3 {
		n, err := strconv.ParseUint(s[1+2*i:3+2*i], 16, 8)
		if err != nil {
			return rgb{}, false
		}
		c[i] = float64(n)
	}
	return c, true
}

func (c rgb) hex() string {
	return fmt.Sprintf("#%02x%02x%02x", int(math.Round(c[0])), int(math.Round(c[1])), int(math.Round(c[2])))
}

// luminance is WCAG 2's relative luminance.
func (c rgb) luminance() float64 {
	var l [3]float64
	for i, v := range c {
		v /= 255
		if v <= 0.04045 {
			l[i] = v / 12.92
		} else {
			l[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}

// contrast is WCAG 2's contrast ratio of two colours (1 to 21).
func contrast(a, b rgb) float64 {
	la, lb := a.luminance(), b.luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func mustHex(s string) rgb {
	c, ok := parseHex(s)
	if !ok {
		panic("portal: bad colour " + s)
	}
	return c
}

// accentColors are the text colour on the accent and the accent as a
// text colour (see above). An accent that is not #rrggbb is returned as
// it is, with white ink.
func accentColors(accent string) (ink, text string) {
	c, ok := parseHex(accent)
	if !ok {
		return "#ffffff", accent
	}
	white, dark := rgb{255, 255, 255}, mustHex(inkColor)
	ink = "#ffffff"
	if contrast(dark, c) > contrast(white, c) {
		ink = inkColor
	}
	page := mustHex(pageColor)
	t := c
	for step := 0; contrast(t, page) < 4.5 && step < 100; step++ {
		t = rgb{t[0] * 0.97, t[1] * 0.97, t[2] * 0.97}
	}
	if t == c {
		return ink, accent
	}
	return ink, t.hex()
}

// brandCSS is brand.css: the accent and the colours derived from it.
func brandCSS(accent string) string {
	ink, text := accentColors(accent)
	return ":root{--accent:" + accent + ";--accent-ink:" + ink + ";--accent-text:" + text + "}\n"
}
