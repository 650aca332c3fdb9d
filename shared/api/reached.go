package api

import (
	"net/http"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// Scheme is the scheme under which the caller reached the API: API
// Gateway (and a TLS-terminating proxy in front of `make dev`) says so in
// X-Forwarded-Proto, a direct connection by its own TLS state.
func Scheme(r *http.Request) string {
	if proto := r.Header.Get("X-Forwarded-Proto"); proto == "https" || proto == "http" {
		return proto
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// NamedStage is the API Gateway stage the request came through when the
// stage is a named one, which the caller's URL then starts with
// ("/prod/..."); "" for the $default stage and for `make dev`.
func NamedStage(r *http.Request) string {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
	if !ok || rc.Stage == "$default" {
		return ""
	}
	return rc.Stage
}
