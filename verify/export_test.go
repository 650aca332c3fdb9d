package verify

// Internals the external tests check bounds against.
const (
	MaxEntries   = maxEntries
	MaxTimestamp = maxTimestamp
)

var ParseTimestamp = parseTimestamp
