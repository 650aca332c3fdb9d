package portal

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// failedWith runs the portal's last-resort error page for a page request
// with ctx, and returns what it logged.
func failedWith(t *testing.T, ctx context.Context) string {
	t.Helper()
	logs := &testenv.Buffer{}
	h := testHandler(t, nil)
	h.o.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	r := httptest.NewRequest(http.MethodGet, "/portal/", nil).WithContext(ctx)
	w := httptest.NewRecorder()
	h.failed(&visit{w: w, r: r, h: h, ctx: ctx, root: "./"}, &api.CallError{Status: 500, Code: "internal_error", Message: "internal error"})
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", w.Code)
	}
	return logs.String()
}

// A browser that leaves a page while it renders cancels the page's calls:
// no failure of the service, so no ERROR line for an operator to chase.
func TestAPageTheBrowserLeftIsNoServiceError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	logs := failedWith(t, ctx)
	if strings.Contains(logs, `"level":"ERROR"`) || !strings.Contains(logs, `"msg":"portal page canceled"`) {
		t.Fatalf("logs:\n%s", logs)
	}
	if logs := failedWith(t, context.Background()); !strings.Contains(logs, `"level":"ERROR"`) {
		t.Fatalf("a failure with the browser waiting is not an error:\n%s", logs)
	}
}
