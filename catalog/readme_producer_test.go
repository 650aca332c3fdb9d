package catalog

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// readmeSection is the README's text from heading to the next heading of
// the same level.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q", heading)
	}
	level := heading[:strings.Index(heading, " ")+1]
	section, _, _ := strings.Cut(rest, "\n"+level)
	return section
}

var cliDetail = regexp.MustCompile(`"Detail": ("(?:[^"\\]|\\.)*")`)

// TestReadmeProducerExamplesAreDelivered: the README's AWS CLI and Go
// PutEvents examples send a Detail that keeps the producer contract and
// data that passes its type's schema, so copying them delivers an event
// instead of dead-lettering it.
func TestReadmeProducerExamplesAreDelivered(t *testing.T) {
	c := embeddedCatalog(t)
	section := readmeSection(t, "### Putting an event (producers)")

	m := cliDetail.FindStringSubmatch(section)
	if m == nil {
		t.Fatal(`the AWS CLI example has no "Detail"`)
	}
	detail, err := strconv.Unquote(m[1])
	if err != nil {
		t.Fatalf("the AWS CLI Detail is not a JSON string: %v", err)
	}
	checkProducerDetail(t, c, "the AWS CLI example", []byte(detail))

	_, goBlock, ok := strings.Cut(section, "```go\n")
	if !ok {
		t.Fatal("the section has no Go example")
	}
	goBlock, _, _ = strings.Cut(goBlock, "```")
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "example.go", "package p\nfunc f() {\n"+goBlock+"}\n", 0)
	if err != nil {
		t.Fatalf("the Go example does not parse: %v", err)
	}
	var marshalled ast.Expr
	ast.Inspect(f, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && marshalled == nil {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Marshal" && len(call.Args) == 1 {
				marshalled = call.Args[0]
			}
		}
		return true
	})
	if marshalled == nil {
		t.Fatal("the Go example marshals no detail")
	}
	v, err := literalValue(marshalled)
	if err != nil {
		t.Fatalf("the Go example's detail: %v", err)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	checkProducerDetail(t, c, "the Go example", raw)
}

func checkProducerDetail(t *testing.T, c *Catalog, what string, raw []byte) {
	t.Helper()
	var d producerDetail
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		t.Errorf("%s: detail breaks the producer contract: %v", what, err)
		return
	}
	if d.OrganizationID == "" {
		t.Errorf("%s: detail has no organization_id", what)
	}
	if err := c.Validate("emailClick", d.Data); err != nil {
		t.Errorf("%s: data %s: %v", what, d.Data, err)
	}
}

// literalValue evaluates a Go composite literal of string keys and string
// values (map[string]any{...}), the only kind the README's example uses.
func literalValue(e ast.Expr) (any, error) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return nil, &literalError{e}
		}
		return strconv.Unquote(e.Value)
	case *ast.CompositeLit:
		out := map[string]any{}
		for _, elt := range e.Elts {
			kv, ok := elt.(*ast.KeyValueExpr)
			if !ok {
				return nil, &literalError{elt}
			}
			k, err := literalValue(kv.Key)
			if err != nil {
				return nil, err
			}
			key, ok := k.(string)
			if !ok {
				return nil, &literalError{kv.Key}
			}
			if out[key], err = literalValue(kv.Value); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, &literalError{e}
}

type literalError struct{ node ast.Node }

func (e *literalError) Error() string {
	return "not a string or map literal at offset " + strconv.Itoa(int(e.node.Pos()))
}
