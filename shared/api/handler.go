// Package api is the tenant HTTP API (and the mount point of the admin
// API): plain net/http, served by the api Lambda through
// aws-lambda-go-api-proxy and by `hookrelay dev`. Stores and queues are
// reached only through the interfaces in Deps.
package api

import (
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/auth"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// Deps are the API's collaborators.
type Deps struct {
	Config     config.Config
	Auth       auth.Authenticator
	Webhooks   webhook.Store
	Secrets    secrets.Store
	Catalog    *catalog.Catalog
	Publisher  Publisher
	Deliveries Deliveries
	Attempts   deliverylog.Log
	// Notices announces an endpoint disabled for failing that is enabled
	// again (an enable starts its health over in the Webhooks update);
	// Recovery re-queues what it missed. Nil Notices skip that step (tests
	// of other routes); Recovery is required for /recover.
	Notices  EnableNotifier
	Recovery Recovery
	// Parked tells a get of one webhook whether deliveries parked for it
	// remain (parked_from); nil: not shown.
	Parked ParkedDeliveries
	// DeadLetterDebts records on a webhook that a recover did not read all
	// its dead letters (dead_letters_from), so a later visit still offers
	// Recover; nil: not recorded.
	DeadLetterDebts DeadLetterDebts
	// FailureRuns drops a webhook's last failure run once a recover sent
	// it again; nil: a recover leaves it shown until the DLQ's retention.
	FailureRuns FailureRuns
	Admin       http.Handler // mounted at /api/v1/admin/ for operators; nil: not served
	// PortalLogins issues tenant portal links; nil: the portal is not served.
	PortalLogins PortalLogins
	Now          func() time.Time
	Logger       *slog.Logger
}

// handlerFunc is an endpoint: it writes its success answer itself and
// returns errors for the server to turn into JSON error answers.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p auth.Principal) error

// route is one registered endpoint. The OpenAPI test walks this table, so
// every route served is one listed here.
type route struct {
	pattern string // Go ServeMux pattern: "METHOD /path/{param}"
	public  bool   // served without authentication
	handle  handlerFunc
}

type server struct {
	d     Deps
	mux   *http.ServeMux
	valid validator
	limit *orgLimiter
}

// NewHandler returns the API. Missing Now and Logger get defaults; the other
// dependencies are required.
func NewHandler(d Deps) http.Handler { return newServer(d) }

func newServer(d Deps) *server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &server{d: d, mux: http.NewServeMux(), limit: newOrgLimiter(d.Config.OrgRateLimit)}
	s.valid = validator{allowLoopback: d.Config.AllowLoopback, deniedPorts: d.Config.DeniedLoopbackPorts, known: s.knownEventType}
	for _, rt := range s.routes() {
		s.mux.Handle(rt.pattern, s.endpoint(rt))
	}
	if d.Admin != nil {
		s.mux.Handle(adminPrefix, s.endpoint(route{pattern: adminPrefix, handle: s.admin}))
	}
	return s
}

const (
	webhooksPath = "/api/v1/organization/webhooks"
	webhookPath  = webhooksPath + "/{id}"
	adminPrefix  = "/api/v1/admin/"
)

func (s *server) routes() []route {
	return []route{
		{pattern: "GET /openapi.json", public: true, handle: s.openAPI},
		{pattern: "GET " + webhooksPath, handle: s.listWebhooks},
		{pattern: "POST " + webhooksPath, handle: s.createWebhook},
		{pattern: "GET " + webhookPath, handle: s.getWebhook},
		{pattern: "PATCH " + webhookPath, handle: s.updateWebhook},
		{pattern: "DELETE " + webhookPath, handle: s.deleteWebhook},
		{pattern: "POST " + webhookPath + "/rotate-secret", handle: s.rotateSecret},
		{pattern: "GET " + webhookPath + "/deliveries", handle: s.listDeliveries},
		{pattern: "POST " + webhookPath + "/deliveries/{delivery_id}/resend", handle: s.resendDelivery},
		{pattern: "POST " + webhookPath + "/test", handle: s.sendTest},
		{pattern: "POST " + webhookPath + "/recover", handle: s.recoverWebhook},
		{pattern: "GET /api/v1/event-types", handle: s.listEventTypes},
		{pattern: "POST /api/v1/events", handle: s.publishEvent},
		{pattern: "POST " + portalSessionsPath, handle: s.createPortalSession},
	}
}

// endpoint authenticates (unless public) and maps returned errors.
func (s *server) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p auth.Principal
		if !rt.public {
			var err error
			if p, err = s.authenticate(r); err != nil {
				writeError(w, s.toAPIError(r, err))
				return
			}
			if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
				info.orgID = p.OrgID
			}
			// Operators (the admin API) are not a tenant to hold back.
			if !p.Operator {
				if wait := s.admit(r, p.OrgID, s.d.Now()); wait > 0 {
					writeRateLimited(w, wait, s.limit.perSecond)
					return
				}
			}
		}
		// r.URL.Query() drops what it cannot parse: ?cursor=%%% would
		// silently be the first page.
		if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
			writeError(w, fail(http.StatusBadRequest, codeInvalidQuery,
				"query string is malformed: every %% must start a %%XX escape, and parameters are separated by &"))
			return
		}
		if err := rt.handle(w, r, p); err != nil {
			writeError(w, s.toAPIError(r, err))
		}
	})
}

// admin forwards operators to the admin API, path unchanged.
func (s *server) admin(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if !p.Operator {
		return fail(http.StatusForbidden, codeForbidden, "the admin API requires the operator role")
	}
	s.d.Admin.ServeHTTP(w, r)
	return nil
}
