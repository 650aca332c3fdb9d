package portal

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/catalog/catalogtest"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/portalsession"
)

// A sign-in stands when the record of its used link cannot be written,
// and the portal logs it: that link opened again then finds it expired,
// and operators can tell why.
func TestSignInLogsAUsedLinkItCouldNotRecord(t *testing.T) {
	var logs bytes.Buffer
	sessions := portalsession.New(&memTokens{tokens: map[string]portalsession.Token{}, refuse: portalsession.KindLoginUsed})
	h, err := New(Options{
		API: http.NotFoundHandler(), Sessions: sessions, Catalog: catalogtest.Default(t),
		Config: config.Config{Portal: config.Portal{ProductName: "Acme", AccentColor: "#4f46e5"}}, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	login, _, err := sessions.StartLogin(context.Background(), "org_a")
	if err != nil {
		t.Fatal(err)
	}
	open := func(cookies []*http.Cookie) *httptest.ResponseRecorder {
		return fetchFrom(h, loginPath(login), "", "none", cookies...)
	}
	first := open(nil)
	if first.Code != http.StatusOK || !strings.Contains(words(first.Body.String()), "You are signed in") {
		t.Fatalf("sign-in: %d %q", first.Code, words(first.Body.String()))
	}
	if line := logs.String(); !strings.Contains(line, "level=WARN") || !strings.Contains(line, "the link opened again will say it has expired") ||
		!strings.Contains(line, "throttled") || strings.Contains(line, login) {
		t.Fatalf("log: %q; want a WARN line with the store's error and without the link", line)
	}
	if again := open(first.Result().Cookies()); again.Code != http.StatusUnauthorized {
		t.Fatalf("the link opened again by the signed-in browser: %d, want 401 (nothing recorded)", again.Code)
	}
}
