package portalsession

import (
	"context"
	"errors"
	"time"
)

// Kinds of a one-time form's tokens: the form's own (taken when it is
// submitted) and the record of what its one submission made.
const (
	KindForm     = "FORM"
	KindFormUsed = "FORMUSED"
)

// FormTTL bounds how long a one-time form can be submitted: a session's
// life, as the form's anti-forgery token.
const FormTTL = SessionTTL

// IssueForm gives a form that must act once (create a webhook, rotate a
// secret) a one-time value for orgID. The form posts it back, and UseForm
// accepts it once: a double click or a network retry of the same POST
// finds it used instead of acting again, which the session-wide CSRF
// token cannot tell. purpose names what the form does (which action, on
// which webhook): UseForm accepts the value for that purpose only, so a
// value used on one form and posted to another is unknown there, not a
// replay whose record that form would wait for.
func (m *Manager) IssueForm(ctx context.Context, orgID, purpose string) (string, error) {
	if purpose == "" {
		return "", errors.New("portal form value: no purpose")
	}
	nonce, _, err := m.issue(ctx, Token{Kind: KindForm, OrgID: orgID, Purpose: purpose}, FormTTL)
	return nonce, err
}

// ErrUsed means a one-time form's value was used already: the form was
// sent before.
var ErrUsed = errors.New("portal form was sent already")

// UseForm uses up a form's one-time value issued for purpose. ErrUsed:
// it was used already (the form was sent before). ErrInvalid: it is
// unknown, expired, another organization's or issued for another purpose,
// so this form was never sent as far as this stage knows. The value stays stored, marked used, rather than deleted:
// only then can a replay, which waits for what the first submission
// made, be told from a value never issued, which must not wait.
func (m *Manager) UseForm(ctx context.Context, orgID, purpose, nonce string) error {
	if nonce == "" || purpose == "" {
		return ErrInvalid
	}
	t, err := m.Store.Use(ctx, KindForm, Hash(nonce), orgID, purpose)
	if err != nil {
		return err
	}
	if !m.Now().Before(t.ExpiresAt) {
		return ErrInvalid
	}
	if t.Used {
		return ErrUsed
	}
	return nil
}

// FormDone records what a form's one submission made (ref: the id of the
// webhook created), so a replay can show it.
func (m *Manager) FormDone(ctx context.Context, orgID, nonce, ref string) error {
	exp := m.Now().Add(FormTTL).UTC().Truncate(time.Second)
	return m.Store.Put(ctx, Token{Kind: KindFormUsed, Hash: Hash(nonce), OrgID: orgID, ExpiresAt: exp, Ref: ref})
}

// ErrReturned means a used form's value was put back (ReturnForm): its
// submission failed and did nothing.
var ErrReturned = errors.New("portal form's submission failed")

// FormResult is what FormDone recorded for a used form, ErrReturned once
// its value was put back, or ErrInvalid while there is neither (the first
// submission is still running, or failed without putting it back).
func (m *Manager) FormResult(ctx context.Context, orgID, nonce string) (string, error) {
	if nonce == "" {
		return "", ErrInvalid
	}
	t, err := m.Store.Get(ctx, KindFormUsed, Hash(nonce))
	if errors.Is(err, ErrInvalid) {
		if f, err := m.Store.Get(ctx, KindForm, Hash(nonce)); err == nil && f.OrgID == orgID && !f.Used {
			return "", ErrReturned
		}
	}
	if errors.Is(err, ErrInvalid) || err == nil && (t.OrgID != orgID || t.Ref == "") {
		return "", ErrInvalid
	}
	if err != nil {
		return "", err
	}
	return t.Ref, nil
}

// ReturnForm makes a used one-time value good again (unused) for the
// same purpose: the action it was used for failed, and the form may be
// sent again.
func (m *Manager) ReturnForm(ctx context.Context, orgID, purpose, nonce string) error {
	exp := m.Now().Add(FormTTL).UTC().Truncate(time.Second)
	return m.Store.Put(ctx, Token{Kind: KindForm, Hash: Hash(nonce), OrgID: orgID, ExpiresAt: exp, Purpose: purpose})
}
