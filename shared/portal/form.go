package portal

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/config"
)

// formData is the create and edit form: the values typed and the API's
// errors, each next to its field.
type formData struct {
	ID         string
	Name       string
	URL        string
	AllEvents  bool
	Selected   map[string]bool
	Groups     []eventGroup
	NameError  string
	URLError   string
	TypesError string
	Once       string // the create form's one-time value (onceField)
}

func (h *Handler) form0(f formData) formData {
	f.Groups = groupTypes(h.o.Catalog.Types())
	return f
}

// readForm reads the create and edit form into the API's body.
func readForm(r *http.Request) (formData, webhookInput) {
	f := formData{
		Name: r.PostForm.Get("name"), URL: strings.TrimSpace(r.PostForm.Get("url")),
		AllEvents: r.PostForm.Get("all_events") != "", Selected: map[string]bool{},
	}
	in := webhookInput{Name: &f.Name, URL: &f.URL}
	if f.AllEvents {
		in.AllEvents = &f.AllEvents
	} else {
		in.EventTypes = r.PostForm["event_types"]
		for _, t := range in.EventTypes {
			f.Selected[t] = true
		}
		if len(in.EventTypes) == 0 {
			// Sent as an empty list so the API says what is missing.
			in.EventTypes = []string{}
			in.AllEvents = &f.AllEvents
		}
	}
	return f, in
}

// check marks what the form can tell is wrong before it asks the API:
// every required field left empty, in the form's own words, and a name
// or URL the API's own checks refuse (api.CheckName, api.CheckURL under
// the API's config), in the API's words; so one submit shows them all,
// where the API answers with its first error only. True if any.
func (f *formData) check(c config.Config) bool {
	if strings.TrimSpace(f.Name) == "" {
		f.NameError = "Give the endpoint a name."
	} else if err := api.CheckName(f.Name); err != nil {
		f.fieldError(err)
	}
	if f.URL == "" {
		f.URLError = "Enter the endpoint URL deliveries are POSTed to."
	} else if err := api.CheckURL(c, f.URL); err != nil {
		f.fieldError(err)
	}
	if !f.AllEvents && len(f.Selected) == 0 {
		f.TypesError = "Choose the events to send, or All events."
	}
	return f.NameError != "" || f.URLError != "" || f.TypesError != ""
}

// problem is a field with an error, for the page's alert: a link to the
// field (its id) named by its label.
type problem struct{ Field, Label string }

// problems are the form's fields with an error, in the form's order.
func (f formData) problems() []problem {
	var ps []problem
	add := func(err, field, label string) {
		if err != "" {
			ps = append(ps, problem{Field: field, Label: label})
		}
	}
	add(f.NameError, "name", "Name")
	add(f.URLError, "url", "Endpoint URL")
	add(f.TypesError, "all_events", "Events to send")
	return ps
}

// fieldError puts an API validation error next to its field; false when
// the error is not about one field.
func (f *formData) fieldError(err error) bool {
	var ce *api.CallError
	if !errors.As(err, &ce) || ce.Status != http.StatusBadRequest {
		return false
	}
	switch ce.Code {
	case "invalid_name":
		f.NameError = labelled(ce.Message, "name", "The name")
	case "invalid_url":
		f.URLError = labelled(ce.Message, "url", "The endpoint URL")
	case "unknown_event_type":
		f.TypesError = unknownType(ce.Message)
	case "invalid_event_types":
		f.TypesError = labelled(ce.Message, "event_types", "The events")
	default:
		return false
	}
	return true
}

// labelled is an API message for the form: the API names its JSON field
// ("url must use https"), the form the field's label ("The endpoint URL
// must use https.").
func labelled(msg, field, label string) string {
	for _, sep := range []string{" ", ": "} {
		if rest, ok := strings.CutPrefix(msg, field+sep); ok {
			msg = label + " " + rest
			break
		}
	}
	return sentence(msg)
}

// unknownType names a type the catalog does not have (a page rendered
// before a deploy removed it, or a crafted POST), which is not among the
// checkboxes to untick.
// The API names a long type by its start, "…" after the quotes.
func unknownType(msg string) string {
	_, quoted, ok := strings.Cut(msg, "unknown event type ")
	quoted, cut := strings.CutSuffix(quoted, "…")
	name, err := strconv.Unquote(quoted)
	if !ok || err != nil {
		return labelled(msg, "event_types", "The events")
	}
	if cut {
		name += "…"
	}
	return "The event type " + strconv.Quote(name) + " no longer exists: choose from the list below."
}

// formError is the status and page-level text of a refusal no field owns
// (such as the webhook limit); false for errors the form cannot show.
func formError(err error) (int, string, bool) {
	var ce *api.CallError
	if errors.As(err, &ce) && ce.Status < 500 && ce.Status != http.StatusNotFound {
		return ce.Status, sentence(ce.Message), true
	}
	return 0, "", false
}
