package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/phrase"
	"github.com/hookrelay/hookrelay/shared/rfc3339"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// health is which of its four states an endpoint is in, as the API's
// enabled, disabled_reason and health fields tell it.
type health int

const (
	healthy         health = iota
	failing                // enabled, its last deliveries failed
	disabledFailing        // hookrelay disabled it: its events are parked
	disabledByTenant
)

// String names the state for the page's data-health attribute.
func (s health) String() string {
	return [...]string{"healthy", "failing", "disabled-failing", "disabled"}[s]
}

// class is the health card's style (portal.css).
func (s health) class() string { return [...]string{"ok", "warn", "bad", "off"}[s] }

func healthOf(hk hook) health {
	switch {
	case hk.Parks():
		return disabledFailing
	case !hk.Enabled:
		return disabledByTenant
	case hk.Health.ConsecutiveFailures > 0:
		return failing
	}
	return healthy
}

// lastSuccess is the newest successful delivery the page knows of: in the
// newest page of the attempt log, or else the success that last ended a
// failure run (health.last_success_at, which a healthy endpoint's
// deliveries never write).
func lastSuccess(hk hook, newest []deliverylog.Attempt) time.Time {
	for _, a := range newest {
		if a.Outcome == deliverylog.OutcomeDelivered {
			return a.At
		}
	}
	return hk.Health.LastSuccessAt
}

// hasRun reports whether the endpoint has a failure run on record: one
// enabled and failing, disabled for failing, or disabled by the tenant
// while failing (a disable keeps the run; only an enable or a success
// clears it). Its failed deliveries since failing_since are in its dead
// letters, for a Recover to send again.
func hasRun(hk hook) bool {
	return hk.Health.ConsecutiveFailures > 0 && !hk.Health.FailingSince.IsZero()
}

// endedRun is the failure run a success last ended, whose dead letters a
// Recover from its start still sends (the API shows it until one
// completes, for the DLQ's 14 days): the tenant fixed the endpoint before
// pressing Recover. Zero when none.
func endedRun(hk hook) webhook.FailureRun { return hk.Health.LastFailureRun }

// runStart is where a Recover of every failure run on record begins: the
// ended run's start, or else the running one's (a run that ends joins an
// ended one not recovered yet, so the ended one is always the earlier).
func runStart(hk hook) time.Time {
	return earliest(hk.Health.FailingSince, endedRun(hk).FailingSince)
}

// recoverData is the Recover form: from when to redeliver, and the API's
// refusal of that time.
type recoverData struct {
	Show  bool
	Since string
	// Hint says what Since is, when it is the time recoverStart chose.
	Hint  string
	Error string
	// Held: the endpoint no longer parks, but deliveries it parked remain.
	Held bool
	// Owed: a recover did not read all the endpoint's dead letters (the
	// API's dead_letters_from), which only another recover sends.
	Owed bool
}

// recoverForm is shown for an endpoint hookrelay disabled for failing,
// for one with a failure run (hasRun: enabled and failing, where the
// API's recover enables nothing, or disabled by the tenant while
// failing), for one with a failure run a success
// ended (endedRun, healthy again or not), for one with parked deliveries left (the API's parked_from: after a
// partial recover, an Enable, a tenant's disable of a parked endpoint) or
// dead letters a recover still owes it (dead_letters_from: one right after
// another endpoint's, which the API's 30 s per organization skipped),
// again after a recover that left parked deliveries behind (?more=1) or
// could not search the dead letters (?incomplete=1: the notice says to
// recover again later, and the endpoint is enabled by then), after a test
// of a failing endpoint (?since=, which keeps the run's start: a test that
// succeeds ends the run), and with the
// refusal of one. It holds the time typed when a recover was
// refused, the one that recover used, or else recoverStart's: the
// earliest of the run's start, the oldest held event and the first dead
// letter owed.
func recoverForm(r *http.Request, hk hook) recoverData {
	q := r.URL.Query()
	refused := r.PostForm.Has("since")
	held := !hk.Parks() && !hk.ParkedFrom.IsZero()
	owed := !hk.DeadLettersFrom.IsZero()
	d := recoverData{Show: hk.Parks() || hasRun(hk) || !endedRun(hk).FailingSince.IsZero() || held || owed || q.Get("since") != "" || q.Get("more") == "1" || q.Get("incomplete") == "1" || refused, Held: held, Owed: owed}
	start, hint := recoverStart(hk)
	switch {
	case refused:
		d.Since = r.PostForm.Get("since")
	case q.Get("since") != "":
		d.Since = q.Get("since")
	case !start.IsZero():
		d.Since = start.UTC().Format(time.RFC3339)
	}
	if !start.IsZero() && d.Since == start.UTC().Format(time.RFC3339) {
		// Only then: the hint said "the oldest held event" of a run's
		// earlier start, and a typed time is the tenant's.
		d.Hint = hint
	}
	return d
}

