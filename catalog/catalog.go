// Package catalog is the event catalog: for each event type a JSON Schema
// of its data and an example payload. The default catalog is embedded from
// types/ at build time; a deployment replaces the folder (or calls Load
// with its own) to publish its own types.
package catalog

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hookrelay/hookrelay/catalog/ownevents"
	"github.com/hookrelay/hookrelay/shared/asciiname"
	"github.com/hookrelay/hookrelay/shared/message"
)

// hookrelay's own event types (see package ownevents), which every catalog
// must define.
const (
	TestEvent       = ownevents.TestEvent
	WebhookDisabled = ownevents.WebhookDisabled
	WebhookEnabled  = ownevents.WebhookEnabled
)

// embeddedDir is where the embedded catalog's files are in the repository,
// for its error messages.
const embeddedDir = "catalog/types/"

// validName keeps event names within the pipeline's size arithmetic
// (message.MaxEventName) and free of characters JSON would escape.
func validName(name string) bool { return asciiname.Valid(name, message.MaxEventName, "._-") }

// ErrUnknownType is wrapped by Validate for a name not in the catalog.
var ErrUnknownType = errors.New("unknown event type")

// File name suffixes of the catalog layout: <name>.schema.json holds the
// JSON Schema of the event's data, <name>.example.json a valid payload.
const (
	schemaSuffix  = ".schema.json"
	exampleSuffix = ".example.json"
)

// Type is one catalog entry as served by GET /api/v1/event-types.
type Type struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
	Example     json.RawMessage `json:"example"`
	// Group is the heading the portal lists the type under: the schema's
	// optional top-level "x-hookrelay-group" ("" without one). The API
	// serves it inside the schema only.
	Group string `json:"-"`
}

