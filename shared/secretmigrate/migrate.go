// Package secretmigrate moves every webhook's signing secrets from one
// secret store to the other (`hookrelay secrets migrate`) without ever
// holding a webhook's secrets in neither. Per webhook: copy the record to
// the target store, read it back and compare, then mark the item with the
// target ("switch"), and only then, and only once the stack runs with the
// target store alone, remove the source form. Until then the stack runs a
// Bridge, which writes both stores. Each step is idempotent, so a run
// that stops anywhere is finished by running again.
package secretmigrate

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// Store is a secret store with whole-record access.
type Store interface {
	// Record returns the webhook's record; secrets.ErrNotFound if none.
	Record(ctx context.Context, orgID, webhookID string) (secrets.Record, error)
	// PutRecord makes the store hold r for the webhook.
	PutRecord(ctx context.Context, orgID, webhookID string, r secrets.Record) error
	ScheduleDeletion(ctx context.Context, orgID, webhookID string) error
}

// Webhook is one webhook and the store its item is marked with ("" when
// it was never migrated).
type Webhook struct{ OrgID, ID, SecretStore string }

// Webhooks walks and marks the webhook items.
type Webhooks interface {
	ForEach(ctx context.Context, fn func(Webhook) error) error
	// Mark switches the item to store; webhook.ErrNotFound if it is gone.
	Mark(ctx context.Context, orgID, id, store string) error
}

// Migration moves secrets From one store To the other.
type Migration struct {
	From, To Store
	ToName   string // the target store's name (config.SecretStore*)
	// Live is the stack's secretStore setting now: the move to ToName
	// (config.SecretStoreTo...: the source stays, the functions still
	// read it) or ToName itself (the source form is removed).
	Live     string
	Webhooks Webhooks
	DryRun   bool
	Out      io.Writer // one line per webhook that needs something
}

// Report counts what a run did (or, dry, would do).
type Report struct {
	Webhooks, Copied, Marked, Removed, Unchanged int
}

// Run migrates every webhook; it stops at the first error (nothing is
// lost: a rerun resumes). It refuses a stack that still runs on the
// source alone: the webhooks created or rotated between the copy and the
// switch would have their secrets in the source alone at the switch.
func (m Migration) Run(ctx context.Context) (Report, error) {
	var rep Report
	if err := CheckLive(m.Live, m.ToName); err != nil {
		return rep, err
	}
	err := m.Webhooks.ForEach(ctx, func(w Webhook) error {
		rep.Webhooks++
		return m.one(ctx, w, &rep)
	})
	return rep, err
}

// CheckLive refuses a migration to store while the stack runs with the
// setting live: only the move to store (migrating-to-<store>) or store
// itself will do. Callers check it before doing or printing anything.
func CheckLive(live, store string) error {
	if target, _ := config.SecretStores(live); target != store {
		return fmt.Errorf("the stack runs with secretStore=%s: deploy it with -c secretStore=migrating-to-%s first (every create and rotation then goes to both stores), then migrate", live, store)
	}
	return nil
}

func (m Migration) one(ctx context.Context, w Webhook, rep *Report) error {
	src, srcErr := m.From.Record(ctx, w.OrgID, w.ID)
	dst, dstErr := m.To.Record(ctx, w.OrgID, w.ID)
	for _, err := range []error{srcErr, dstErr} {
		if err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return fmt.Errorf("webhook %s: %w", w.ID, err)
		}
	}
	hasSrc, hasDst := srcErr == nil, dstErr == nil
	if !hasSrc && !hasDst {
		m.say("%s/%s: no secret in either store: skipped", w.OrgID, w.ID)
		return nil
	}
	live := m.Live == m.ToName
	acts := 0
	if hasSrc && (!hasDst || m.sourceWins(src, dst, live)) {
		acts++
		if err := m.copy(ctx, w, src); err != nil {
			return err
		}
		m.did(w, "copy", "copied", "the secrets to "+m.ToName)
		rep.Copied++
	}
	if w.SecretStore != m.ToName {
		acts++
		if err := m.mark(ctx, w); err != nil {
			return err
		}
		m.did(w, "switch", "switched", "the item to "+m.ToName)
		rep.Marked++
	}
	if hasSrc && live {
		acts++
		if !m.DryRun {
			if err := m.From.ScheduleDeletion(ctx, w.OrgID, w.ID); err != nil && !errors.Is(err, secrets.ErrNotFound) {
				return fmt.Errorf("webhook %s: remove the old form: %w", w.ID, err)
			}
		}
		m.did(w, "remove", "removed", "the old form")
		rep.Removed++
	}
	if acts == 0 {
		rep.Unchanged++
	}
	return nil
}

