package catalog

import (
	"bytes"
	"errors"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// ValidationError says where and why data failed its schema, in a form an
// API can return as is.
type ValidationError struct {
	// Path is a JSON pointer into the data, "/" for the data itself. For a
	// single missing required property it names that property.
	Path    string
	Message string
}

func (e *ValidationError) Error() string { return e.Path + ": " + e.Message }

var printer = message.NewPrinter(language.English)

func validate(schema *jsonschema.Schema, data []byte) error {
	// UnmarshalJSON keeps numbers exact (json.Number), so integer and
	// range checks are not fooled by float64 rounding.
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return &ValidationError{Path: "/", Message: "data is not valid JSON"}
	}
	err = schema.Validate(v)
	var verr *jsonschema.ValidationError
	if errors.As(err, &verr) {
		return fromSchemaError(verr)
	}
	return err
}

// fromSchemaError reduces the library's error tree to its most specific
// cause: the deepest leaf in the data. Wrapper nodes ("properties failed",
// "allOf failed") say nothing a client can act on. The library visits
// properties in map order, so ties are broken by location, then keyword,
// to give the same answer for the same input every time.
func fromSchemaError(root *jsonschema.ValidationError) *ValidationError {
	var best *jsonschema.ValidationError
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			if best == nil || moreSpecific(e, best) {
				best = e
			}
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(root)

	loc := best.InstanceLocation
	if req, ok := best.ErrorKind.(*kind.Required); ok && len(req.Missing) == 1 {
		// Clone: never append into the library's slice.
		loc = append(slices.Clone(loc), req.Missing[0])
	}
	return &ValidationError{Path: pointer(loc), Message: best.ErrorKind.LocalizedString(printer)}
}

func moreSpecific(a, b *jsonschema.ValidationError) bool {
	if len(a.InstanceLocation) != len(b.InstanceLocation) {
		return len(a.InstanceLocation) > len(b.InstanceLocation)
	}
	if c := slices.Compare(a.InstanceLocation, b.InstanceLocation); c != 0 {
		return c < 0
	}
	return slices.Compare(a.ErrorKind.KeywordPath(), b.ErrorKind.KeywordPath()) < 0
}

// pointer encodes tokens as an RFC 6901 JSON pointer.
func pointer(tokens []string) string {
	if len(tokens) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}