// Catalog is an immutable, validated set of event types with their
// compiled schemas; safe for concurrent use.
type Catalog struct {
	types []Type            // sorted by name
	urls  map[string]string // type name -> its schema's resource in compiler
	dir   string            // where its files are, for error messages

	// compiler holds every schema; the embedded catalog compiles a type
	// on its first use (Default), any other catalog all of them in Load.
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

//go:embed types/*.json
var embedded embed.FS

// Default returns the embedded catalog. It is parsed once, and each
// schema is compiled when its type is first validated: compiling all of
// them took a third of the api and fanout Lambdas' cold start, and a
// container sees few types. `go test ./catalog`, `make build` and
// `hookrelay dev` check the whole catalog first (CheckEmbedded), so an
// error here means that check was skipped: the caller fails its start.
func Default() (*Catalog, error) { return defaultCatalog() }

var defaultCatalog = sync.OnceValues(loadDefault)

// typesFS holds the embedded catalog's files; a test swaps in a broken one.
var typesFS = embeddedTypes()

func loadDefault() (*Catalog, error) { return load(typesFS, false, embeddedDir) }

// CheckEmbedded loads the embedded catalog in full, as Load does: the
// check `go test ./catalog`, `make build` and `hookrelay dev` run first,
// so a broken catalog is one clear error naming its file before anything
// serves it.
func CheckEmbedded() error {
	_, err := load(typesFS, true, embeddedDir)
	return err
}

func embeddedTypes() fs.FS {
	sub, err := fs.Sub(embedded, "types")
	if err != nil {
		panic("catalog: " + err.Error()) // "types" is a valid path: cannot happen
	}
	return sub
}

// Load reads a catalog from the root of fsys (same layout as types/):
// every schema needs an example and the reverse, every schema must compile
// and every example must validate, and hookrelay's own types must exist.
func Load(fsys fs.FS) (*Catalog, error) { return load(fsys, true, "") }

// load reads fsys; eager compiles every schema and validates every
// example now, otherwise only the files' layout and JSON are checked.
// Errors name files as dir + their name in fsys.
func load(fsys fs.FS, eager bool, dir string) (*Catalog, error) {
	files, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("catalog: list catalog: %w", err)
	}
	schemas, examples := map[string][]byte{}, map[string][]byte{}
	for _, file := range files {
		var target map[string][]byte
		name, ok := strings.CutSuffix(file, schemaSuffix)
		if ok {
			target = schemas
		} else if name, ok = strings.CutSuffix(file, exampleSuffix); ok {
			target = examples
		} else {
			return nil, fmt.Errorf("catalog: %s%s: want <name>%s or <name>%s", dir, file, schemaSuffix, exampleSuffix)
		}
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		target[name] = data
	}
	for name := range examples {
		if _, ok := schemas[name]; !ok {
			return nil, fmt.Errorf("catalog: %s%s%s has no %s%s", dir, name, exampleSuffix, name, schemaSuffix)
		}
	}

	c := &Catalog{urls: map[string]string{}, dir: dir, compiled: map[string]*jsonschema.Schema{}, compiler: newCompiler()}
	for name := range schemas {
		if !validName(name) {
			return nil, fmt.Errorf("catalog: %s%s%s: type name %q must be 1 to %d letters, digits, '.', '_' or '-'", dir, name, schemaSuffix, name, message.MaxEventName)
		}
	}
	for name, schema := range schemas {
		example, ok := examples[name]
		if !ok {
			return nil, fmt.Errorf("catalog: %s%s%s has no %s%s", dir, name, schemaSuffix, name, exampleSuffix)
		}
		t, url, err := addType(c.compiler, name, schema, example)
		if err != nil {
			return nil, err.in(dir)
		}
		c.types = append(c.types, t)
		c.urls[name] = url
	}
	for name := range c.urls {
		if eager {
			if err := c.check(name, examples[name]); err != nil {
				return nil, err.in(dir)
			}
		}
	}
	for _, own := range []string{TestEvent, WebhookDisabled, WebhookEnabled} {
		if _, ok := c.urls[own]; !ok {
			return nil, fmt.Errorf("catalog: %s%s%s is missing: every catalog must define %s, which hookrelay itself sends", dir, own, schemaSuffix, own)
		}
	}
	slices.SortFunc(c.types, func(a, b Type) int { return strings.Compare(a.Name, b.Name) })
	return c, nil
}

// newCompiler pins the draft, asserts formats (a "date-time" that is not a
// date is a producer bug worth a 422) and refuses every external $ref so
// loading never touches the network or the disk.
func newCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(jsonschema.SchemeURLLoader{})
	return c
}

// fileError is a problem with one of a type's files.
type fileError struct {
	file string // <name>.schema.json or <name>.example.json
	err  error
}

// in names the file by its place: dir is where the catalog's files are.
func (e *fileError) in(dir string) error {
	return fmt.Errorf("catalog: %s%s: %w", dir, e.file, e.err)
}

// resourceBase prefixes each schema's URL in the compiler. It is ours, not
// the author's: schemaError takes it out of the compiler's messages.
const resourceBase = "catalog:///"

func schemaError(name string, err error) *fileError {
	var ref *jsonschema.LoadURLError
	var meta *jsonschema.SchemaValidationError
	var verr *jsonschema.ValidationError
	switch {
	case errors.As(err, &ref):
		err = fmt.Errorf("$ref %q: a $ref may only point inside the same file (#/...)", ref.URL)
	case errors.As(err, &meta) && errors.As(meta.Err, &verr):
		// The metaschema's error tree runs over several lines; its deepest
		// cause says what to fix and where.
		err = fmt.Errorf("invalid schema: %w", fromSchemaError(verr))
	}
	// The file is named before this message: a URL of it says it twice, and
	// a relative $ref reads as the author wrote it.
	msg := strings.ReplaceAll(err.Error(), resourceBase+name+schemaSuffix, "")
	msg = strings.ReplaceAll(msg, resourceBase, "")
	return &fileError{file: name + schemaSuffix, err: errors.New(msg)}
}

