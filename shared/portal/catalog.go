package portal

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/catalog/ownevents"
	"github.com/hookrelay/hookrelay/verify"
)

// eventGroup is the catalog's types under one heading, for the event
// picker: the group their schemas name ("x-hookrelay-group"), else their
// name's leading word ("emailOpen", "emailClick" → Email).
type eventGroup struct {
	Name  string
	ID    string // for the page's anchors: a group's name may hold spaces
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
		g := t.Group
		if g == "" {
			g = groupOf(t.Name)
		}
		i, ok := index[g]
		if !ok {
			i = len(groups)
			index[g] = i
			groups = append(groups, eventGroup{Name: g, ID: "group-" + strconv.Itoa(i)})
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
	return v.show(http.StatusOK, view{Title: "Event catalog", Nav: "events", Content: bind(eventsPage, groupTypes(h.o.Catalog.Types()))})
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

// snippet is one language's receiver code for this deployment.
type snippet struct {
	ID, Language, Code string
}

// snippets renders the receiver code of every language with the
// deployment's header names: each {{.Name}} in a snippet file is one of
// headerNames' fields (plain replacement: text/template would bring
// reflection into the binary, see content).
func snippets(n headerNames) ([]snippet, error) {
	fill := strings.NewReplacer(
		"{{.Prefix}}", n.Prefix, "{{.SignatureHeader}}", n.SignatureHeader,
		"{{.SignatureHeaderLower}}", n.SignatureHeaderLower, "{{.EventHeader}}", n.EventHeader,
		"{{.DeliveryHeader}}", n.DeliveryHeader,
	)
	out := []snippet{{ID: "go", Language: "Go"}, {ID: "js", Language: "Node.js"}, {ID: "py", Language: "Python"}}
	for i := range out {
		b, err := snippetFS.ReadFile("snippets/verify." + out[i].ID + ".tmpl")
		if err != nil {
			return nil, err
		}
		out[i].Code = fill.Replace(string(b))
		if strings.Contains(out[i].Code, "{{") {
			return nil, fmt.Errorf("portal: snippet %s has a placeholder that is not a header name", out[i].ID)
		}
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
	return v.show(http.StatusOK, view{Title: "Verify your endpoint", Nav: "verify", Content: bind(verifyPage, verifyData{headerNames: n, Snippets: sn})})
}

// testNeedsNoSubscription: the picker says beside webhook.test that Send
// test event reaches every endpoint whatever it subscribes to, so no one
// ticks it "to be able to test".
func testNeedsNoSubscription(eventType string) bool { return eventType == ownevents.TestEvent }
