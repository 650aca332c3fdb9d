package config

import (
	"fmt"
	"time"
)

// MaxDeliveryTimeout bounds a POST: the deliver function's Lambda timeout
// is the delivery timeout plus 20 s, in whole seconds.
const MaxDeliveryTimeout = 5 * time.Minute

// CheckDeliveryTimeout is the stack's rule for the delivery timeout, so
// make dev refuses what synth refuses.
func CheckDeliveryTimeout(d time.Duration) error {
	if d <= 0 || d > MaxDeliveryTimeout || d%time.Second != 0 {
		return fmt.Errorf("%s must be whole seconds in (0, 5m]", d)
	}
	return nil
}
