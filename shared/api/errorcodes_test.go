package api

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// codeArgs names, per package directory, the functions that take an error
// code and the position of that argument.
var codeArgs = map[string]map[string]int{
	".":            {"fail": 1, "invalid": 0, "invalidField": 0},
	"../dlq":       {"writeError": 2},
	"../unmatched": {"writeError": 2},
}

// TestOpenAPINamesEveryErrorCode: every error code the tenant API (this
// package), the admin API (shared/dlq, mounted here) and their answer to
// unmatched requests (shared/unmatched) define is in an error.code enum of
// the OpenAPI document, and the document names no other.
// Codes are the packages' code* string constants; a code written as a
// bare string where one is passed would escape this check, so that fails
// too.
func TestOpenAPINamesEveryErrorCode(t *testing.T) {
	defined := map[string]string{} // code → the constant defining it
	for dir, funcs := range codeArgs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.ValueSpec:
					for i, id := range n.Names {
						if lit, ok := valueAt(n.Values, i).(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.HasPrefix(id.Name, "code") {
							code, _ := strconv.Unquote(lit.Value)
							defined[code] = filepath.Join(dir, filepath.Base(name)) + ": " + id.Name
						}
					}
				case *ast.CallExpr:
					fn, ok := n.Fun.(*ast.Ident)
					if !ok {
						return true
					}
					if at, ok := funcs[fn.Name]; ok && at < len(n.Args) {
						if lit, ok := n.Args[at].(*ast.BasicLit); ok {
							t.Errorf("%s: %s is given the code %s as a bare string: use a code constant", fset.Position(n.Pos()), fn.Name, lit.Value)
						}
					}
				}
				return true
			})
		}
	}
	if len(defined) < 20 {
		t.Fatalf("found only %d error codes: %v", len(defined), slices.Sorted(maps.Keys(defined)))
	}

	var doc any
	if err := json.Unmarshal(openAPISpec(), &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	collectCodeEnums(doc, documented)
	for code, where := range defined {
		if !documented[code] {
			t.Errorf("error code %q (%s) is in no error.code enum of openapi.json", code, where)
		}
	}
	for code := range documented {
		if defined[code] == "" {
			t.Errorf("openapi.json documents the error code %q, which no code constant defines", code)
		}
	}
}

func valueAt(values []ast.Expr, i int) ast.Expr {
	if i < len(values) {
		return values[i]
	}
	return nil
}

// collectCodeEnums adds the values of every enum on a "code" property.
func collectCodeEnums(v any, into map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		if props, ok := v["properties"].(map[string]any); ok {
			if code, ok := props["code"].(map[string]any); ok {
				enum, _ := code["enum"].([]any)
				for _, c := range enum {
					into[c.(string)] = true
				}
			}
		}
		for _, child := range v {
			collectCodeEnums(child, into)
		}
	case []any:
		for _, child := range v {
			collectCodeEnums(child, into)
		}
	}
}
