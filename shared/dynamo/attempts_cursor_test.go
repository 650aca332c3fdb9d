package dynamo_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// An attempt-log cursor is accepted only in the shape the log makes (time,
// delivery id, attempt number): a forged one whose sort key DynamoDB
// refuses (over 1,024 bytes) would otherwise fail the query, a 500 where
// the API owes 400 invalid_cursor.
func TestAttemptCursorOnlyInTheShapeTheLogMakes(t *testing.T) {
	db, table := testenv.Table(t)
	log := dynamo.NewAttemptLog(db, table, 24*time.Hour)
	at := strings.Repeat("0", 20)
	cursor := func(sk string) string { return base64.RawURLEncoding.EncodeToString([]byte(sk)) }
	for _, sk := range []string{
		at + "#dlv_" + strings.Repeat("a", 1010) + "#001", // 1,039 bytes: DynamoDB refuses the key
		at + "#dlv_" + strings.Repeat("a", 65) + "#001",   // longer than any delivery id
		at + "#wh_1#001", at + "#dlv_A#001", at + "#dlv_#001", at + "#dlv_1#01", at + "#dlv_1#00x",
		at + "#dlv_1#" + strings.Repeat("1", 1000),
	} {
		if _, _, err := log.List(context.Background(), "org_a", "wh_1", 20, cursor(sk)); !errors.Is(err, webhook.ErrInvalidCursor) {
			t.Errorf("cursor of %.60q (%d bytes): %v, want webhook.ErrInvalidCursor", sk, len(sk), err)
		}
	}
	// What the log makes still pages (the attempt number may outgrow %03d).
	for _, sk := range []string{at + "#dlv_0123456789abcdef0123456789abcdef#001", at + "#dlv_1#1000"} {
		if _, _, err := log.List(context.Background(), "org_a", "wh_1", 20, cursor(sk)); err != nil {
			t.Errorf("cursor of %q: %v", sk, err)
		}
	}
}
