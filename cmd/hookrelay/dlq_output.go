package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/phrase"
)

func writeEntriesJSON(w io.Writer, entries []dlq.Entry) error {
	if entries == nil {
		entries = []dlq.Entry{} // [] rather than null for scripts
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(entries)
}

// writeEntriesTable prints a page of dead letters and counts them; more
// says another page follows, so the count does not read as the total. An
// empty page says how many letters it left out as sent back already
// (closed), which keep the DlqNotEmpty alarm red.
func writeEntriesTable(w io.Writer, entries []dlq.Entry, more bool, closed int, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAGE\tREASON\tSTATUS\tATTEMPTS\tORG\tWEBHOOK\tEVENT")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", e.MessageID, age(now, e.DeadAt()), e.Reason,
			status(e.LastStatus), e.Attempts, dash(e.OrgID), dash(e.WebhookID)+webhookMark(e, false), dash(eventOf(e)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	count := phrase.Count(len(entries), "dead letter", "dead letters")
	if more {
		count += " on this page, more follow"
	}
	if len(entries) == 0 && closed > 0 {
		count += fmt.Sprintf(" to act on; %s left out, sent back already by their tenants' recover (or an earlier redrive): a redrive with the same selection deletes them unsent", phrase.Count(closed, "copy", "copies"))
	}
	_, err := fmt.Fprintln(w, count)
	return err
}

// eventOf names the entry's event, marking a tenant's own test, which a
// tenant's recover leaves here for the operators: nothing else tells it
// from a producer's webhook.test, which a redrive should deliver.
func eventOf(e dlq.Entry) string {
	if e.EventName != "" && e.TenantTest() {
		return e.EventName + " (tenant's test)"
	}
	return e.EventName
}

// webhookMark marks a letter whose webhook is deleted, no longer
// subscribed to its event or disabled (for failing, or by its tenant),
// where a redrive does not deliver it; long says what to do.
func webhookMark(e dlq.Entry, long bool) string {
	mark := webhookMarks[e.WebhookState]
	if long {
		return mark.long
	}
	return mark.short
}

// webhookMarks are the marks of each Entry.WebhookState: short for ls,
// long for show.
var webhookMarks = map[string]struct{ short, long string }{
	dlq.WebhookDeleted:         {" (deleted)", " (deleted: a redrive only has delivery drop it; purge it)"},
	dlq.WebhookDisabledFailing: {" (disabled: failing)", " (disabled for failing: a redrive only parks it until its tenant recovers)"},
	dlq.WebhookDisabled:        {" (disabled)", " (disabled by its tenant: a redrive only has delivery skip it, unless the tenant enables it first)"},
	dlq.WebhookUnsubscribed:    {" (unsubscribed)", " (no longer subscribed to this event: a redrive only has delivery skip it)"},
}

// closedNote says who closed the letter's index item.
func closedNote(e dlq.Entry) string {
	switch e.ClosedBy {
	case deliverylog.ClosedByRecover:
		return "recovered by its tenant"
	case deliverylog.ClosedByRedrive:
		return "redriven"
	case deliverylog.ClosedByRetried:
		return "left to the delivery's next receive (its DLQ send had failed)"
	default:
		return e.ClosedBy
	}
}

// writeEntry prints what the DLQ holds about one delivery. Nothing here
// comes from Secrets Manager: messages never carry signing secrets.
func writeEntry(w io.Writer, e dlq.Entry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
	}
	row("message id", e.MessageID)
	if e.Delivery != nil {
		row("delivery id", e.Delivery.DeliveryID)
		row("event id", e.Delivery.EventID)
	}
	row("reason", e.Reason)
	row("tier", e.Tier)
	row("last status", status(e.LastStatus))
	row("last error", e.LastError)
	row("attempts", strconv.Itoa(e.Attempts))
	row("organization", e.OrgID)
	row("webhook", e.WebhookID+webhookMark(e, true))
	row("event", eventOf(e))
	row("first attempt", timeString(e.FirstAttempt))
	row("last attempt", timeString(e.LastAttempt))
	row("sent to DLQ", timeString(e.SentAt))
	if e.Closed() {
		row("closed", closedNote(e)+" at "+timeString(e.ClosedAt)+" (a redrive deletes it unsent)")
	}
	row("not redrivable", e.DecodeError)
	if err := tw.Flush(); err != nil {
		return err
	}
	label, text := "envelope", e.Raw
	if e.Delivery != nil {
		text = e.Delivery.Envelope
	} else {
		label = "body"
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, []byte(text), "", "  ") == nil {
		text = pretty.String()
	}
	_, err := fmt.Fprintf(w, "\n%s:\n%s\n", label, text)
	return err
}

func writeRedriveResult(w io.Writer, r dlq.Result) {
	deleted, went, delivered := "deleted", "went", "was"
	if r.DryRun {
		fmt.Fprintf(w, "dry run: %s, %d would be redriven\n", phrase.Count(r.Matched, "dead letter matches", "dead letters match"), r.Eligible-r.Closed)
		deleted, went, delivered = "would delete", "would go", "would be"
	} else {
		fmt.Fprintf(w, "redriven %d of %s\n", r.Redriven, phrase.Count(r.Matched, "matching dead letter", "matching dead letters"))
	}
	// Redriven, yet not delivered: only the tenant can recover the parked
	// ones; the tenant-disabled ones are sent since the tenant may enable
	// the endpoint before they arrive.
	onlyRecover := " (only their recover sends them; parked deliveries expire after parkedTtl)"
	writeUndelivered(w, r.Parked, r.ParkedWebhooks, went, delivered,
		"an endpoint disabled for failing (webhook %s), which parks deliveries until its tenant recovers: nothing %s delivered; tell the tenant"+onlyRecover,
		"endpoints disabled for failing (webhooks %s), which park deliveries until their tenants recover: nothing %s delivered; tell the tenants"+onlyRecover)
	writeUndelivered(w, r.WebhookDeleted, r.DeletedWebhooks, went, delivered,
		"a deleted webhook (%s), which delivery drops: nothing %s delivered (a purge does the same)",
		"deleted webhooks (%s), which delivery drops: nothing %s delivered (a purge does the same)")
	writeUndelivered(w, r.WebhookDisabled, r.DisabledWebhooks, went, delivered,
		"an endpoint its tenant disabled (webhook %s), which delivery skips unless the tenant enables it first: nothing %s delivered",
		"endpoints their tenants disabled (webhooks %s), which delivery skips unless the tenants enable them first: nothing %s delivered")
	writeUndelivered(w, r.Unsubscribed, r.UnsubscribedWebhooks, went, delivered,
		"a webhook no longer subscribed to their event (%s), which delivery skips: nothing %s delivered",
		"webhooks no longer subscribed to their events (%s), which delivery skips: nothing %s delivered")
	if r.Closed > 0 {
		fmt.Fprintf(w, "%s %s unsent: sent back already (by their tenants' recover or an earlier run)\n", deleted, phrase.Count(r.Closed, "dead letter", "dead letters"))
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "skipped %s: %s\n", s.MessageID, s.Reason)
	}
}

