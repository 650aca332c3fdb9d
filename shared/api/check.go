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
	v := validator{allowLoopback: c.AllowLoopback, deniedPorts: c.DeniedLoopbackPorts}
	var ae *apiError
	if err := v.url(raw); errors.As(err, &ae) {
		return &CallError{Status: ae.Status, Code: ae.Code, Message: ae.Message}
	}
	return nil
}
