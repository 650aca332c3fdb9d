package config

import (
	"fmt"

	"github.com/hookrelay/hookrelay/shared/asciiname"
)

// CheckHeaderPrefix accepts a header brand (EnvHeaderPrefix, the CDK's
// headerPrefix, listen's --prefix) only if X-<prefix>-Signature is a valid
// header name (letters, digits and '-', 1 to 40 of them: no space, no
// colon): with "Acme Corp" every delivery would fail to send.
func CheckHeaderPrefix(prefix string) error {
	if !asciiname.Valid(prefix, 40, "-") {
		return fmt.Errorf("%q must be 1 to 40 letters, digits and '-' (it becomes X-<prefix>-Signature)", prefix)
	}
	return nil
}
