package strictjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
)

// Message words Decode's error for the client, as every route answers
// it: what is wrong, and which key by its JSON name, not encoding/json's
// text naming Go types and fields (redriveRequest.FilterSpec.ids, "EOF").
func Message(err error) string {
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return fmt.Sprintf("request body exceeds %d bytes", tooBig.Limit)
	case errors.Is(err, ErrNotText):
		return "request body must be valid UTF-8 text: a string holds invalid UTF-8 or an unpaired surrogate escape"
	case errors.Is(err, ErrNotStrings):
		return err.Error()
	case errors.Is(err, io.EOF), errors.Is(err, ErrNotObject):
		return "request body must be a JSON object"
	case errors.Is(err, ErrTrailingData):
		return "request body has " + err.Error()
	case errors.Is(err, ErrRepeatedKey):
		// Which of the two the client meant cannot be told.
		return "request body " + err.Error() + ": give each key once"
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return "request body is not valid JSON"
	case errors.As(err, &typ):
		if typ.Field == "" {
			return "request body must be a JSON object"
		}
		// Request bodies are flat objects, so the key is Field's last part:
		// encoding/json puts an embedded struct's Go name before it.
		return typ.Field[strings.LastIndexByte(typ.Field, '.')+1:] + " must be " + jsonKind(typ.Type.Kind())
	}
	if msg, ok := UnknownField(err); ok {
		return msg
	}
	return "request body is not valid JSON"
}

func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a number"
}
