package delivery

import (
	"net/http"

	"github.com/hookrelay/hookrelay/shared/webhook"
)

// spentResult is the result a receive beyond the schedule decides on: the
// last attempt was made on an earlier receive, which could not carry out
// its decision (a removal or a dead letter that failed). What it recorded
// decides again, as it would have then: an address the guard refused
// (blocked_address, invalid_url) is dead-lettered with that reason, a 410
// removes the webhook, another permanent 4xx is dead-lettered as
// permanent_status; only a retryable answer (or none) has spent the
// schedule.
func spentResult(status int, class string) result {
	switch {
	case addressReason(class) != "":
		return result{class: class}
	case status == http.StatusGone || status >= 400 && status < 500 && status != http.StatusTooManyRequests:
		return result{status: status}
	}
	return result{class: ClassRetriesSpent, status: status}
}

// goneFromAnotherURL says whether the last attempt's 410 may have come
// from a URL w no longer has: the webhook was updated (new URL, disabled
// and enabled again) after a read that attempt may have used, which a
// cache can hold for its TTL. Such a 410 is not the webhook's own answer
// (retryMoved): it is not counted, and the webhook as it is now gets the
// last attempt instead of being removed by another endpoint's Gone.
func goneFromAnotherURL(prior record, w webhook.Webhook) bool {
	return prior.LastStatusCode == http.StatusGone && w.UpdatedAt.After(prior.LastAttemptAt.Add(-DefaultWebhookCacheTTL))
}