// addType adds a type's schema to compiler and returns the type and the
// schema's resource URL.
func addType(compiler *jsonschema.Compiler, name string, schema, example []byte) (Type, string, *fileError) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return Type{}, "", schemaError(name, fmt.Errorf("not JSON: %w", err))
	}
	if !json.Valid(example) {
		return Type{}, "", &fileError{file: name + exampleSuffix, err: errors.New("not JSON")}
	}
	var meta struct {
		Description string          `json:"description"`
		Group       json.RawMessage `json:"x-hookrelay-group"`
	}
	if err := json.Unmarshal(schema, &meta); err != nil || strings.TrimSpace(meta.Description) == "" {
		return Type{}, "", schemaError(name, errors.New("a schema needs a top-level description"))
	}
	group, err := groupName(meta.Group)
	if err != nil {
		return Type{}, "", schemaError(name, err)
	}
	if err := checkFormats(schema); err != nil {
		return Type{}, "", schemaError(name, err)
	}
	// A URL per file keeps compiler errors pointing at the right file.
	url := resourceBase + name + schemaSuffix
	if err := compiler.AddResource(url, doc); err != nil {
		return Type{}, "", schemaError(name, fmt.Errorf("invalid schema: %w", err))
	}
	t := Type{
		Name:        name,
		Description: meta.Description,
		Schema:      compact(schema),
		Example:     compact(example),
		Group:       group,
	}
	return t, url, nil
}

// maxGroupName keeps a group a heading, not a paragraph.
const maxGroupName = 40

// groupName reads a schema's optional "x-hookrelay-group" (raw is nil
// without one).
func groupName(raw json.RawMessage) (string, error) {
	if raw == nil {
		return "", nil
	}
	var g string
	if err := json.Unmarshal(raw, &g); err != nil || strings.TrimSpace(g) == "" || utf8.RuneCountInString(g) > maxGroupName {
		return "", fmt.Errorf(`"x-hookrelay-group" must be a non-empty string of at most %d characters, not %s`, maxGroupName, raw)
	}
	return strings.TrimSpace(g), nil
}

// check compiles a type's schema and validates its example with it.
func (c *Catalog) check(name string, example []byte) *fileError {
	compiled, err := c.schema(name)
	if err != nil {
		return schemaError(name, err)
	}
	if err := validate(compiled, example); err != nil {
		return &fileError{file: name + exampleSuffix, err: fmt.Errorf("does not validate against its schema: %w", err)}
	}
	return nil
}

// schema returns the compiled schema of a known type, compiling it on
// first use (the compiler is not safe for concurrent use).
func (c *Catalog) schema(name string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.compiled[name]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(c.urls[name])
	if err != nil {
		return nil, fmt.Errorf("invalid schema: %w", err)
	}
	c.compiled[name] = s
	return s, nil
}

// compact drops the files' indentation from API responses. Input has
// already been parsed, so it is valid JSON.
func compact(b []byte) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return json.RawMessage(b)
	}
	return buf.Bytes()
}

// Has reports whether name is a catalog type.
func (c *Catalog) Has(name string) bool {
	_, ok := c.urls[name]
	return ok
}

// Types returns the catalog sorted by name. The slice is a copy; the
// RawMessages are shared and must not be modified.
func (c *Catalog) Types() []Type { return slices.Clone(c.types) }

// Validate checks data against the schema of type name. Schema failures
// (and data that is not JSON) are *ValidationError; an unknown name wraps
// ErrUnknownType.
func (c *Catalog) Validate(name string, data json.RawMessage) error {
	if !c.Has(name) {
		return fmt.Errorf("%w: %q", ErrUnknownType, name)
	}
	compiled, err := c.schema(name)
	if err != nil {
		return schemaError(name, err).in(c.dir)
	}
	return validate(compiled, data)
}
