package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/hookrelay/hookrelay/shared/auth"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/delivery"
	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/healthnotice"
	"github.com/hookrelay/hookrelay/shared/rfc3339"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// EnableNotifier announces an endpoint enabled again (healthnotice.Publisher).
type EnableNotifier interface {
	Enabled(ctx context.Context, w webhook.Webhook, reason string, at time.Time) error
}

// Recovery re-queues an endpoint's parked and dead-lettered deliveries
// (delivery.Recovery).
type Recovery interface {
	Requeue(ctx context.Context, w webhook.Webhook, since time.Time) (delivery.RecoverResult, error)
}

// healthJSON is the endpoint health of a webhook response.
type healthJSON struct {
	ConsecutiveFailures int        `json:"consecutive_failures"`
	FailingSince        *time.Time `json:"failing_since,omitempty"`
	LastSuccessAt       *time.Time `json:"last_success_at,omitempty"`
	// LastFailureRun: the failure run a success last ended, while a
	// recover may still send its dead letters; absent otherwise.
	LastFailureRun *failureRunJSON `json:"last_failure_run,omitempty"`
}

type failureRunJSON struct {
	FailingSince time.Time `json:"failing_since"`
	EndedAt      time.Time `json:"ended_at"`
	Failures     int       `json:"failures"`
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// toHealthJSON is h as shown at now: a last failure run is shown for the
// DLQ's retention after its end, while its dead letters may be held.
func toHealthJSON(h webhook.Health, now time.Time) healthJSON {
	out := healthJSON{ConsecutiveFailures: h.ConsecutiveFailures, FailingSince: optionalTime(h.FailingSince), LastSuccessAt: optionalTime(h.LastSuccessAt)}
	if r := h.LastFailureRun.Recoverable(now, config.DLQRetention); !r.FailingSince.IsZero() {
		out.LastFailureRun = &failureRunJSON{FailingSince: r.FailingSince.UTC(), EndedAt: r.EndedAt.UTC(), Failures: r.Failures}
	}
	return out
}

// FailureRuns drops a webhook's last failure run (dynamo.WebhookStore).
type FailureRuns interface {
	// ClearFailureRun drops the run that ended at endedAt if since is at
	// or before its start.
	ClearFailureRun(ctx context.Context, orgID, id string, endedAt, since time.Time) error
	// ClearEndedRun drops a run that starts between since and
	// latestStart with at most failures.
	ClearEndedRun(ctx context.Context, orgID, id string, since, latestStart time.Time, failures int) error
	// RecoveredRun records that a recover sends the first failures of
	// the running run that started at failingSince again; marked is
	// false when that run no longer runs from there.
	RecoveredRun(ctx context.Context, orgID, id string, failingSince time.Time, failures int) (marked bool, err error)
	// UnmarkRecoveredRun takes that record back.
	UnmarkRecoveredRun(ctx context.Context, orgID, id string, failingSince time.Time, failures int) error
}

// runMark is what a recover did to the running run it read.
type runMark int

const (
	runNotCovered  runMark = iota // none running, or since is after its start
	runMarked                     // marked recovered before anything was sent
	runMarkRefused                // ended (or its start moved) between the read and the mark
)

// sendsRunningRun is true when a recover from since sends every failure
// of hook's running run again: one from at or before its start.
func sendsRunningRun(h webhook.Health, since time.Time) bool {
	return h.ConsecutiveFailures > 0 && !h.FailingSince.IsZero() && !since.After(h.FailingSince)
}

// markRecovered records, on an enabled endpoint failing since a time at
// or after since, that the recover sends its run's failures so far again:
// the success that ends the run then keeps no last failure run for them,
// which would say they failed and Recover sends them again.
// It is written before anything is sent: the first letter goes out
// undelayed, and its success usually ends the run before the recover
// answers. A failed write fails the recover, which has
// changed nothing yet.
func (s *server) markRecovered(ctx context.Context, hook webhook.Webhook, since time.Time) (runMark, error) {
	h := hook.Health
	if s.d.FailureRuns == nil || !sendsRunningRun(h, since) {
		return runNotCovered, nil
	}
	marked, err := s.d.FailureRuns.RecoveredRun(ctx, hook.OrgID, hook.ID, h.FailingSince, h.ConsecutiveFailures)
	switch {
	case err != nil:
		return runNotCovered, err
	case !marked:
		return runMarkRefused, nil
	}
	return runMarked, nil
}

// unmarkRecovered takes the mark back from a recover that sent nothing
// and answers an error: the run is kept when it ends, and the tenant's
// next recover marks it again. It runs past a canceled request (often why
// the recover failed); a failed write is logged.
func (s *server) unmarkRecovered(ctx context.Context, hook webhook.Webhook, mark runMark) {
	if mark != runMarked {
		return
	}
	h := hook.Health
	if err := s.d.FailureRuns.UnmarkRecoveredRun(context.WithoutCancel(ctx), hook.OrgID, hook.ID, h.FailingSince, h.ConsecutiveFailures); err != nil {
		s.d.Logger.LogAttrs(ctx, slog.LevelError, "recover: running run left marked recovered",
			slog.String("org_id", hook.OrgID), slog.String("webhook_id", hook.ID), slog.String("error", err.Error()))
	}
}

// clearFailureRun drops the webhook's last failure run after a recover
// from its start or earlier sent it again: its dead letters were
// redriven, or are owed (dead_letters_from, which offers Recover in its
// place). When the running run the recover read ended before its mark,
// the success kept that run (alone, or joined to the kept one), and it is
// dropped as long as it holds no failure counted since the read. A failed
// write is logged: the recover itself happened.
func (s *server) clearFailureRun(ctx context.Context, hook webhook.Webhook, since time.Time, mark runMark) {
	if s.d.FailureRuns == nil {
		return
	}
	h, kept := hook.Health, hook.Health.LastFailureRun
	sendsKept := !kept.FailingSince.IsZero() && !since.After(kept.FailingSince)
	var err error
	switch {
	case mark == runMarkRefused:
		latest, failures := h.FailingSince, h.ConsecutiveFailures
		if sendsKept {
			failures += kept.Failures
			if kept.FailingSince.After(latest) {
				latest = kept.FailingSince
			}
		}
		err = s.d.FailureRuns.ClearEndedRun(ctx, hook.OrgID, hook.ID, since, latest, failures)
	case sendsKept:
		err = s.d.FailureRuns.ClearFailureRun(ctx, hook.OrgID, hook.ID, kept.EndedAt, since)
	}
	if err != nil {
		s.d.Logger.LogAttrs(ctx, slog.LevelError, "recover: last failure run not cleared",
			slog.String("org_id", hook.OrgID), slog.String("webhook_id", hook.ID), slog.String("error", err.Error()))
	}
}

// prepareEnable turns a disabled hook into an enabled one with a new
// health run. The store's Update clears the stored run in the same
// conditional write as the enable, so an enable that fails keeps the
// disabled endpoint's run (where Recover begins) intact.
func prepareEnable(hook *webhook.Webhook) {
	hook.Enabled, hook.DisabledReason, hook.DisabledAt = true, "", time.Time{}
	hook.Health = webhook.Health{LastSuccessAt: hook.Health.LastSuccessAt, LastFailureRun: hook.Health.LastFailureRun}
}

// announceEnabled tells the org that an endpoint hookrelay had disabled
// for failing is back. The enable is done: a failed notice is logged.
func (s *server) announceEnabled(ctx context.Context, hook webhook.Webhook, reason string) {
	if s.d.Notices == nil {
		return
	}
	if err := s.d.Notices.Enabled(ctx, hook, reason, hook.UpdatedAt); err != nil {
		s.d.Logger.LogAttrs(ctx, slog.LevelError, "notify endpoint enabled",
			slog.String("org_id", hook.OrgID), slog.String("webhook_id", hook.ID), slog.String("error", err.Error()))
	}
}

// ParkedDeliveries tells whether deliveries parked for a webhook remain,
// and a time a recover reaches them all from (dynamo.ParkedStore).
type ParkedDeliveries interface {
	ParkedFrom(ctx context.Context, orgID, webhookID string) (from time.Time, remain bool, err error)
}

// parkedFrom is what a webhook's parked_from shows: absent when none
// remain. A recover of part of them (more, a failure after the enable),
// an enable by PATCH or a tenant's disable of a parked endpoint leaves
// the rest with nothing else on the webhook to say so.
func (s *server) parkedFrom(ctx context.Context, hook webhook.Webhook) (*time.Time, error) {
	if s.d.Parked == nil {
		return nil, nil
	}
	from, remain, err := s.d.Parked.ParkedFrom(ctx, hook.OrgID, hook.ID)
	if err != nil || !remain {
		return nil, err
	}
	return optionalTime(from), nil
}

// DeadLetterDebts records, on a webhook, the dead letters a recover still
// owes it from a time (dynamo.WebhookStore): README says a recover reads
// them at most once every 30 s per organization, so a recover right after
// another endpoint's reads none, and the enabled endpoint would otherwise
// show nothing left to recover.
type DeadLetterDebts interface {
	// OweDeadLetters keeps the earlier of since and a debt already owed.
	OweDeadLetters(ctx context.Context, orgID, id string, since time.Time) error
	// SettleDeadLetters clears a debt from since or later.
	SettleDeadLetters(ctx context.Context, orgID, id string, since time.Time) error
}

// settleDeadLetters records what a recover from since did with the dead
// letters: owed when it did not read them all, paid when it did. A failed
// write is logged: the recover itself happened.
func (s *server) settleDeadLetters(ctx context.Context, hook webhook.Webhook, since time.Time, res delivery.RecoverResult) {
	var err error
	switch {
	case s.d.DeadLetterDebts == nil:
		return
	case res.DeadLettersIncomplete:
		err = s.d.DeadLetterDebts.OweDeadLetters(ctx, hook.OrgID, hook.ID, since)
	case !hook.DeadLettersFrom.IsZero():
		err = s.d.DeadLetterDebts.SettleDeadLetters(ctx, hook.OrgID, hook.ID, since)
	}
	if err != nil {
		s.d.Logger.LogAttrs(ctx, slog.LevelError, "recover: dead letters still owed not recorded",
			slog.String("org_id", hook.OrgID), slog.String("webhook_id", hook.ID), slog.String("error", err.Error()))
	}
}

type recoverInput struct {
	Since *string `json:"since"`
}

type recoverJSON struct {
	delivery.RecoverResult
	Enabled bool `json:"enabled"` // this call enabled the webhook
}

// recoverWebhook enables the webhook if it is disabled and re-queues its
// dead-lettered and parked deliveries since the given time.
func (s *server) recoverWebhook(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	hook, err := s.webhookFromPath(r, p)
	if err != nil {
		return err
	}
	var in recoverInput
	if err := decodeJSON(w, r, maxWebhookBody, &in); err != nil {
		return err
	}
	now := s.now()
	if in.Since == nil {
		return invalidField(codeInvalidSince, "since is required (RFC 3339)")
	}
	since, err := rfc3339.Parse(*in.Since)
	if err != nil {
		return invalidField(codeInvalidSince, "since must be an RFC 3339 time such as 2026-11-28T10:00:00Z")
	}
	if since.After(now) {
		return invalidField(codeInvalidSince, "since is in the future")
	}
	out := recoverJSON{}
	if !hook.Enabled {
		read := hook
		prepareEnable(&hook)
		hook.UpdatedAt = now
		switch err := s.d.Webhooks.Update(r.Context(), read, hook); {
		case errors.Is(err, webhook.ErrChanged):
			// Enabled meanwhile (the tenant, another recover): requeue
			// all the same, the enable is not this call's.
			if hook, err = s.webhookFromPath(r, p); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			out.Enabled = true
			if read.Parks() {
				s.announceEnabled(r.Context(), hook, healthnotice.ReasonRecovered)
			}
		}
	}
	mark, err := s.markRecovered(r.Context(), hook, since)
	if err != nil {
		return err // nothing sent: the caller may try again
	}
	res, err := s.d.Recovery.Requeue(r.Context(), hook, since)
	s.settleDeadLetters(r.Context(), hook, since, res)
	if err != nil && !out.Enabled && res.Queued == 0 {
		s.unmarkRecovered(r.Context(), hook, mark)
		return err // nothing changed: the caller may try again
	}
	// Cut short with some queued, the mark stays: Requeue fails only in
	// its parked stage, after the dead letters were queued or owed, and
	// a success of what it queued may have ended the run already.
	if err == nil {
		s.clearFailureRun(r.Context(), hook, since, mark)
	}
	if err != nil {
		// Enabled, or some queued: an error would hide that. The rest is
		// still parked (or dead-lettered), so the answer says call again.
		s.d.Logger.LogAttrs(r.Context(), slog.LevelError, "recover: cut short",
			slog.String("org_id", p.OrgID), slog.String("webhook_id", hook.ID), slog.String("error", err.Error()))
		res.More = true
	}
	if res.Err != nil {
		s.d.Logger.LogAttrs(r.Context(), incompleteRecoverLevel(res.Err), "recover: dead letters not redriven",
			slog.String("org_id", p.OrgID), slog.String("webhook_id", hook.ID), slog.String("error", res.Err.Error()))
	}
	out.RecoverResult = res
	writeJSON(w, http.StatusAccepted, out)
	return nil
}

// incompleteRecoverLevel is INFO for a recover within dlq.RecoverInterval
// of the organization's last, which README calls normal (the second call
// of a more run, a double click), and for one that sent back what one
// call may (the next continues): ERROR stays for a read or send that failed.
func incompleteRecoverLevel(err error) slog.Level {
	if errors.Is(err, dlq.ErrRecentScan) || errors.Is(err, dlq.ErrMoreDeadLetters) {
		return slog.LevelInfo
	}
	return slog.LevelError
}
