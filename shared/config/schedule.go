package config

import (
	"fmt"
	"strings"
	"time"
)

// Retry budget: what SQS can honour (docs/internals.md, "Retry budget").
const (
	// DeliveryRetention is the delivery queue's message retention (infra
	// sets it); a message older than this vanishes without a dead letter.
	DeliveryRetention = 4 * 24 * time.Hour
	// DLQRetention is the delivery DLQ's message retention (infra sets it,
	// the SQS maximum). A tenant's index of its dead letters
	// (DeadLetterIndexTTL) outlives it.
	DLQRetention = 14 * 24 * time.Hour
	// DeadLetterIndexTTL is how long an index item of a dead letter is kept
	// from its dead-lettering: a day longer than the DLQ keeps the letter,
	// so no dead letter still in the DLQ loses its item (its tombstone, once
	// recovered, which keeps an operator's redrive from sending it again).
	DeadLetterIndexTTL = DLQRetention + 24*time.Hour
	// RetryBudget is how long one message's retries may span, counted from
	// when it was sent: a day less than the retention, so the last retry
	// and its dead-lettering happen well before SQS would drop it. The
	// deliver function dead-letters with retry_budget_exhausted instead of
	// scheduling a retry past it.
	RetryBudget = DeliveryRetention - 24*time.Hour
	// DeliveryRecordMinTTL is the least a delivery record, the attempt
	// count between a message's retries, is kept after its last attempt,
	// whatever AttemptTTL (the attempt log's) is: as long as the delivery
	// queue keeps the message, so every retry finds its count. One that
	// expired sooner would make each retry attempt 1 again, and the
	// schedule would never end in a dead letter.
	DeliveryRecordMinTTL = DeliveryRetention
	// MaxVisibility is SQS's limit on a visibility timeout, counted from the
	// receive that the timeout extends.
	MaxVisibility = 12 * time.Hour
	// MaxBatchWindow is the SQS event source's MaximumBatchingWindowInSeconds
	// limit: a message waits at most this long between the event source's
	// receive and the handler.
	MaxBatchWindow = 5 * time.Minute
	// MaxRetryStep bounds a schedule step: with its jitter (up to 10 %) it
	// stays an hour below MaxVisibility, so it never depends on the time a
	// receipt has already used up.
	MaxRetryStep = 10 * time.Hour
	// MaxDeferrals bounds how often a delivery to an endpoint that keeps
	// timing out is put back without an attempt. Each deferral is a receive,
	// so the delivery queue's maxReceiveCount allows for them (infra).
	MaxDeferrals = 10
)

// DeliveryMaxReceive is the delivery queue's maxReceiveCount (AWS and
// dev): it must exceed the receives the deliver function uses (len+1
// attempts, plus up to MaxDeferrals deferrals) or SQS would redrive a
// message before the function gives up on it with a reason; the margin of
// 5 absorbs receives lost to crashes. It is a safety net for poison only.
func DeliveryMaxReceive(sched []time.Duration) int {
	return max(10, len(sched)+1+5) + MaxDeferrals
}

// ScheduleSpan is the longest time a schedule's retries can take: every
// step with its maximum jitter (10 %).
func ScheduleSpan(sched []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range sched {
		t += d + d/10
	}
	return t
}

// FormatSchedule writes a schedule as ParseSchedule reads it.
func FormatSchedule(sched []time.Duration) string {
	parts := make([]string, len(sched))
	for i, d := range sched {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

// ParseSchedule parses "30s,60s,120s". Every step must be positive and at
// most MaxRetryStep, and the whole schedule must fit in RetryBudget.
func ParseSchedule(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, part := range strings.Split(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("retry schedule %q: %w", s, err)
		}
		if d <= 0 || d > MaxRetryStep {
			return nil, fmt.Errorf("retry schedule %q: step %s must be in (0, %s] (SQS's %s visibility limit, less jitter and margin)", s, d, fmtHours(MaxRetryStep), fmtHours(MaxVisibility))
		}
		out = append(out, d)
	}
	if span := ScheduleSpan(out); span > RetryBudget {
		return nil, fmt.Errorf("retry schedule %q: steps with their 10%% jitter span %s; they must fit in %s (the delivery queue keeps messages %s)",
			s, span, fmtHours(RetryBudget), fmtHours(DeliveryRetention))
	}
	return out, nil
}

// fmtHours writes whole hours as "72h" rather than "72h0m0s".
func fmtHours(d time.Duration) string { return strings.TrimSuffix(d.String(), "0m0s") }
