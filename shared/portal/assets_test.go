package portal

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/catalog/catalogtest"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/portalsession"
)

// The static files' URLs carry a version that changes with their content
// and the accent colour, and only the current version is cached for long:
// a new accent or a deploy shows on the next page load, not five minutes
// later.
func TestStaticFilesAreVersionedByContent(t *testing.T) {
	portalWith := func(accent string) *Handler {
		h, err := New(Options{API: http.NotFoundHandler(), Sessions: portalsession.New(newMemTokens()), Catalog: catalogtest.Default(t),
			Config: config.Config{Portal: config.Portal{ProductName: "Acme", AccentColor: accent}}, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	indigo, yellow := portalWith("#4f46e5"), portalWith("#facc15")
	if indigo.assets == "" || indigo.assets == yellow.assets || indigo.assets != portalWith("#4f46e5").assets {
		t.Fatalf("versions: %q for indigo, %q for yellow", indigo.assets, yellow.assets)
	}
	page := fetchFrom(yellow, "/portal/", "", "").Body.String()
	for _, name := range []string{"portal.css", "brand.css", "portal.js"} {
		if want := `static/` + name + `?v=` + yellow.assets + `"`; !strings.Contains(page, want) {
			t.Errorf("the page does not link %s", want)
		}
		for target, cache := range map[string]string{
			"/portal/static/" + name + "?v=" + yellow.assets: "public, max-age=31536000, immutable",
			"/portal/static/" + name + "?v=" + indigo.assets: "no-cache", // an old page's
			"/portal/static/" + name:                         "no-cache",
		} {
			w := httptest.NewRecorder()
			yellow.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
			if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != cache {
				t.Errorf("GET %s: %d, Cache-Control %q, want %q", target, w.Code, w.Header().Get("Cache-Control"), cache)
			}
		}
	}
	// A file that is not there is not kept as the version's: one added
	// later under that name would stay hidden for a year.
	w := httptest.NewRecorder()
	yellow.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/portal/static/nope.css?v="+yellow.assets, nil))
	if cache := w.Header().Get("Cache-Control"); w.Code != http.StatusNotFound || strings.Contains(cache, "immutable") || strings.Contains(cache, "max-age") {
		t.Errorf("GET a missing file at the current version: %d, Cache-Control %q", w.Code, cache)
	}
}
