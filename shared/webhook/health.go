package webhook

import (
	"context"
	"errors"
	"time"
)

// DisabledFailing is the disabled_reason of an endpoint hookrelay disabled
// because every delivery to it failed past the auto-disable threshold.
// While it holds, the endpoint's deliveries are parked, not POSTed; an
// endpoint the tenant disabled has no reason and its deliveries are skipped.
const DisabledFailing = "failing"

// Health is an endpoint's delivery record (README "Endpoint health").
// Counting is cheap by rule: a failed delivery (one that ended in the DLQ)
// is counted by the write that already records its failure; a successful
// delivery writes only when it ends a failure run (ConsecutiveFailures was
// above zero), and that write is when LastSuccessAt is recorded. A healthy
// endpoint's deliveries therefore never write here.
type Health struct {
	ConsecutiveFailures int       `json:"consecutive_failures"`
	FailingSince        time.Time `json:"failing_since,omitzero"` // first failed delivery of the run; zero when not failing
	// FirstDeadLetterAt is when the run's first counted failure was
	// dead-lettered: the auto-disable clock starts there, not at
	// FailingSince, since a delivery first attempted before a success may
	// be dead-lettered after it (a long retry schedule), and the endpoint
	// has failed every delivery only since the success. A success recorded
	// before it ended the previous run, so it never precedes one.
	FirstDeadLetterAt time.Time `json:"-"`
	LastSuccessAt     time.Time `json:"last_success_at,omitzero"` // the success that last ended a failure run
	// LastFailureRun is the failure run a success last ended whose dead
	// letters no recover has sent again yet: the
	// portal offers Recover for it once the endpoint is healthy again.
	LastFailureRun FailureRun `json:"last_failure_run,omitzero"`
}

// FailureRun is an ended failure run: its failed deliveries, first
// attempted from FailingSince, were dead-lettered before EndedAt, the
// success that ended it. Runs that end with no recover between them are
// one (the earliest start, the latest end, the failures added): a recover
// from FailingSince sends them all.
type FailureRun struct {
	FailingSince time.Time `json:"failing_since"`
	EndedAt      time.Time `json:"ended_at"`
	Failures     int       `json:"failures"`
}

// Recoverable is r as long as its dead letters may still be held: a run
// that ended more than retention (the DLQ's) before now has none left,
// and is the zero run.
func (r FailureRun) Recoverable(now time.Time, retention time.Duration) FailureRun {
	if r.FailingSince.IsZero() || now.Sub(r.EndedAt) > retention {
		return FailureRun{}
	}
	return r
}

// Threshold is the auto-disable rule: failing every delivery for After and
// at least MinFailures deliveries. Either zero turns it off.
type Threshold struct {
	After       time.Duration
	MinFailures int
}

// On reports whether the rule disables anything at all.
func (t Threshold) On() bool { return t.After > 0 && t.MinFailures > 0 }

// Crossed reports whether an endpoint with health h is to be disabled at
// now: its clock runs from the run's first dead letter (FirstDeadLetterAt).
func (t Threshold) Crossed(h Health, now time.Time) bool {
	return t.On() && h.ConsecutiveFailures >= t.MinFailures && !h.FirstDeadLetterAt.IsZero() && !now.Before(h.FirstDeadLetterAt.Add(t.After))
}

// ErrRunStartNotMoved: RecordFailure counted the failure but could not
// move FailingSince back to the delivery's earlier first attempt.
var ErrRunStartNotMoved = errors.New("failure counted, the run's start not moved earlier")

// HealthStore records delivery outcomes on the webhook. Each method is one
// conditional write that never recreates a deleted webhook (ErrNotFound).
type HealthStore interface {
	// RecordFailure counts a failed delivery whose first attempt was at
	// firstAttempt and which was dead-lettered at deadLettered (which
	// start the run, FailingSince and FirstDeadLetterAt, if none is
	// running) and returns the health after it. An error wrapping
	// ErrRunStartNotMoved comes with that health: the failure is counted,
	// only moving the run's start back to firstAttempt failed.
	RecordFailure(ctx context.Context, orgID, id string, firstAttempt, deadLettered time.Time) (Health, error)
	// RecordRecovery ends a failure run at a successful delivery and
	// keeps it as LastFailureRun (joined to one kept already that ended
	// within the DLQ's retention before at; an older one is replaced); a
	// no-op when none is running (a concurrent recovery got there first)
	// or the webhook is disabled (the run lasts until an enable, which
	// ends it).
	RecordRecovery(ctx context.Context, orgID, id string, at time.Time) error
	// DisableFailing disables the webhook with DisabledFailing at at, only
	// if it is enabled and its stored health still crosses t (a success
	// meanwhile wins); it reports whether this call disabled it. The
	// disable marks its webhook.disabled notice pending.
	DisableFailing(ctx context.Context, orgID, id string, at time.Time, t Threshold) (bool, error)
	// DisabledNoticeSent clears the pending mark of the notice of the
	// disable at disabledAt once the notice is on the bus; a no-op when the
	// mark is gone or belongs to another disable.
	DisabledNoticeSent(ctx context.Context, orgID, id string, disabledAt time.Time) error
}
