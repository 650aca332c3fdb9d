package dlq

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/phrase"
	"github.com/hookrelay/hookrelay/shared/rfc3339"
)

// Filter selects dead letters. Zero fields match everything; set fields
// must all match. An empty Filter selects the whole DLQ, so callers that
// act on a selection (redrive, purge) ask for an explicit "all" first.
type Filter struct {
	OrgID     string
	WebhookID string
	Reason    string
	Tier      string    // TierEndpoint, TierPipeline or ""
	Since     time.Time // dead-lettered at or after (Entry.DeadAt), in whole seconds
	// IDs are SQS message ids or delivery ids: operators copy the first
	// from `dlq ls` and the second from the attempt log.
	IDs []string
}

// ErrInvalidFilter wraps every filter the operator typed wrong.
var ErrInvalidFilter = errors.New("invalid filter")

// Empty reports whether the filter selects everything.
func (f Filter) Empty() bool {
	return f.OrgID == "" && f.WebhookID == "" && f.Reason == "" && f.Tier == "" && f.Since.IsZero() && len(f.IDs) == 0
}

// Matches reports whether e is selected.
func (f Filter) Matches(e Entry) bool {
	switch {
	case f.OrgID != "" && e.OrgID != f.OrgID,
		f.WebhookID != "" && e.WebhookID != f.WebhookID,
		f.Reason != "" && e.Reason != f.Reason,
		f.Tier != "" && e.Tier != f.Tier,
		// A dead letter records its last attempt in whole seconds: the
		// failure run's start (failing_since, with its fraction) must
		// select one that failed in that same second.
		!f.Since.IsZero() && e.DeadAt().Before(f.Since.Truncate(time.Second)):
		return false
	}
	if len(f.IDs) > 0 {
		byDelivery := e.Delivery != nil && slices.Contains(f.IDs, e.Delivery.DeliveryID)
		return slices.Contains(f.IDs, e.MessageID) || byDelivery
	}
	return true
}

// unmatched returns, once each, the ids of f that selected none of
// selected: mistyped, or gone (redriven, purged, in flight). Counting the
// selected cannot tell: one delivery id may select two dead letters (a
// failed Resend, or a redrive whose DLQ delete failed, leaves a second),
// and a message id given with its own delivery id selects one.
func (f Filter) unmatched(selected []Entry) []string {
	found := make(map[string]bool, 2*len(selected))
	for _, e := range selected {
		found[e.MessageID] = true
		if e.Delivery != nil {
			found[e.Delivery.DeliveryID] = true
		}
	}
	var missing []string
	for _, id := range f.IDs {
		if !found[id] {
			missing = append(missing, id)
			found[id] = true // named once
		}
	}
	return missing
}

// FilterSpec is a Filter as operators type it: CLI flags, admin query
// parameters and admin JSON bodies all parse through it, so they accept
// the same values and fail with the same messages.
type FilterSpec struct {
	OrgID     string   `json:"organization_id,omitempty"`
	WebhookID string   `json:"webhook_id,omitempty"`
	Reason    string   `json:"reason,omitempty"`
	Tier      string   `json:"tier,omitempty"`
	Since     string   `json:"since,omitempty"` // a duration back from now ("1h") or RFC 3339
	IDs       []string `json:"ids,omitempty"`
}

// Filter validates the spec; now anchors a relative Since.
func (s FilterSpec) Filter(now time.Time) (Filter, error) {
	f := Filter{
		OrgID:     strings.TrimSpace(s.OrgID),
		WebhookID: strings.TrimSpace(s.WebhookID),
		Reason:    strings.TrimSpace(s.Reason),
		Tier:      strings.TrimSpace(s.Tier),
	}
	for _, id := range s.IDs {
		if id = strings.TrimSpace(id); id != "" {
			f.IDs = append(f.IDs, id)
		}
	}
	if f.OrgID != "" && !ids.ValidOrg(f.OrgID) {
		// No dead letter can carry it: a typo, said so instead of an empty list.
		return Filter{}, fmt.Errorf("%w: organization_id %s is not a valid organization id (%s)", ErrInvalidFilter, phrase.Quote(f.OrgID), ids.OrgRule)
	}
	if f.WebhookID != "" && !ids.Valid(ids.WebhookPrefix, f.WebhookID) {
		return Filter{}, fmt.Errorf("%w: webhook_id %s is not a webhook id (%s followed by 0-9 a-z)", ErrInvalidFilter, phrase.Quote(f.WebhookID), ids.WebhookPrefix)
	}
	if f.Reason != "" && !slices.Contains(message.DeadLetterReasons, f.Reason) {
		// Like an invalid org: no dead letter can carry it, so an empty list would hide the typo.
		return Filter{}, fmt.Errorf("%w: reason %s is none of %s", ErrInvalidFilter, phrase.Quote(f.Reason), strings.Join(message.DeadLetterReasons, ", "))
	}
	switch f.Tier {
	case "", TierEndpoint, TierPipeline:
	default:
		return Filter{}, fmt.Errorf("%w: tier %s must be %q or %q", ErrInvalidFilter, phrase.Quote(f.Tier), TierEndpoint, TierPipeline)
	}
	if f.Tier == TierEndpoint && message.PipelinePoison(f.Reason) && f.Reason != "" {
		// parseEntry puts every letter with a pipeline reason in the
		// pipeline tier: an empty answer would read as "none left". Not the
		// other way round: a letter with an endpoint reason whose body this
		// build cannot decode (a newer message version) is pipeline-tier.
		return Filter{}, fmt.Errorf("%w: tier %q and reason %q select nothing together: %s and %s are pipeline-tier reasons",
			ErrInvalidFilter, f.Tier, f.Reason, message.ReasonMalformed, message.ReasonMaxReceive)
	}
	if s.Since != "" {
		t, err := ParseSince(s.Since, now)
		if err != nil {
			return Filter{}, err
		}
		f.Since = t
	}
	return f, nil
}

// ParseSince reads "90m" (that long before now) or an RFC 3339 time not in
// the future.
func ParseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("%w: since %s must be a positive duration", ErrInvalidFilter, phrase.Quote(s))
		}
		return now.Add(-d), nil
	}
	t, err := rfc3339.Parse(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: since %s is neither a duration (1h, 30m) nor an RFC 3339 time", ErrInvalidFilter, phrase.Quote(s))
	}
	if t.After(now) {
		// Nothing was dead-lettered then yet: a typo, like an invalid org.
		return time.Time{}, fmt.Errorf("%w: since %s is in the future", ErrInvalidFilter, phrase.Quote(s))
	}
	return t, nil
}
