package config

import (
	"fmt"
	"regexp"
)

// headerToken is a header brand HTTP allows inside a header name:
// letters, digits and '-', 1 to 40 of them (no space, no colon).
var headerToken = regexp.MustCompile(`^[A-Za-z0-9-]{1,40}$`)

// CheckHeaderPrefix accepts a header brand (EnvHeaderPrefix, the CDK's
// headerPrefix, listen's --prefix) only if X-<prefix>-Signature is a valid
// header name: with "Acme Corp" every delivery would fail to send.
func CheckHeaderPrefix(prefix string) error {
	if !headerToken.MatchString(prefix) {
		return fmt.Errorf("%q must be 1 to 40 letters, digits and '-' (it becomes X-<prefix>-Signature)", prefix)
	}
	return nil
}
