package portal

import (
	"bytes"
	"embed"
	"encoding/json"
	"net/http"
	"strings"
	texttemplate "text/template"
	"unicode"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/verify"
)

// eventGroup is the catalog's types that share a leading word
// ("emailOpen", "emailClick" → Email), for the event picker.
type eventGroup struct {
	Name  string
	Types []eventType
}

type eventType struct {
	Name        string
	Description string
	Schema      string // indented JSON
	Example     string // indented JSON
}

// groupTypes keeps the catalog's (name) order within and across groups.
func groupTypes(types []catalog.Type) []eventGroup {
	var groups []eventGroup
	index := map[string]int{}
	for _, t := range types {
		g := groupOf(t.Name)
		i, ok := index[g]
		if !ok {
			i = len(groups)
			index[g] = i
			groups = append(groups, eventGroup{Name: g})
		}
		groups[i].Types = append(groups[i].Types, eventType{
			Name: t.Name, Description: t.Description, Schema: indent(t.Schema), Example: indent(t.Example),
		})
	}
	return groups
}

// groupOf is the leading word of an event name: up to the first '.', '-',
// '_' or lower-to-upper case change, capitalized.
func groupOf(name string) string {
	end := len(name)
	prev := rune(0)
	for i, r := range name {
		if r == '.' || r == '-' || r == '_' || (unicode.IsUpper(r) && unicode.IsLower(prev)) {
			end = i
			break
		}
		prev = r
	}
	w := name[:end]
	if w == "" {
		return "Other"
	}
	return strings.ToUpper(w[:1]) + w[1:]
}

func indent(raw json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}

func (h *Handler) catalog(v *visit) error {
	return v.show(http.StatusOK, "events", view{Title: "Event catalog", Nav: "events", Data: groupTypes(h.o.Catalog.Types())})
}

// headerNames are this deployment's delivery header names.
type headerNames struct {
	Prefix               string
	SignatureHeader      string
	SignatureHeaderLower string // as Node and Flask hand headers over
	EventHeader          string
	DeliveryHeader       string
}

func namesFor(prefix string) headerNames {
	sig := verify.HeaderName(prefix, "Signature")
	return headerNames{
		Prefix: prefix, SignatureHeader: sig, SignatureHeaderLower: strings.ToLower(sig),
		EventHeader: verify.HeaderName(prefix, "Event"), DeliveryHeader: verify.HeaderName(prefix, "Delivery"),
	}
}

//go:embed snippets/*.tmpl
var snippetFS embed.FS

var snippetTemplates = texttemplate.Must(texttemplate.ParseFS(snippetFS, "snippets/*.tmpl"))

// snippet is one language's receiver code for this deployment.
type snippet struct {
	ID, Language, Code string
}

// snippets renders the receiver code of every language with the
// deployment's header names.
func snippets(n headerNames) ([]snippet, error) {
	out := []snippet{{ID: "go", Language: "Go"}, {ID: "js", Language: "Node.js"}, {ID: "py", Language: "Python"}}
	for i := range out {
		var b strings.Builder
		if err := snippetTemplates.ExecuteTemplate(&b, "verify."+out[i].ID+".tmpl", n); err != nil {
			return nil, err
		}
		out[i].Code = b.String()
	}
	return out, nil
}

type verifyData struct {
	headerNames
	Snippets []snippet
}

func (h *Handler) verify(v *visit) error {
	n := namesFor(h.o.Config.HeaderPrefix)
	sn, err := snippets(n)
	if err != nil {
		return err
	}
	return v.show(http.StatusOK, "verify", view{Title: "Verify your endpoint", Nav: "verify", Data: verifyData{headerNames: n, Snippets: sn}})
}
