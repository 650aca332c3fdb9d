package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// bodyExcerpt is how much of an answer that is not the API's own error an
// error message quotes.
const bodyExcerpt = 200

// apiError describes an answer other than the one wanted: hookrelay's
// {"error":{"code","message"}}, else the {"message"} API Gateway answers
// its own refusals with (README: a missing or bad token), else the
// body's first bytes.
func apiError(status string, raw []byte) error {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(raw, &e) // not JSON: the excerpt below
	switch {
	case e.Error.Code != "" || e.Error.Message != "":
		return fmt.Errorf("the API answered %s: %s: %s", status, e.Error.Code, e.Error.Message)
	case e.Message != "":
		return fmt.Errorf("the API answered %s: %s", status, e.Message)
	}
	text := strings.TrimSpace(strings.Map(printable, string(raw)))
	if text == "" {
		return fmt.Errorf("the API answered %s with an empty body", status)
	}
	if r := []rune(text); len(r) > bodyExcerpt {
		text = string(r[:bodyExcerpt]) + "…"
	}
	return fmt.Errorf("the API answered %s: %q", status, text)
}

// printable keeps a body's excerpt on one line: control characters
// (newlines included) become spaces.
func printable(r rune) rune {
	if unicode.IsControl(r) {
		return ' '
	}
	return r
}
