package dynamo

// Hooks for the external tests (package dynamo_test, which must be external
// because testenv imports this package).

// SetPageSize lowers the fan-out Query page size so tests cross pages.
func SetPageSize(s *WebhookStore, n int32) { s.pageSize = n }

// EncodeCursor is the cursor List returns after the webhook with that id.
var EncodeCursor = encodeCursor
