package catalog

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// assertedFormats are the formats the schema compiler (jsonschema/v6)
// asserts. JSON Schema ignores any other format name, so a misspelt one
// ("datetime") would silently stop checking what the schema's author meant.
var assertedFormats = []string{
	"date", "date-time", "duration", "email", "hostname", "iri", "iri-reference", "ipv4", "ipv6",
	"json-pointer", "period", "relative-json-pointer", "semver", "time", "uri", "uri-reference",
	"uri-template", "uuid",
}

// checkFormats reports the first "format" keyword of a schema whose name
// is not asserted. Values that are data, not schemas (enum, const,
// default, examples), are not looked into.
func checkFormats(schema []byte) error {
	var doc any
	if err := json.Unmarshal(schema, &doc); err != nil {
		return nil // reported as "not JSON" by the caller
	}
	return walkFormats(doc)
}

func walkFormats(v any) error {
	switch v := v.(type) {
	case map[string]any:
		if f, ok := v["format"].(string); ok && !slices.Contains(assertedFormats, f) {
			return fmt.Errorf("format %q is not one the catalog asserts (%s)", f, strings.Join(assertedFormats, ", "))
		}
		for k, child := range v {
			switch k {
			case "enum", "const", "default", "examples":
				continue
			}
			if err := walkFormats(child); err != nil {
				return err
			}
		}
	case []any:
		for _, child := range v {
			if err := walkFormats(child); err != nil {
				return err
			}
		}
	}
	return nil
}
