package portal

import (
	"net/http"
	"net/url"
)

// enableDrops reports whether the portal's Enable would drop something a
// Recover sends: an enable starts the endpoint's health over, clearing the
// failure run whose dead letters the Recover it then offers starts after.
// Such an Enable asks first.
func enableDrops(hk hook) bool {
	return !hk.Enabled && (hk.Parks() || hasRun(hk))
}

// enableData is the Enable question: the endpoint and the time its
// Recover starts at, as the endpoint page's form would have it.
type enableData struct {
	Hook  hook
	Since string
}

// confirmEnable asks before an Enable that would drop a failure run, with
// Recover as the primary answer. An endpoint enabled already has nothing
// to ask: its page says so.
func (h *Handler) confirmEnable(v *visit) error {
	hk, err := v.webhook()
	if err != nil {
		return err
	}
	if hk.Enabled || !enableDrops(hk) {
		// Nothing to lose (a stale tab, a bookmark): its page's plain
		// Enable form, not a question whose text would be false.
		return v.seeOther("webhooks/" + url.PathEscape(hk.ID))
	}
	d := enableData{Hook: hk, Since: recoverForm(v.r, hk).Since}
	return v.show(http.StatusOK, view{Title: "Enable " + hk.Name, Nav: "list", Content: bind(enablePage, d)})
}

// recoverAnswer is what the Enable question says of Recover, after its
// name: what it sends, and that the endpoint must work first (a test event
// checks one disabled for failing; one its tenant disabled skips it).
func recoverAnswer(hk hook) string {
	s := "sends them: it enables the endpoint and sends again what it missed since then"
	if hk.Parks() || !hk.ParkedFrom.IsZero() {
		s += ", with the events held for it"
	}
	s += ". Your endpoint must work first"
	if hk.Parks() {
		s += " (fix it, and check it with Send test event)"
	}
	return s + ": a Recover while it still fails only fails them again."
}
