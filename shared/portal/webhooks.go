package portal

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// recentAttempts is how many of its latest attempts a webhook's success
// rate on the list is computed over.
const recentAttempts = 20

type listRow struct {
	hook
	Last        *deliverylog.Attempt
	Rate        string // "95%", or "" when there are no attempts
	RecentCount int
}

type listData struct {
	Rows       []listRow
	NextCursor string
	Full       string // the limit sentence when the organization has its maximum of webhooks, else ""
}

func (h *Handler) list(v *visit) error {
	var page list[hook]
	path := webhooksAPI + "?limit=50"
	if c := v.r.URL.Query().Get("cursor"); c != "" {
		path += "&cursor=" + url.QueryEscape(c)
	}
	if err := v.call(http.MethodGet, path, nil, &page); err != nil {
		return err
	}
	rows := make([]listRow, len(page.Data))
	errs := make([]error, len(page.Data))
	var wg sync.WaitGroup
	limit := make(chan struct{}, 8) // bound the parallel attempt-log reads
	for i, hk := range page.Data {
		wg.Add(1)
		go func() {
			defer wg.Done()
			limit <- struct{}{}
			defer func() { <-limit }()
			rows[i], errs[i] = v.summarize(hk)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	d := listData{Rows: rows, NextCursor: page.NextCursor}
	if v.r.URL.Query().Get("cursor") == "" {
		// The first page holds them all, or the rest must be counted.
		full := h.full(len(page.Data))
		if !full && page.NextCursor != "" {
			var err error
			if full, err = h.atLimit(v); err != nil {
				return err
			}
		}
		if full {
			d.Full = h.limitSentence()
		}
	}
	return v.show(http.StatusOK, view{Title: "Webhooks", Nav: "list", Notice: notice(v.r), Content: bind(listPage, d)})
}

// rateWords follow a row's success rate, over its latest n attempts: they
// say the rate counts attempts, retries included, so "33%" where every
// event was delivered at its third attempt is not read as two events in
// three lost.
func rateWords(n int) string {
	if n == 1 {
		return "of 1 attempt succeeded (retries included)"
	}
	return "of the last " + strconv.Itoa(n) + " attempts succeeded (retries included)"
}

// summarize adds the last delivery and the recent success rate to a row.
func (v *visit) summarize(hk hook) (listRow, error) {
	var page attemptPage
	if err := v.call(http.MethodGet, webhookAPI(hk.ID)+"/deliveries?limit="+strconv.Itoa(recentAttempts), nil, &page); err != nil {
		return listRow{}, err
	}
	row := listRow{hook: hk}
	if len(page.Data) > 0 {
		row.Last = &page.Data[0]
	}
	made, ok := 0, 0
	for _, a := range page.Data {
		if a.Outcome == deliverylog.OutcomeSkipped {
			continue // nothing was sent
		}
		made++
		if a.Outcome == deliverylog.OutcomeDelivered {
			ok++
		}
	}
	row.RecentCount = made
	if made > 0 {
		row.Rate = percent(ok, made)
	}
	return row, nil
}

func (h *Handler) newForm(v *visit) error {
	if full, err := h.atLimit(v); err != nil {
		return err
	} else if full {
		return v.show(http.StatusOK, view{Title: "Create webhook", Nav: "list", Content: bind(messagePage, h.limitSentence())})
	}
	once, err := v.issueOnce(createPurpose)
	if err != nil {
		return err
	}
	return v.show(http.StatusOK, view{Title: "Create webhook", Nav: "list", Content: bind(newPage, h.form0(formData{Selected: map[string]bool{}, Once: once}))})
}

// create makes one webhook per form shown: the form's one-time value is
// used up first, and a form sent again shows the webhook it made.
func (h *Handler) create(v *visit) error {
	f, in := readForm(v.r)
	f.Once = v.r.PostForm.Get(onceField)
	if f.check(h.o.Config) {
		return h.refuseCreate(v, http.StatusBadRequest, fieldsMarked, f)
	}
	switch use, err := v.useOnce(createPurpose, f.Once); {
	case err != nil:
		return err
	case use == onceUsed:
		return h.createdAlready(v, f.Once)
	case use == onceUnknown:
		// A page from before one-time values (open across a deploy), or
		// a value never issued to the organization for Create: never
		// sent, so show it again, ready to send, rather than as a repeat,
		// and at once: no first submission will record anything to wait
		// for.
		once, err := v.issueOnce(createPurpose)
		if err != nil {
			return err
		}
		f.Once = once
		return h.refuseCreate(v, http.StatusBadRequest, staleForm+" Press Create again to create it.", f)
	}
	var created createdHook
	err := v.call(http.MethodPost, webhooksAPI, in, &created)
	if err != nil {
		if err := v.returnOnce(createPurpose, f.Once); err != nil {
			return err
		}
		if f.fieldError(err) {
			return h.refuseCreate(v, http.StatusBadRequest, fieldsMarked, f)
		}
		if isLimit(err) {
			return h.refuseCreate(v, http.StatusConflict, h.limitSentence(), f)
		}
		if status, msg, ok := formError(err); ok {
			return h.refuseCreate(v, status, msg, f)
		}
		return err
	}
	v.formDone(f.Once, created.ID)
	return v.show(http.StatusCreated, view{Title: "Webhook created", Nav: "list", Content: bind(secretPage, secretData{
		Hook: created.Webhook, Secret: created.SigningSecret, Created: true,
	})})
}

// staleForm opens the answer to a Create or Rotate form without a
// one-time value (one shown before they existed) or with one never issued
// to the organization: either way never sent before.
const staleForm = "This page was out of date, so the form was not sent."

// fieldsMarked is the create form's alert when fields have errors.
const fieldsMarked = "Check the fields marked below."

// refuseCreate shows the create form again with what was typed, the
// page's alert (msg) and each field's error.
func (h *Handler) refuseCreate(v *visit, status int, msg string, f formData) error {
	return v.show(status, view{Title: "Create webhook", Nav: "list", Error: msg, Problems: f.problems(), Content: bind(newPage, h.form0(f))})
}

type secretData struct {
	Hook             hook
	Secret           string
	Created          bool
	PreviousValidTil string
}

type endpointData struct {
	Hook        hook
	LastSuccess time.Time // newest successful delivery known, or zero
	Recover     recoverData
	Form        formData
	Attempts    []deliverylog.Attempt
	Outcome     string
	Filtered    bool // the page answers the outcome filter (?outcome=, even empty): its select takes the focus
	Outcomes    []string
	Cursor      string
	NextCursor  string
	Searched    int // how many attempts the filter read: one API page
	// DeliveredAt is, per delivery id, its newest delivered attempt among
	// those read for the page (all outcomes, and the newest page too).
	DeliveredAt map[string]time.Time
}

// emptyPart ends the sentence of a page the API answered with no
// attempts that is not the whole log: each request reads a bounded part of
// it, leaving out expired entries, so older attempts may follow.
func (d endpointData) emptyPart() string {
	if d.NextCursor == "" {
		return "in this part of the log, the oldest."
	}
	return "in this part of the log."
}

// deliveredLater is when a newer attempt delivered a's delivery, if one
// on the page did and a did not: resending a would deliver it twice (an
// attempt that gave up stays "Failed, gave up" after a Recover or a
// Resend delivered it).
func (d endpointData) deliveredLater(a deliverylog.Attempt) (time.Time, bool) {
	at, ok := d.DeliveredAt[a.DeliveryID]
	return at, ok && a.Outcome != deliverylog.OutcomeDelivered && at.After(a.At)
}

// newestDeliveries records each delivery's newest delivered attempt.
func (d *endpointData) newestDeliveries(log []deliverylog.Attempt) {
	for _, a := range log {
		if a.Outcome == deliverylog.OutcomeDelivered && a.At.After(d.DeliveredAt[a.DeliveryID]) {
			d.DeliveredAt[a.DeliveryID] = a.At
		}
	}
}

var outcomes = []string{deliverylog.OutcomeDelivered, deliverylog.OutcomeRetrying, deliverylog.OutcomeDeadLettered, deliverylog.OutcomeRemoved, deliverylog.OutcomeSkipped, deliverylog.OutcomeFailed}

func (v *visit) webhook() (hook, error) {
	var hk hook
	err := v.call(http.MethodGet, webhookAPI(v.r.PathValue("id")), nil, &hk)
	return hk, err
}

func (h *Handler) endpoint(v *visit) error {
	hk, err := v.webhook()
	if err != nil {
		return err
	}
	return h.showEndpoint(v, http.StatusOK, hk, h.settingsForm(hk), "", "")
}

// settingsForm is the edit form holding the webhook's current settings.
func (h *Handler) settingsForm(hk hook) formData {
	f := formData{ID: hk.ID, Name: hk.Name, URL: hk.URL, AllEvents: hk.AllEvents, Selected: map[string]bool{}}
	for _, t := range hk.EventTypes {
		f.Selected[t] = true
	}
	return h.form0(f)
}

// showEndpoint renders the endpoint page with its health, one page of its
// attempt log (?outcome= filters it, ?cursor= pages through it) and the
// API's refusals: errText for the page, sinceErr for the Recover form.
func (h *Handler) showEndpoint(v *visit, status int, hk hook, f formData, errText, sinceErr string) error {
	q := v.r.URL.Query()
	d := endpointData{Hook: hk, Form: f, Outcomes: outcomes, Outcome: q.Get("outcome"), Filtered: q.Has("outcome"), Cursor: q.Get("cursor"), Recover: recoverForm(v.r, hk), DeliveredAt: map[string]time.Time{}}
	d.Recover.Error = sinceErr
	if d.Outcome != "" && !slices.Contains(outcomes, d.Outcome) {
		// Hand-typed: the select offers no such value, and showing it
		// filtered by one the select does not show would mislead.
		return v.show(http.StatusBadRequest, view{Title: "Unknown outcome", Nav: "list", Content: bind(messagePage,
			"The attempt log has no outcome “"+d.Outcome+"”: open the endpoint from your webhooks and choose one in its Outcome filter.")})
	}
	path := webhookAPI(hk.ID) + "/deliveries?limit=" + pageSize(d.Outcome)
	if d.Cursor != "" {
		path += "&cursor=" + url.QueryEscape(d.Cursor)
	}
	var page attemptPage
	if err := v.call(http.MethodGet, path, nil, &page); err != nil {
		return err
	}
	for _, a := range page.Data {
		if d.Outcome == "" || a.Outcome == d.Outcome {
			d.Attempts = append(d.Attempts, a)
		}
	}
	d.NextCursor, d.Searched = page.NextCursor, len(page.Data)
	d.newestDeliveries(page.Data)
	newest := page.Data
	if d.Cursor != "" {
		// An older page says nothing of the latest success: the health
		// card reads the newest page, so it says the same on every page.
		var first attemptPage
		if err := v.call(http.MethodGet, webhookAPI(hk.ID)+"/deliveries?limit="+pageSize(""), nil, &first); err != nil {
			return err
		}
		newest = first.Data
		d.newestDeliveries(newest)
	}
	d.LastSuccess = lastSuccess(hk, newest)
	problems := f.problems()
	if sinceErr != "" {
		problems = append(problems, problem{Field: "since", Label: "Send what it missed since"})
	}
	return v.show(status, view{Title: hk.Name, Nav: "list", Notice: notice(v.r), Error: errText, Problems: problems, Content: bind(endpointPage, d)})
}

// pageSize reads more attempts per page when filtering, so a filtered page
// is rarely empty (the API lists all outcomes).
func pageSize(outcome string) string {
	if outcome != "" {
		return "100"
	}
	return "20"
}

func (h *Handler) edit(v *visit) error {
	hk, err := v.webhook()
	if err != nil {
		return err
	}
	f, in := readForm(v.r)
	f.ID = hk.ID
	const notSaved = "The changes were not saved: check the fields marked below."
	if f.check(h.o.Config) {
		return h.showEndpoint(v, http.StatusBadRequest, hk, h.form0(f), notSaved, "")
	}
	if err := v.call(http.MethodPatch, webhookAPI(hk.ID), in, nil); err != nil {
		if f.fieldError(err) {
			return h.showEndpoint(v, http.StatusBadRequest, hk, h.form0(f), notSaved, "")
		}
		if status, msg, ok := formError(err); ok {
			return h.showEndpoint(v, status, hk, h.form0(f), msg, "")
		}
		return err
	}
	return v.seeOther("webhooks/" + url.PathEscape(hk.ID) + "?done=saved")
}

func (h *Handler) setEnabled(v *visit) error {
	enabled := v.r.PostForm.Get("enabled") == "true"
	id := v.r.PathValue("id")
	if err := v.call(http.MethodPatch, webhookAPI(id), webhookInput{Enabled: &enabled}, nil); err != nil {
		return err
	}
	done := "disabled"
	if enabled {
		done = "enabled"
	}
	return v.seeOther("webhooks/" + url.PathEscape(id) + "?done=" + done)
}

func (h *Handler) confirmDelete(v *visit) error {
	hk, err := v.webhook()
	if err != nil {
		return err
	}
	return v.show(http.StatusOK, view{Title: "Delete " + hk.Name, Nav: "list", Content: bind(deletePage, hk)})
}

func (h *Handler) confirmDisable(v *visit) error {
	hk, err := v.webhook()
	if err != nil {
		return err
	}
	return v.show(http.StatusOK, view{Title: "Disable " + hk.Name, Nav: "list", Content: bind(disablePage, hk)})
}

type rotateData struct {
	Hook  hook
	Grace string // the deployment's grace period in words, or ""
	Once  string // the form's one-time value
}

// confirmation is what a confirmPage asks and posts: its heading, the
// action's path under the webhook, the button's label and class
// (danger, primary), one hidden field if Field is set, and the one-time
// value of a form that must act once (onceField), if any.
type confirmation struct {
	Title, Action, Button, Class string
	Field, Value                 string
	Once                         string
}

func (h *Handler) confirmRotate(v *visit) error {
	hk, err := v.webhook()
	if err != nil {
		return err
	}
	once, err := v.issueOnce(rotatePurpose(hk.ID))
	if err != nil {
		return err
	}
	return h.showRotate(v, hk, once, "")
}

// showRotate is the Rotate secret confirmation carrying the one-time
// value once, with problem (if any) above it.
func (h *Handler) showRotate(v *visit, hk hook, once, problem string) error {
	return v.show(http.StatusOK, view{Title: "Rotate the secret of " + hk.Name, Nav: "list", Error: problem, Content: bind(rotatePage, rotateData{Hook: hk, Grace: durationWords(h.o.Config.SecretGrace), Once: once})})
}

// durationWords is a grace period as the confirmation says it: "24 hours",
// "90 minutes", or "" when it is not known.
func durationWords(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return itoa(n) + " " + one + "s"
	}
	switch {
	case d <= 0:
		return ""
	case d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	case d%time.Minute == 0:
		return unit(int64(d/time.Minute), "minute")
	case d%time.Second == 0:
		return unit(int64(d/time.Second), "second")
	}
	return d.String()
}

func (h *Handler) delete(v *visit) error {
	if err := v.call(http.MethodDelete, webhookAPI(v.r.PathValue("id")), nil, nil); err != nil {
		return err
	}
	return v.seeOther("?done=deleted")
}

// rotate rotates once per confirmation shown: a confirmation sent again
// (a double click) must not rotate a second time, which would drop the
// secret the endpoint still uses while the page promises its grace.
func (h *Handler) rotate(v *visit) error {
	hk, err := v.webhook()
	if err != nil {
		return err
	}
	once, purpose := v.r.PostForm.Get(onceField), rotatePurpose(hk.ID)
	switch use, err := v.useOnce(purpose, once); {
	case err != nil:
		return err
	case use == onceUnknown:
		// A page from before one-time values, or a value never issued to
		// the organization for this webhook's rotation: nothing was
		// rotated.
		return v.seeOther("webhooks/" + url.PathEscape(hk.ID) + "?done=rotate-stale")
	case use == onceUsed:
		// Sent again: answered with what the first submission did, once
		// it is known (a first that failed must not be reported as a
		// rotation).
		done, failed, err := h.firstOutcome(v, once)
		switch {
		case err != nil:
			return err
		case failed: // its value was put back: the same form rotates
			return h.showRotate(v, hk, once, "This form was sent twice and the first submission failed, so nothing was rotated. Press Rotate secret to try again.")
		case done == "":
			return v.seeOther("webhooks/" + url.PathEscape(hk.ID) + "?done=rotate-unsure")
		}
		return v.seeOther("webhooks/" + url.PathEscape(hk.ID) + "?done=rotated-twice")
	}
	var rot rotatedSecret
	if err := v.call(http.MethodPost, webhookAPI(hk.ID)+"/rotate-secret", nil, &rot); err != nil {
		return errors.Join(err, v.returnOnce(purpose, once))
	}
	v.formDone(once, hk.ID)
	return v.show(http.StatusOK, view{Title: "New signing secret", Nav: "list", Content: bind(secretPage, secretData{
		Hook: hk, Secret: rot.SigningSecret, PreviousValidTil: when(rot.PreviousSecretExpiresAt),
	})})
}

func (h *Handler) sendTest(v *visit) error {
	hk, err := v.webhook()
	if err != nil {
		return err
	}
	var q queued
	if err := v.call(http.MethodPost, webhookAPI(hk.ID)+"/test", nil, &q); err != nil {
		return err
	}
	if healthOf(hk) == failing && hasRun(hk) {
		// The test is an ordinary delivery here, and its success ends the
		// run and the card's Recover with it: the page it leads to keeps
		// the start the card's Recover has now (an ended run's, held or
		// owed deliveries' if earlier), so fix, test, then Recover works
		// in that order.
		return v.seeOther("webhooks/" + url.PathEscape(hk.ID) + "?" + url.Values{
			"done": {"test-failing"}, "since": {recoverForm(v.r, hk).Since},
		}.Encode())
	}
	return v.seeOther("webhooks/" + url.PathEscape(hk.ID) + "?done=test" + fate(hk, true))
}

func (h *Handler) resend(v *visit) error {
	hk, err := v.webhook()
	if err != nil {
		return err
	}
	dlv := v.r.PostForm.Get("delivery_id")
	if err := v.call(http.MethodPost, webhookAPI(hk.ID)+"/deliveries/"+url.PathEscape(dlv)+"/resend", nil, nil); err != nil {
		if msg, ok := unsubscribedResend(err); ok {
			return h.showEndpoint(v, http.StatusConflict, hk, h.settingsForm(hk), msg, "")
		}
		return err
	}
	// The attempt log row the Resend button is on says whether it was the
	// tenant's own test, which a parked endpoint is sent once (deliver goes
	// by the same mark, on the queue message). The field only chooses which
	// fixed notice the sender reads.
	test := v.r.PostForm.Get("test") == "1"
	return v.seeOther("webhooks/" + url.PathEscape(hk.ID) + "?done=resent" + fate(hk, test))
}

// unsubscribedResend is the API's refusal of a resend whose event type
// the webhook no longer subscribes to, in the form's words: the endpoint
// page it is shown on holds the Settings that fix it.
func unsubscribedResend(err error) (string, bool) {
	var ce *api.CallError
	if !errors.As(err, &ce) || ce.Code != "not_subscribed" {
		return "", false
	}
	// The API's message names the type: "… does not subscribe to X: …".
	_, rest, _ := strings.Cut(ce.Message, "does not subscribe to ")
	if name, _, ok := strings.Cut(rest, ":"); ok && name != "" {
		return "This endpoint no longer receives " + name + " events. Tick " + name + " under Settings → Events to send and save, then press Resend again.", true
	}
	return "This endpoint no longer receives this delivery's event type. Tick it under Settings → Events to send and save, then press Resend again.", true
}

// resends reports whether the attempt log offers Resend. An endpoint the
// tenant disabled skips a resent delivery (fate), so the button would only
// add a skipped row; one disabled for failing holds it for a recover, or
// sends a test once, as its notices say.
func resends(hk hook) bool {
	return hk.Enabled || hk.Parks()
}

// fate names what a delivery queued now (a test event or not) meets at a
// disabled endpoint, so the notice does not promise an attempt that will
// not be made: a parked endpoint (disabled for failing) holds it for a
// recover, except a test, which is sent once to check the endpoint; one
// the tenant disabled skips it.
func fate(hk hook, test bool) string {
	switch {
	case hk.Parks() && test:
		return "-check"
	case hk.Parks():
		return "-held"
	case !hk.Enabled:
		return "-skipped"
	}
	return ""
}

// notices are the outcomes a redirect reports; ?done= only ever selects
// one of these fixed texts.
var notices = map[string]string{
	"saved":        "Changes saved.",
	"enabled":      "The endpoint is enabled: new events are delivered to it.",
	"disabled":     "The endpoint is disabled: no events are delivered to it until you enable it.",
	"deleted":      "The endpoint was deleted.",
	"test":         "A test event (webhook.test) is on its way. It appears in the attempt log below within seconds; refresh to see it.",
	"test-failing": "A test event (webhook.test) is on its way. It appears in the attempt log below within seconds; refresh to see it. If it is delivered, your endpoint works again: press Recover below to send again the deliveries that failed.",
	"resent":       "The delivery was queued again. The new attempt appears in the log below; refresh to see it.",
	// At a disabled endpoint nothing is sent: say what happens instead.
	"test-skipped":   "The endpoint is disabled, so the test event (webhook.test) is not sent: it appears in the log as skipped. Enable the endpoint to receive events.",
	"resent-skipped": "The endpoint is disabled, so the delivery is not sent again: it appears in the log as skipped. Enable the endpoint to receive events.",
	"test-check":     "The endpoint is disabled for failing, but a test event (webhook.test) is sent to it all the same, once and without retries, so you can check it works before you recover it below. The attempt appears in the log below within seconds; refresh to see it.",
	"resent-check":   "The endpoint is disabled for failing, but this test event is sent to it again all the same, once and without retries, so you can check it works before you recover it below. The attempt appears in the log below within seconds; refresh to see it.",
	"resent-held":    "The endpoint is disabled for failing, so the delivery is held with its other missed deliveries until you recover the endpoint below.",
	// A one-time form sent again (a double click) acted once.
	"rotate-stale":    staleForm + " The secret was not rotated: press Rotate secret again to rotate it.",
	"rotated-twice":   "This form was sent twice, so the secret was rotated once, not again, and the new secret is not shown again. If you did not copy it, rotate again: the secret your endpoint uses now then stops working at once.",
	"rotate-unsure":   "This form was sent twice, so it was not sent again, and the first submission had not finished. If the first one rotated the secret, this page shows when the previous secret stops working, and the new secret is not shown again (if you did not copy it, rotate again); otherwise nothing was rotated.",
	"created-twice":   "This form was sent twice, so the webhook was created once: this one. Its signing secret was shown only once; if you did not copy it, use Rotate secret to get a new one.",
	"submitted-twice": "This form was sent twice, so it was not sent again. If the first one created the webhook, it is in the list below; its signing secret was shown only once (use Rotate secret on its page to get a new one).",
}

func notice(r *http.Request) string {
	q := r.URL.Query()
	if q.Get("done") == "recovered" {
		return recoveredNotice(q)
	}
	return notices[q.Get("done")]
}
