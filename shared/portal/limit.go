package portal

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/hookrelay/hookrelay/shared/api"
)

// The deployment's cap on an organization's webhooks (maxWebhooksPerOrg):
// at it, the list and the create form say so instead of inviting a create
// that is refused, and a refused create says what to do (s28 portal
// review 2).

// limitSentence says the organization is at its maximum, and the way out.
func (h *Handler) limitSentence() string {
	return "You already have the maximum of " + strconv.Itoa(h.o.Config.MaxWebhooks) + " endpoints. Delete one you no longer use to create another."
}

// full: n webhooks counted from the start of the list reach the maximum
// (a cap of 0 is unknown: never full).
func (h *Handler) full(n int) bool {
	return h.o.Config.MaxWebhooks > 0 && n >= h.o.Config.MaxWebhooks
}

// atLimit counts the organization's webhooks when one page of the list
// can hold the maximum; a larger cap is left to the API's refusal.
func (h *Handler) atLimit(v *visit) (bool, error) {
	max := h.o.Config.MaxWebhooks
	if max <= 0 || max > 100 {
		return false, nil
	}
	var page list[hook]
	if err := v.call(http.MethodGet, webhooksAPI+"?limit="+strconv.Itoa(max), nil, &page); err != nil {
		return false, err
	}
	return h.full(len(page.Data)), nil
}

// isLimit: the API refused a create for the organization's maximum.
func isLimit(err error) bool {
	var ce *api.CallError
	return errors.As(err, &ce) && ce.Code == "limit_reached"
}
