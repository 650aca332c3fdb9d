package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hookrelay/hookrelay/shared/api"
)

// The deployment's cap on an organization's webhooks (maxWebhooksPerOrg):
// at it, the list and the create form say so instead of inviting a create
// that is refused, and a refused create says what to do.

// limitSentence says the organization is at its maximum, and the way out.
func (h *Handler) limitSentence() string {
	return "You already have the maximum of " + strconv.Itoa(h.o.Config.MaxWebhooks) + " endpoints. Delete one you no longer use to create another."
}

// full: n webhooks counted from the start of the list reach the maximum
// (a cap of 0 is unknown: never full).
func (h *Handler) full(n int) bool {
	return h.o.Config.MaxWebhooks > 0 && n >= h.o.Config.MaxWebhooks
}

// atLimit counts the organization's webhooks, a page of the API's largest
// at a time, until the count reaches the maximum or the list ends: at most
// max/100+1 reads, made only where the answer decides what to offer.
func (h *Handler) atLimit(v *visit) (bool, error) {
	if h.o.Config.MaxWebhooks <= 0 {
		return false, nil
	}
	n, cursor := 0, ""
	for {
		path := webhooksAPI + "?limit=" + strconv.Itoa(maxPageLimit)
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		var page list[hook]
		if err := v.call(http.MethodGet, path, nil, &page); err != nil {
			return false, err
		}
		n += len(page.Data)
		if h.full(n) || page.NextCursor == "" {
			return h.full(n), nil
		}
		cursor = page.NextCursor
	}
}

// maxPageLimit is the largest page the API's list gives.
const maxPageLimit = 100

// isLimit: the API refused a create for the organization's maximum.
func isLimit(err error) bool {
	var ce *api.CallError
	return errors.As(err, &ce) && ce.Code == "limit_reached"
}
