package e2e

import (
	"encoding/json"
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
// "contactUnsubscri / be" from 1024 to 1440 px). A long name (a catalog's
// may have up to 128 characters) wraps inside its pill, and the pill stays
// inside its cell (it ran over the State column, and off a
// phone's card).
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
	// The stack serves the embedded catalog, whose longest name has 21
	// characters, and the API refuses a type outside it: the page's pill
	// takes a deployment's long name instead. The other pills keep their
	// names whole next to it.
	long, _ := json.Marshal(longEventType)
	if !b.truth(`(() => {
		const p = [...document.querySelectorAll('table.cards .pill')].find(p => p.textContent === 'emailOpen');
		if (!p) return false;
		p.textContent = ` + string(long) + `;
		p.dataset.long = '';
		return true;
	})()`) {
		t.Fatal("no emailOpen pill on the list")
	}
	for _, width := range []int64{phoneWidth, 390, 1024, desktopWidth} {
		name := "list-long-type-" + strconv.FormatInt(width, 10)
		b.fitsAt(width, name)
		b.pillsInsideTheirCells(name)
		b.wrapsOnlyAfter(name, "table.cards .pill:not([data-long])", "")
	}
}

// longEventType is a 63-character event type name, as a deployment's own
// catalog may have.
const longEventType = "crm.contact.subscription.preferences.updated.by_customer_portal"

// pillsInsideTheirCells fails when an event type's pill reaches past the
// table cell it is in: fitsItsBoxes sees only the card, so a pill drawn
// over the next column passes it.
func (b *browser) pillsInsideTheirCells(page string) {
	b.t.Helper()
	b.listsNothing(page, "pills reach out of their cell", `(() => {
		const out = [];
		for (const p of document.querySelectorAll('table.cards .pill')) {
			const td = p.closest('td'), r = p.getBoundingClientRect(), c = td.getBoundingClientRect();
			const left = c.left + td.clientLeft, right = left + td.clientWidth;
			if (r.left < left - 0.5 || r.right > right + 0.5) {
				out.push(p.textContent + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right) +
					' px, its cell ' + Math.round(left) + '..' + Math.round(right));
			}
		}
		return out;
	})()`)
}
