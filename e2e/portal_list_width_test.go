package e2e

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/hookrelay/hookrelay/shared/devrun"
)

// TestPortalListKeepsItsColumnsWithManyEventTypes: one endpoint that
// subscribes to every event type one by one must not squeeze the other
// columns of the list (at 1280 px "Ena / bled" and the URL
// on three lines, in every row). Its event types wrap in their own cell; a
// badge never breaks inside a word, and a short URL stays on one line. An
// event type's name stays whole, next to a long name too (it broke as
// "contactUnsubscri / be" from 1024 to 1440 px).
func TestPortalListKeepsItsColumnsWithManyEventTypes(t *testing.T) {
	t.Parallel()
	s := startTestStack(t, devrun.Options{Env: testEnv()})
	tn := newTenant(t, s, "portallistwidth")
	rc := newReceiver(t, func(int, *http.Request, []byte) answer { return status(http.StatusOK) })
	all := tn.createWebhook(rc.url("/all"), "buyer-intent-detected", "contactUnsubscribe", "emailClick", "emailHardBounce", "emailOpen",
		"emailSoftBounce", "new-contact", "new-question", "new-session", "session-active", "session-escalated", "webhook.disabled", "webhook.enabled")
	tn.createWebhook(rc.url("/one"), "emailClick")
	tn.mustCall(http.MethodPatch, "/api/v1/organization/webhooks/"+all.ID,
		map[string]any{"name": "Production orders endpoint for the Acme Corporation international billing team"}, http.StatusOK, nil)

	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(tn.portalLink())
	b.open(s.API+"/portal/", "table.cards")
	for _, width := range []int64{phoneWidth, 768, 1024, 1100, desktopWidth, 1440} {
		name := "list-many-types-" + strconv.FormatInt(width, 10)
		b.fitsAt(width, name)
		b.wrapsOnlyAfter(name, "table.cards .badge", " ")
		b.wrapsOnlyAfter(name, "table.cards .pill", "")
		if width == phoneWidth { // a phone's card leaves "…" alone on a line
			b.wrapsOnlyAfter(name, "table.cards .url", "/")
		} else {
			b.wrapsOnlyAfter(name, "table.cards .url", "")
		}
	}
}
