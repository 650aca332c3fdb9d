package portal

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/testenv"
)

// heldRotate answers the API like fakeAPI, except that the first
// rotate-secret waits for release and then answers fail (0: as fakeAPI
// does, a rotation).
type heldRotate struct {
	api     *fakeAPI
	fail    int
	once    sync.Once
	held    chan struct{}
	release chan struct{}
	mu      sync.Mutex
}

func (f *heldRotate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	first := false
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/rotate-secret") {
		f.once.Do(func() { first = true })
	}
	if first {
		close(f.held)
		<-f.release
		if f.fail != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(f.fail)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": "rotation_conflict", "message": "the secret changed meanwhile: rotate again"}})
			return
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.api.ServeHTTP(w, r)
}

// doubleRotate posts one Rotate secret confirmation twice, the second
// while the first is at the API; the first's API call is answered once
// the second has waited until answered (or, if wait is false, at once).
// It returns the second answer, the one the browser shows.
func doubleRotate(t *testing.T, fail int, answerFirstWhileSecondWaits bool) (*Handler, *httptest.ResponseRecorder) {
	t.Helper()
	fr := &heldRotate{api: &fakeAPI{t: t, hook: healthyHook()}, fail: fail, held: make(chan struct{}), release: make(chan struct{})}
	h := testHandler(t, fr)
	form := url.Values{"csrf": {"token"}, onceField: {formOnce(get(h, h.confirmRotate, "/portal/webhooks/wh_1/rotate").Body.String())}}
	done := make(chan struct{})
	go func() { defer close(done); post(h, h.rotate, "/portal/webhooks/wh_1/rotate", form) }()
	<-fr.held // the first submission is rotating
	var second *httptest.ResponseRecorder
	answered := make(chan struct{})
	go func() { defer close(answered); second = post(h, h.rotate, "/portal/webhooks/wh_1/rotate", form) }()
	if answerFirstWhileSecondWaits {
		waitForReplay(t, h)
		close(fr.release)
		<-answered
	} else {
		<-answered
		close(fr.release)
	}
	<-done
	return h, second
}

// A double-clicked Rotate secret whose first submission fails: the page
// the browser shows says nothing was rotated and offers the form again,
// never that the secret was rotated.
func TestDoubleClickedRotateWhoseFirstFailsSaysNothingWasRotated(t *testing.T) {
	_, second := doubleRotate(t, http.StatusConflict, true)
	page := words(second.Body.String())
	if second.Code != http.StatusOK || !strings.Contains(page, "nothing was rotated") || formOnce(second.Body.String()) == "" || strings.Contains(page, "rotated once") {
		t.Fatalf("second submission: %d to %q\n%s", second.Code, second.Header().Get("Location"), page)
	}
}

// When the first submission rotated, the second says so, as before.
func TestDoubleClickedRotateWhoseFirstRotatesSaysRotatedOnce(t *testing.T) {
	_, second := doubleRotate(t, 0, true)
	if loc := second.Header().Get("Location"); second.Code != http.StatusSeeOther || loc != "../../webhooks/wh_1?done=rotated-twice" {
		t.Fatalf("second submission: %d to %q", second.Code, loc)
	}
}

// When the first submission has not finished in time, the second says
// what each outcome would look like, and neither as a fact.
func TestDoubleClickedRotateStillRunningIsAnsweredWithoutAClaim(t *testing.T) {
	h, second := doubleRotate(t, 0, false)
	loc := second.Header().Get("Location")
	if second.Code != http.StatusSeeOther || loc != "../../webhooks/wh_1?done=rotate-unsure" {
		t.Fatalf("second submission: %d to %q", second.Code, loc)
	}
	if page := renderNotice(t, h, "?done=rotate-unsure"); !strings.Contains(page, "If the first one rotated the secret") || strings.Contains(page, "rotated once") {
		t.Errorf("the endpoint page after a rotation still running:\n%s", page)
	}
}

// waitForReplay returns once a form sent again is waiting for the first
// submission's outcome (it reads the form's records).
func waitForReplay(t *testing.T, h *Handler) {
	t.Helper()
	mem := h.o.Sessions.Store.(*memTokens)
	testenv.WaitFor(t, 30*time.Second, "the form sent again to wait for the first submission", func() bool {
		mem.mu.Lock()
		defer mem.mu.Unlock()
		return mem.reads > 0
	})
}
