package portal

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/hookrelay/hookrelay/shared/detach"
	"github.com/hookrelay/hookrelay/shared/portalsession"
)

// onceField is the form field carrying a one-time form's value. Create
// and Rotate secret carry one: each must act once per form shown, and a
// double click, a slow network's retry or Back and resubmit posts the
// same form again (a second rotation drops the secret the endpoint
// still uses; a second create makes an endpoint whose secret nobody
// saw). The session's CSRF token cannot tell a
// replay: it is the same for every form of the session.
const onceField = "once"

// What a one-time value is issued for: Create, or Rotate secret of one
// webhook. A value acts only on the form it was issued for; posted to
// another it is unknown there, never a replay, so it is answered at once
// (else a used rotate value posted to Create would wait 3 s for a
// create record that never comes, as often as it was posted).
const createPurpose = "create"

func rotatePurpose(webhookID string) string { return "rotate:" + webhookID }

// issueOnce is a new one-time value for a form the page shows.
func (v *visit) issueOnce(purpose string) (string, error) {
	return v.h.o.Sessions.IssueForm(v.ctx, v.s.OrgID, purpose)
}

// onceUse is what using a posted form's one-time value found.
type onceUse int

const (
	onceFresh   onceUse = iota // never used: act
	onceUsed                   // the form was sent before: answer what that did
	onceUnknown                // none, or never issued to the organization for this form: the form was never sent
)

// useOnce uses up the posted form's one-time value, issued for purpose.
func (v *visit) useOnce(purpose, nonce string) (onceUse, error) {
	switch err := v.h.o.Sessions.UseForm(v.ctx, v.s.OrgID, purpose, nonce); {
	case err == nil:
		return onceFresh, nil
	case errors.Is(err, portalsession.ErrUsed):
		return onceUsed, nil
	case errors.Is(err, portalsession.ErrInvalid):
		return onceUnknown, nil
	default:
		return 0, err
	}
}

// returnOnce makes a used value good again after the action failed, so
// the same form can be sent again (a refused create shows it again).
// Detached: the action is over, and the page answering it keeps the value.
func (v *visit) returnOnce(purpose, nonce string) error {
	ctx, cancel := detach.Bookkeeping(v.ctx)
	defer cancel()
	return v.h.o.Sessions.ReturnForm(ctx, v.s.OrgID, purpose, nonce)
}

// formDone records what a form's one submission made (ref), for its
// replays. Detached: the action happened, so the record of it must be
// written.
func (v *visit) formDone(nonce, ref string) {
	ctx, cancel := detach.Bookkeeping(v.ctx)
	defer cancel()
	if err := v.h.o.Sessions.FormDone(ctx, v.s.OrgID, nonce, ref); err != nil {
		// The tenant still gets the page; a replay answers without a claim.
		v.h.o.Logger.Error("portal: recording a one-time form's outcome failed", "error", err.Error())
	}
}

// replayWait bounds how long a form sent again waits for the first
// submission's outcome: a double click's second POST arrives while the
// first is still creating or rotating.
const replayWait = 3 * time.Second

// firstOutcome waits for what a form's first submission did: the ref it
// recorded (formDone), or failed once its value was put back; neither
// ("", false) if it did not finish in time. Only for a value really used
// (onceUsed): it holds the request while it waits.
func (h *Handler) firstOutcome(v *visit, nonce string) (ref string, failed bool, err error) {
	ctx, cancel := context.WithTimeout(v.ctx, replayWait)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		ref, err := h.o.Sessions.FormResult(ctx, v.s.OrgID, nonce)
		switch {
		case err == nil:
			return ref, false, nil
		case errors.Is(err, portalsession.ErrReturned):
			return "", true, nil
		case !errors.Is(err, portalsession.ErrInvalid) && ctx.Err() == nil:
			return "", false, err
		}
		select {
		case <-ctx.Done():
			return "", false, nil
		case <-tick.C:
		}
	}
}

// createdAlready answers a create form sent again: the endpoint page of
// the webhook the first submission created (never its secret), or the
// list if the first one created nothing it recorded in time.
func (h *Handler) createdAlready(v *visit, nonce string) error {
	id, _, err := h.firstOutcome(v, nonce)
	switch {
	case err != nil:
		return err
	case id != "":
		return v.seeOther("webhooks/" + url.PathEscape(id) + "?done=created-twice")
	}
	return v.seeOther("?done=submitted-twice")
}
