package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hookrelay/hookrelay/shared/emulator"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// The browser tests drive Debian's headless Chromium. They fail, never
// skip, when it is missing: `make tools` installs it.

// Viewports the portal must work at: a laptop and a small phone.
const (
	desktopWidth, desktopHeight = 1280, 900
	phoneWidth, phoneHeight     = 375, 812
	stepTimeout                 = patience
)

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: run `make tools` (it installs Debian's chromium package)")
	return ""
}

// browser is one fresh headless Chromium (its own profile: no cookies).
type browser struct {
	t   *testing.T
	ctx context.Context
}

func newBrowser(t *testing.T, width, height int) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Tests send traffic to loopback only: a name a page mentions (a
		// brand's logo on a CDN) fails at once instead of being looked up.
		// The rules apply to IP literals too: 127.0.0.2 is the other
		// site a framing test serves its page on.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE 127.0.0.2"),
	}
	dir := chromiumDir(t)
	opts = append(opts,
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Env("TMPDIR="+dir),
		chromedp.WindowSize(width, height),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	// A whole session's bound, not a step's: a width sweep can take minutes
	// on a loaded machine, and a stuck page is ended by its step's own bound.
	ctx, cancelTimeout := context.WithTimeout(ctx, 10*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx() // closes the browser and waits for it
		cancelAlloc()
	})
	// The first action starts the browser, which lives as long as the
	// context of that call: it runs on ctx, not on a step's shorter one.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx}
}

// chromiumDir is a directory for Chromium's profile and TMPDIR, removed
// after the test. Its path is short, unlike t.TempDir(), because Chromium
// keeps its singleton socket in TMPDIR and a Unix socket's path may not
// pass 107 bytes. Once the browser is closed, a helper process of it may
// still be writing there for a moment: the removal tries again until the
// directory is gone rather than fail a passing test with "directory not
// empty" (testenv.WaitFor polls the removal).
func chromiumDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		testenv.WaitFor(t, time.Minute, "Chromium's directory "+dir+" to be removed", func() bool { return os.RemoveAll(dir) == nil })
	})
	return dir
}

// run performs actions and fails the test on the first error.
func (b *browser) run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	// One step never waits long: a page that does not come is a failure to
	// report, not a reason to wait for the test's deadline.
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail(err)
	}
}

func (b *browser) fail(err error) {
	b.t.Helper()
	url, _ := chromedp.Run(b.ctx, chromedp.Location())
	b.t.Fatalf("browser at %s: %v", url, err)
}

// reloadShowsTheEndpoint checks that a page answering a POST with a new
// secret (after) took the endpoint's address, so a reload is a GET of the
// endpoint's page: it must not send the form again.
func (b *browser) reloadShowsTheEndpoint(id, after string) {
	b.t.Helper()
	b.waitTrue(`location.pathname.endsWith("/portal/webhooks/`+id+`")`, "the endpoint's address after "+after)
	// The address moved after the page was built: its links and forms
	// must still lead where they did (a rotation's page is one level
	// deeper than the endpoint's, so a link relative to the page's own
	// address would climb out of the portal once the address changed).
	if stray := evaluate[[]string](b, strayLinks); len(stray) > 0 {
		b.t.Fatalf("after %s the secret page's links leave the portal: %q", after, stray)
	}
	if next := evaluate[string](b, `Array.from(document.querySelectorAll("main a")).find(a => a.innerText.startsWith("I've stored it")).href`); !strings.HasSuffix(next, "/portal/webhooks/"+id) {
		b.t.Fatalf("after %s the continue button leads to %q", after, next)
	}
	b.run(chromedp.Reload())
	b.waitVisible(`form[action$="/test"] button`)
	if b.truth(`document.querySelector("#secret") !== null`) {
		b.t.Fatalf("a reload after %s showed a secret again: the form was sent again", after)
	}
}

// strayLinks is a JavaScript expression: the addresses of the document's
// links and forms that lead outside the portal.
const strayLinks = `Array.from(document.querySelectorAll("a[href], form[action]"))
	.map(e => e.href || e.action)
	.filter(u => !new URL(u).pathname.startsWith("/portal/"))`

// waitVisible polls the current document until an element matching sel
// is rendered.
func (b *browser) waitVisible(sel string) {
	b.t.Helper()
	b.waitTrue(loaded+" && "+visible(sel), strconv.Quote(sel)+" to appear")
}

// loaded is a JavaScript expression: the page has run its deferred script
// and loaded. Chromium discards the node ids chromedp holds when a page
// starts and again when its DOMContentLoaded fires, after portal.js (a
// deferred script) has run; an element visible before that is no sign
// that a node-id action (Click, SendKeys, SetValue) will find it still
// ("Could not find node with given id" 1.6 s after the
// element showed). "interactive" comes before deferred scripts run.
const loaded = `document.readyState === "complete"`

// visible is a JavaScript expression: an element matching sel is rendered.
func visible(sel string) string {
	quoted, _ := json.Marshal(sel)
	return `(() => { const e = document.querySelector(` + string(quoted) + `); return !!e && e.getClientRects().length > 0; })()`
}

// press clicks an element that starts a navigation (a link, a form's
// button) once it is visible, and marks the document it clicked in.
// chromedp's Click holds a node id, and the navigation the click starts
// can drop that node before chromedp's last call about it returns: the
// click happened, yet Click fails ("Could not find node with given id").
// Here the page's own script clicks, after the evaluation has returned, so
// an evaluation that fails never clicked and is retried, and one that
// returns has clicked once.
func (b *browser) press(target string) {
	b.t.Helper()
	quoted, _ := json.Marshal(target)
	b.waitTrue(`(() => { if (!`+visible(target)+`) return false;
		const e = document.querySelector(`+string(quoted)+`);
		window.`+pressedMark+` = true;
		setTimeout(() => e.click(), 0);
		return true; })()`, strconv.Quote(target)+" to click")
}

