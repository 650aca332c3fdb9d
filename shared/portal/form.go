package portal

import (
	"errors"
	"net/http"
	"strings"

	"github.com/hookrelay/hookrelay/shared/api"
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

// missing marks every required field left empty, in the form's own words,
// so one submit shows them all (the API stops at the first); true if any.
func (f *formData) missing() bool {
	if strings.TrimSpace(f.Name) == "" {
		f.NameError = "Give the endpoint a name."
	}
	if f.URL == "" {
		f.URLError = "Enter the endpoint URL deliveries are POSTed to."
	}
	if !f.AllEvents && len(f.Selected) == 0 {
		f.TypesError = "Choose the events to send, or All events."
	}
	return f.NameError != "" || f.URLError != "" || f.TypesError != ""
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
	case "invalid_event_types", "unknown_event_type":
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
	if rest, ok := strings.CutPrefix(msg, field+" "); ok {
		msg = label + " " + rest
	}
	return sentence(msg)
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