// writeUndelivered reports the n letters of a redrive that went (on a dry
// run, would go) to the webhooks ids, where delivery does not deliver
// them. one (for a single webhook) or many is the rest of the line, with a
// %s for the ids and one for "was" or "would be".
func writeUndelivered(w io.Writer, n int, ids []string, went, delivered, one, many string) {
	if n == 0 {
		return
	}
	to := one
	if len(ids) > 1 {
		to = many
	}
	fmt.Fprintf(w, "%d of them %s to "+to+"\n", n, went, strings.Join(ids, ", "), delivered)
}

// progress draws a bar when stdout is a terminal and nothing otherwise
// (pipes and CI logs get the summary only).
type progress struct {
	w     io.Writer
	drawn bool
}

func newProgress(w io.Writer) *progress {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return &progress{w: w}
		}
	}
	return &progress{}
}

func (p *progress) update(done, total int) {
	if p.w == nil || total == 0 {
		return
	}
	const width = 30
	filled := width * done / total
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total)
	p.drawn = true
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

func age(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	// now is taken before the scan, and goaws stamps a message's sent time
	// when it is read: a time after now is no age at all, not a negative one.
	d := max(now.Sub(t), 0)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func status(code int) string {
	if code == 0 {
		return "-"
	}
	return strconv.Itoa(code)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// writePurgePreview says what a purge would delete and, of that, what the
// tenants' recover would otherwise send back, naming their organizations.
func writePurgePreview(w io.Writer, p dlq.PurgePreview) {
	fmt.Fprintf(w, "dry run: %s would be purged\n", phrase.Count(p.Matched, "dead letter", "dead letters"))
	if p.Recoverable > 0 {
		fmt.Fprintf(w, "%d of them their tenants' recover would send back, and after the purge will not (%s): tell those tenants, or redrive the letters once their endpoints work\n",
			p.Recoverable, strings.Join(p.RecoverableOrgs, ", "))
	}
}