// sourceWins decides which differing record is right. While the stack
// still migrates the source always does: the Bridge reads it first and
// writes it first, and undoes it when the target write fails, so a target
// that differs holds a write that answered an error (one that landed
// despite its error, or one the migration copied before the Bridge undid
// it), never a rotation anybody was shown. On the
// target alone, a record that is a rotation of the other is newer;
// otherwise the target wins: a stack on the target alone writes only
// there, so unrelated records mean the target was rotated since the
// switch, whether or not the item was marked (a webhook created through
// the Bridge after the copy run never is).
func (m Migration) sourceWins(src, dst secrets.Record, live bool) bool {
	switch {
	case same(src, dst):
		return false
	case !live:
		return true
	}
	return rotationOf(src, dst)
}

// copyRounds bounds how often one webhook's copy starts over because its
// source changed meanwhile.
const copyRounds = 3

// copy writes r, the source's record, to the target, reads it back, and
// reads the source again: a rotation that landed between the migration's
// read and its write was overwritten in the target by r, so while the
// source differs from what was copied, its record is copied again. The
// Bridge writes a rotation to the source first, so a rotation this read
// misses has its target write still to come, after the migration's.
func (m Migration) copy(ctx context.Context, w Webhook, r secrets.Record) error {
	if m.DryRun {
		return nil
	}
	for range copyRounds {
		if err := m.copyOnce(ctx, w, r); err != nil {
			return err
		}
		now, err := m.From.Record(ctx, w.OrgID, w.ID)
		switch {
		case errors.Is(err, secrets.ErrNotFound):
			// Deleted meanwhile: the copy may have recreated its secrets in
			// the target, which mark removes. An unswitched item's mark
			// comes next; a switched one's does not, so it runs here.
			if w.SecretStore == m.ToName {
				return m.mark(ctx, w)
			}
			return nil
		case err != nil:
			return fmt.Errorf("webhook %s: read the source again after the copy: %w", w.ID, err)
		case same(now, r):
			return nil
		}
		m.say("%s/%s: rotated during the copy: copy again", w.OrgID, w.ID)
		r = now
	}
	return fmt.Errorf("webhook %s: its secrets changed during each of %d copies: run the migration again", w.ID, copyRounds)
}

// copyOnce writes r to the target and reads it back.
func (m Migration) copyOnce(ctx context.Context, w Webhook, r secrets.Record) error {
	if err := m.To.PutRecord(ctx, w.OrgID, w.ID, r); err != nil {
		return fmt.Errorf("webhook %s: copy: %w", w.ID, err)
	}
	back, err := m.To.Record(ctx, w.OrgID, w.ID)
	if err != nil {
		return fmt.Errorf("webhook %s: read the copy back: %w", w.ID, err)
	}
	if !same(back, r) {
		return fmt.Errorf("webhook %s: the copy reads back different secrets", w.ID)
	}
	return nil
}

// mark switches the item. A webhook deleted meanwhile may have left the
// copy behind (an envelope write recreates a bare item): it is removed.
func (m Migration) mark(ctx context.Context, w Webhook) error {
	if m.DryRun {
		return nil
	}
	err := m.Webhooks.Mark(ctx, w.OrgID, w.ID, m.ToName)
	if errors.Is(err, webhook.ErrNotFound) {
		m.say("%s/%s: deleted meanwhile: its copy is removed", w.OrgID, w.ID)
		if err := m.To.ScheduleDeletion(ctx, w.OrgID, w.ID); err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return fmt.Errorf("webhook %s: remove the copy of a deleted webhook: %w", w.ID, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("webhook %s: switch: %w", w.ID, err)
	}
	return nil
}

// did prints a step of w once it is done (what a dry run would do): an
// interrupted run's last line is never a step it did not finish.
func (m Migration) did(w Webhook, verb, done, what string) {
	if m.DryRun {
		m.say("%s/%s: would %s %s", w.OrgID, w.ID, verb, what)
		return
	}
	m.say("%s/%s: %s %s", w.OrgID, w.ID, done, what)
}

func (m Migration) say(format string, args ...any) {
	if m.Out != nil {
		fmt.Fprintf(m.Out, format+"\n", args...)
	}
}

func same(a, b secrets.Record) bool {
	return a.Current == b.Current && a.Previous == b.Previous && a.PreviousExpiresAt.Equal(b.PreviousExpiresAt)
}

// rotationOf reports whether a is b rotated once (a's previous is b's current).
func rotationOf(a, b secrets.Record) bool {
	return a.Current != b.Current && a.Previous != "" && a.Previous == b.Current
}
