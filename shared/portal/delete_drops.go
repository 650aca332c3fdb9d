package portal

import (
	"strings"

	"github.com/hookrelay/hookrelay/shared/phrase"
)

// deleteDrops is what a Recover could still send to the endpoint and a
// delete drops with it (the recover route needs the webhook), as Delete's
// question says it, or "" when there is nothing: the events held for it
// (parked_from), its failure run's failed deliveries (the running one's
// and the last one a success ended, last_failure_run), or the dead letters
// a recover still owes it (dead_letters_from).
func deleteDrops(hk hook) string {
	var what []string
	if !hk.ParkedFrom.IsZero() {
		what = append(what, "the events held for it since "+when(hk.ParkedFrom))
	}
	if run := endedRun(hk); !run.FailingSince.IsZero() {
		what = append(what, "the "+phrase.Count(run.Failures, "delivery", "deliveries")+" that failed between "+when(run.FailingSince)+" and "+when(run.EndedAt))
	}
	switch {
	case hasRun(hk):
		what = append(what, "its "+phrase.Count(hk.Health.ConsecutiveFailures, "failed delivery", "failed deliveries")+" in a row since "+when(hk.Health.FailingSince))
	case !hk.DeadLettersFrom.IsZero():
		what = append(what, "its failed deliveries since "+when(hk.DeadLettersFrom)+" that a recover has not sent again yet")
	}
	if len(what) == 0 {
		return ""
	}
	return "Deleting it also drops " + strings.Join(what, " and ") + ", which Recover can still send: they cannot be recovered once it is deleted."
}
