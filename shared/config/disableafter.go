package config

import (
	"fmt"
	"time"
)

// MaxDisableAfter bounds autoDisableAfter. A failure run starts no
// earlier than its first dead letter was sent to the DLQ, which keeps it
// DLQRetention (and its index item a day longer): the disable comes at
// least autoDisableAfter into the run, so this leaves the tenant at least
// a day after the disable to Recover the run's first dead letters. A
// longer setting would disable an endpoint whose first dead letters are
// already gone, and "Recover from the start of the run" could not bring
// them back.
const MaxDisableAfter = DLQRetention - 24*time.Hour

// CheckDisableAfter accepts an auto-disable period (EnvDisableAfter, the
// CDK's autoDisableAfter): 0 (off) up to MaxDisableAfter.
func CheckDisableAfter(d time.Duration) error {
	switch {
	case d < 0:
		return fmt.Errorf("%s must be 0 (off) or positive", d)
	case d > MaxDisableAfter:
		return fmt.Errorf("%s must be at most %s: the run's first dead letters leave the DLQ %s after they were sent, and Recover must still find them after the disable",
			d, MaxDisableAfter, DLQRetention)
	}
	return nil
}