// recoverStart is the Recover form's time when no request sets it, and
// the hint's sentence that says what it is. Parked deliveries left or
// dead letters owed are what Recover is for, and a failure run still on
// record (a tenant's disable keeps it) may have begun before them, with
// its dead letters: from whichever is earliest; else from when the
// endpoint was disabled. Held events count while the endpoint holds new
// ones too: disabled for failing, Enabled, and disabled again by a new
// run, it still holds those of the first disable, older than the run.
func recoverStart(hk hook) (time.Time, string) {
	start, hint := runStart(hk), "It starts when the endpoint began failing."
	if from := hk.DeadLettersFrom; !from.IsZero() && (start.IsZero() || !start.Before(from)) {
		start, hint = from, "It starts where the failed deliveries not sent yet begin."
	}
	if from := hk.ParkedFrom; !from.IsZero() && (start.IsZero() || from.Before(start)) {
		start, hint = from, "It starts at the oldest held event."
	}
	if start.IsZero() {
		start, hint = hk.DisabledAt, "It starts when the endpoint was disabled."
	}
	return start, hint
}

type recoverInput struct {
	Since string `json:"since"`
}

// recoverEndpoint enables an endpoint and re-queues what it missed since
// the time given, then reports the counts through the redirect.
func (h *Handler) recoverEndpoint(v *visit) error {
	id := v.r.PathValue("id")
	since := sinceRFC3339(strings.TrimSpace(v.r.PostForm.Get("since")))
	var res recovered
	if refused := v.call(http.MethodPost, webhookAPI(id)+"/recover", recoverInput{Since: since}, &res); refused != nil {
		status, msg, ok := formError(refused)
		if !ok {
			return refused
		}
		hk, err := v.webhook()
		if err != nil {
			return err
		}
		sinceErr := sinceError(refused, since)
		if sinceErr != "" {
			msg = "Nothing was recovered: check the time below."
		} else {
			msg = "Nothing was recovered. " + msg
		}
		return h.showEndpoint(v, status, hk, h.settingsForm(hk), msg, sinceErr)
	}
	q := url.Values{"done": {"recovered"}, "queued": {strconv.Itoa(res.Queued)}}
	if res.More {
		q.Set("more", "1")
	}
	if res.DeadLettersIncomplete {
		q.Set("incomplete", "1")
	}
	if res.More || res.DeadLettersIncomplete {
		// The form comes back with this time for the call that goes on.
		q.Set("since", since)
	}
	return v.seeOther("webhooks/" + url.PathEscape(id) + "?" + q.Encode())
}

// shownTimes are the layouts a tenant may paste into Recover's time
// besides RFC 3339: the portal's own (when), and it without " UTC" or
// with a T, read as UTC as the page means them.
var shownTimes = []string{"2006-01-02 15:04:05 UTC", "2006-01-02 15:04:05", "2006-01-02T15:04:05"}

// sinceRFC3339 is a time typed in one of shownTimes as the API's RFC
// 3339; anything else is left for the API to take or refuse.
func sinceRFC3339(typed string) string {
	for _, layout := range shownTimes {
		if t, err := time.Parse(layout, typed); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return typed
}

// sinceError is the API's refusal of the time typed, for the field, in a
// tenant's words: what is not a time as the API reads them ("since must
// be an RFC 3339 time") is asked for again by example; a time refused
// for what it is (in the future) keeps the API's reason.
func sinceError(err error, typed string) string {
	var ce *api.CallError
	if !errors.As(err, &ce) || ce.Code != "invalid_since" {
		return ""
	}
	if _, bad := rfc3339.Parse(typed); bad == nil {
		return labelled(ce.Message, "since", "That time")
	}
	return "Enter a UTC time like 2026-11-28T10:00:00Z."
}

// recoveredNotice reports a recover from the redirect's query: only the
// count (a number) and two flags reach the fixed sentences.
func recoveredNotice(q url.Values) string {
	n, err := strconv.Atoi(q.Get("queued"))
	if err != nil || n < 0 {
		return ""
	}
	msg := "The endpoint is enabled. " + phrase.Count(n, "missed delivery was", "missed deliveries were") + " queued again; they appear in the attempt log below as they are delivered."
	switch {
	case n == 0 && q.Get("more") == "1": // none queued by this call, some still parked
		msg = "The endpoint is enabled. None were queued by this press."
	case n == 0 && q.Get("incomplete") == "1": // the dead letters were not all read
		msg = "The endpoint is enabled. No parked deliveries were left to queue."
	case n == 0:
		msg = "The endpoint is enabled. No missed deliveries were found since that time."
	}
	if q.Get("more") == "1" {
		msg += " More parked deliveries remain: press Recover again to queue the next ones."
	}
	if q.Get("incomplete") == "1" {
		// The flag has several causes (a recover less than 30 s before,
		// such as the first of a double click, searched the dead letters;
		// more than one recover queue; a read that failed), which the
		// README and the operator's log name; the tenant's one action is
		// the same for each.
		msg += " Some missed deliveries may not have been queued yet. Press Recover again in a minute to queue any that remain."
	}
	return msg
}

// earliest is the earlier of two times, a zero one being absent.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}
