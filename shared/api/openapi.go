package api

import (
	_ "embed"
	"net/http"

	"github.com/hookrelay/hookrelay/shared/auth"
)

// openAPISpec documents every route in routes(); a test loads it with
// kin-openapi and checks both directions.
//
//go:embed openapi.json
var openAPISpec []byte

func (s *server) openAPI(w http.ResponseWriter, _ *http.Request, _ auth.Principal) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(openAPISpec)
	return nil
}
