package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/hookrelay/hookrelay/shared/auth"
)

// PortalLogins issues tenant portal login links.
type PortalLogins interface {
	// LoginLink issues a single-use login for orgID and returns its path
	// and query, relative to the API's root ("/portal/login?token=…").
	LoginLink(ctx context.Context, orgID string) (pathAndQuery string, expiresAt time.Time, err error)
}

const portalSessionsPath = "/api/v1/organization/portal-sessions"

type portalSessionJSON struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// createPortalSession answers the deploying team's backend with a link that
// signs its user into the portal for the token's organization.
func (s *server) createPortalSession(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if s.d.PortalLogins == nil {
		return fail(http.StatusNotFound, codeRouteNotFound, "this deployment does not serve the tenant portal")
	}
	if err := decodeEmptyBody(w, r); err != nil {
		return err
	}
	link, exp, err := s.d.PortalLogins.LoginLink(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, portalSessionJSON{URL: publicRoot(r) + link, ExpiresAt: exp.UTC()})
	return nil
}

// decodeEmptyBody refuses a body that is not empty or an empty JSON
// object, for the routes that take no input: a client sending fields they
// do not read must learn so (400 unknown_field), not see them ignored.
func decodeEmptyBody(w http.ResponseWriter, r *http.Request) error {
	peek := make([]byte, 1)
	n, _ := io.ReadFull(r.Body, peek)
	if n == 0 {
		return nil
	}
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(peek[:n]), r.Body))
	return decodeJSON(w, r, maxWebhookBody, &struct{}{})
}

// publicRoot is the scheme, host and stage under which the caller reached
// the API, so the link works wherever the API is served: the execute-api
// domain with a named stage, a custom domain, or `make dev`.
func publicRoot(r *http.Request) string {
	root := url.URL{Scheme: Scheme(r), Host: r.Host}
	if stage := NamedStage(r); stage != "" {
		root.Path = "/" + stage
	}
	return root.String()
}
