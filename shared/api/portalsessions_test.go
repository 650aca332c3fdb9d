package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/auth"
)

// recordingLogins hands out numbered login links.
type recordingLogins struct {
	orgs []string
	exp  time.Time
}

func (l *recordingLogins) LoginLink(_ context.Context, orgID string) (string, time.Time, error) {
	l.orgs = append(l.orgs, orgID)
	return "/portal/login?token=T" + orgID, l.exp, nil
}

func withLogins(l api.PortalLogins) envOption { return func(d *api.Deps) { d.PortalLogins = l } }

func TestPortalSessionRoute(t *testing.T) {
	t.Parallel()
	logins := &recordingLogins{exp: time.Date(2026, 1, 2, 10, 5, 0, 0, time.UTC)}
	e := newEnv(t, withLogins(logins))
	tok := e.token("org_portal")
	const path = "/api/v1/organization/portal-sessions"

	res := e.do(http.MethodPost, path, tok, nil)
	if res.status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	var got struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := json.Unmarshal(res.body, &got); err != nil {
		t.Fatal(err)
	}
	// httptest requests go to example.com over plain HTTP.
	if got.URL != "http://example.com/portal/login?token=Torg_portal" || !got.ExpiresAt.Equal(logins.exp) {
		t.Fatalf("answer %+v", got)
	}

	// Behind API Gateway the scheme comes from X-Forwarded-Proto.
	r := newRequest(http.MethodPost, path, tok, []byte(`{}`))
	r.Host = "api.example.org"
	r.Header.Set("X-Forwarded-Proto", "https")
	if res := e.send(r); res.status != http.StatusCreated || res.json(t)["url"] != "https://api.example.org/portal/login?token=Torg_portal" {
		t.Fatalf("behind a proxy: %d %s", res.status, res.body)
	}

	e.do(http.MethodPost, path, "", nil).wantError(t, http.StatusUnauthorized, "unauthorized")
	e.do(http.MethodPost, path, tok, map[string]any{"org": "org_other"}).wantError(t, http.StatusBadRequest, "unknown_field")
	e.do(http.MethodPost, path, tok, "[").wantError(t, http.StatusBadRequest, "invalid_json")
	if len(logins.orgs) != 2 || logins.orgs[0] != "org_portal" || logins.orgs[1] != "org_portal" {
		t.Fatalf("links issued for %v; refused requests must issue none", logins.orgs)
	}

	without := newEnv(t)
	without.do(http.MethodPost, path, without.token("org_portal"), nil).wantError(t, http.StatusNotFound, "route_not_found")
}

// TestInProcessCall: the portal's calls get the API's answers for exactly
// the principal they carry, and never the operator role.
func TestInProcessCall(t *testing.T) {
	t.Parallel()
	admin := &recordingAdmin{}
	e := newEnv(t, func(d *api.Deps) { d.Admin = admin })
	mine := e.create(e.token("org_mine"), createBody("mine", "emailOpen"))
	e.create(e.token("org_other"), createBody("other", "emailOpen"))
	ctx := context.Background()
	p := auth.Principal{OrgID: "org_mine", Subject: "portal"}

	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := api.Call(ctx, e.h, p, http.MethodGet, webhooksPath, nil, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Data) != 1 || list.Data[0].ID != mine.ID {
		t.Fatalf("in-process list = %+v, want only %s", list.Data, mine.ID)
	}

	err := api.Call(ctx, e.h, p, http.MethodPost, webhooksPath, map[string]any{"name": "x", "url": "http://example.com", "event_types": []string{"emailOpen"}}, nil)
	var ce *api.CallError
	if !errors.As(err, &ce) || ce.Status != http.StatusBadRequest || ce.Code != "invalid_url" || ce.Message == "" {
		t.Fatalf("invalid create: %v", err)
	}

	p.Operator = true
	err = api.Call(ctx, e.h, p, http.MethodGet, "/api/v1/admin/dlq", nil, nil)
	if !errors.As(err, &ce) || ce.Status != http.StatusForbidden {
		t.Fatalf("admin route in-process: %v, want 403", err)
	}
	if len(admin.paths) != 0 {
		t.Fatal("an in-process caller reached the admin handler")
	}
}
