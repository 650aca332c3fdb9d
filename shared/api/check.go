package api

import (
	"errors"

	"github.com/hookrelay/hookrelay/shared/config"
)

// CheckURL is the API's own check of a webhook URL under c, without a
// request: the tenant portal's form shows the URL's error beside the
// others after one submit, where the API answers with its first error
// only. The error is a *CallError, as Call would return for that URL.
func CheckURL(c config.Config, raw string) error {
	return asCallError(validator{allowLoopback: c.AllowLoopback, deniedPorts: c.DeniedLoopbackPorts}.url(raw))
}

// CheckName is the API's own check of a webhook name, as CheckURL is of
// its URL.
func CheckName(name string) error { return asCallError(validator{}.name(name)) }

// asCallError is a validator's refusal as Call returns it, or nil.
func asCallError(err error) error {
	var ae *apiError
	if errors.As(err, &ae) {
		return &CallError{Status: ae.Status, Code: ae.Code, Message: ae.Message}
	}
	return err
}
