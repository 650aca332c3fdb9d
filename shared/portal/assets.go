package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"github.com/hookrelay/hookrelay/shared/config"
)

// assetVersion is the portal's static files' version: a hash of the
// embedded CSS and script and of the brand's stylesheet, computed once at
// start. Pages link the files with it (?v=…), so a deploy or a new accent
// colour changes their URLs and a browser fetches them anew, while a
// version seen once can be cached for good.
func assetVersion(b config.Portal) string {
	sum := sha256.New()
	for _, name := range []string{"static/portal.css", "static/portal.js"} {
		f, _ := staticFS.ReadFile(name) // embedded: always there
		sum.Write(f)
	}
	sum.Write([]byte(brandCSS(b.AccentColor)))
	return hex.EncodeToString(sum.Sum(nil)[:8])
}

// cacheAsset lets a browser keep a file requested with the current
// version for a year; any other version (an old page's, or none) must be
// checked again, as its content is this version's.
func (h *Handler) cacheAsset(w http.ResponseWriter, r *http.Request) {
	if h.assets != "" && r.URL.Query().Get("v") == h.assets {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
}
