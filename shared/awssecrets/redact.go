package awssecrets

import "strings"

// redacted is an error whose text had secret values removed. It unwraps
// only to the package sentinel (if any), never to the original chain, whose
// text still holds the value.
type redacted struct {
	msg      string
	sentinel error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.sentinel }

// redact returns err unchanged unless its text contains one of values.
func redact(err, sentinel error, values []string) error {
	msg := err.Error()
	hit := false
	for _, v := range values {
		if v != "" && strings.Contains(msg, v) {
			msg = strings.ReplaceAll(msg, v, "[redacted]")
			hit = true
		}
	}
	if !hit {
		return err
	}
	return &redacted{msg: msg, sentinel: sentinel}
}
