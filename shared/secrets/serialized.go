package secrets

import "errors"

// serializedTries bounds Serialized: each conflict means another write
// landed, so more than a few in a row is a webhook rotated in a loop.
const serializedTries = 5

// Serialized runs write (a read of the record and a conditional write
// over it) again while it answers ErrConflict: a rotation that lost a race
// with another write is made over the record that write left, so of two
// concurrent rotations both secrets are kept, the later one current and
// the earlier previous, and both callers were told the truth. ErrConflict
// after serializedTries lost races.
func Serialized(write func() error) error {
	var err error
	for range serializedTries {
		if err = write(); !errors.Is(err, ErrConflict) {
			return err
		}
	}
	return err
}