// pressedMark marks a document press clicked in: the page that follows
// has not got it, so a wait for that page never passes on the one before.
const pressedMark = "__hookrelayPressed"

// waitNextPage waits until a page other than the one press clicked in
// shows sel.
func (b *browser) waitNextPage(sel string) {
	b.t.Helper()
	b.waitTrue("!window."+pressedMark+" && "+loaded+" && "+visible(sel), strconv.Quote(sel)+" to appear on the next page")
}

// waitTrue polls until a JavaScript expression is true in the current
// document. It evaluates afresh each time rather than watching nodes, so
// it follows navigations a click or a form submission starts (an
// evaluation during one fails and is retried).
func (b *browser) waitTrue(expr, what string) {
	b.t.Helper()
	pollEval(b, expr, what, func(ok bool) bool { return ok })
}

// pollEval evaluates expr in the current document until done accepts
// what it yields, as waitTrue, and returns that.
func pollEval[T any](b *browser, expr, what string, done func(T) bool) T {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
		cancel()
		if err == nil && done(got) {
			return got
		}
		if time.Now().After(deadline) {
			url, _ := chromedp.Run(b.ctx, chromedp.Location())
			b.screenshot("failed-"+strings.ReplaceAll(b.t.Name(), "/", "-"), "")
			b.t.Fatalf("browser at %s: waited %s for %s (last error: %v)", url, stepTimeout, what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// read returns property prop (innerText, value, outerHTML) of the first
// element matching sel, once it is rendered and its page loaded (as
// waitVisible: a node-id action may follow). It reads by evaluation, as
// waitTrue does, never through chromedp's node ids: right after a page
// replaced the one before, those could name the old page's nodes ("No
// node with given id found", a flake of the portal's recover test).
func (b *browser) read(sel, prop string) string {
	b.t.Helper()
	quoted, _ := json.Marshal(sel)
	type reading struct {
		Found bool   `json:"found"`
		Value string `json:"value"`
	}
	r := pollEval(b, `(() => { const e = document.querySelector(`+string(quoted)+`);
		return `+loaded+` && e && e.getClientRects().length > 0 ? {found: true, value: String(e.`+prop+`)} : {found: false, value: ""}; })()`,
		strconv.Quote(sel)+" to appear", func(r reading) bool { return r.Found })
	return r.Value
}

// text returns the text of the first element matching sel, once visible.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return b.read(sel, "innerText")
}

// value returns the value of the form field matching sel, once visible.
func (b *browser) value(sel string) string {
	b.t.Helper()
	return b.read(sel, "value")
}

// truth evaluates a JavaScript expression that yields a boolean.
func (b *browser) truth(expr string) bool {
	b.t.Helper()
	return evaluate[bool](b, expr)
}

// evaluate evaluates a JavaScript expression in the current document.
func evaluate[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.fail(err)
	}
	return v
}

// html returns the outer HTML of the first element matching sel.
func (b *browser) html(sel string) string {
	b.t.Helper()
	return b.read(sel, "outerHTML")
}

// reloadUntil reloads the page until the expression is true.
func (b *browser) reloadUntil(within time.Duration, what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(within)
	for {
		b.run(chromedp.WaitReady(chromedp.CSS("body")))
		if b.truth(expr) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		b.run(chromedp.Sleep(300*time.Millisecond), chromedp.Reload())
	}
}

// viewShot saves what the viewport shows (a phone's first screen).
func (b *browser) viewShot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.fail(err)
	}
	b.save(name, "", png)
}

// envDocScreenshots, set to 1, makes the tests also refresh the README's
// screenshots in docs/ (tracked files, so never by default).
const envDocScreenshots = "HOOKRELAY_DOC_SCREENSHOTS"

// screenshot saves the whole page as .screenshots/<name>.png (git-ignored)
// and, when docName is set and $HOOKRELAY_DOC_SCREENSHOTS is 1, as
// docs/<docName> for the README.
func (b *browser) screenshot(name, docName string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fail(err)
	}
	b.save(name, docName, png)
}

func (b *browser) save(name, docName string, png []byte) {
	b.t.Helper()
	root, err := emulator.RepoRoot()
	if err != nil {
		b.t.Fatal(err)
	}
	dir := filepath.Join(root, ".screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if docName != "" && os.Getenv(envDocScreenshots) == "1" {
		if err := os.WriteFile(filepath.Join(root, "docs", docName), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}

// noHorizontalScroll fails when the page is wider than the viewport.
func (b *browser) noHorizontalScroll(page string) {
	b.t.Helper()
	over, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
	if err != nil {
		b.fail(err)
	}
	if over > 0 {
		b.t.Errorf("%s: the page is %d px wider than the viewport", page, over)
	}
}

// everyInputLabelled fails for a visible form control without a label.
func (b *browser) everyInputLabelled(page string) {
	b.t.Helper()
	unlabelled, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
		.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
		.map(e => e.name || e.id || e.outerHTML)`))
	if err != nil {
		b.fail(err)
	}
	if len(unlabelled) > 0 {
		b.t.Errorf("%s: controls without a label: %v", page, unlabelled)
	}
}
