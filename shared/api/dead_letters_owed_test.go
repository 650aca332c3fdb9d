package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/dlq"
)

// A recover whose dead-letter read was skipped (another of the
// organization's recovers read them less than 30 s before) leaves the
// webhook enabled: the webhook says from when dead letters are still owed
// (dead_letters_from, in its get and in the list) until a recover from
// that time or earlier reads them, so a later visit still offers Recover.
func TestRecoverOwesTheDeadLettersItCouldNotRead(t *testing.T) {
	t.Parallel()
	he := newHealthEnv(t)
	tok := he.token("org_abc")
	id := he.failing(t, tok, "org_abc")
	path := webhooksPath + "/" + id + "/recover"
	since := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	recoverFrom := func(from time.Time) {
		t.Helper()
		if res := he.do(http.MethodPost, path, tok, map[string]any{"since": from.Format(time.RFC3339)}); res.status != http.StatusAccepted {
			t.Fatalf("recover: %d %s", res.status, res.body)
		}
	}
	owed := func(what string, want time.Time) {
		t.Helper()
		got := he.get(t, tok, id)
		listed := he.do(http.MethodGet, webhooksPath, tok, nil).json(t)["data"].([]any)[0].(map[string]any)
		for where, v := range map[string]any{"get": got["dead_letters_from"], "list": listed["dead_letters_from"]} {
			if want.IsZero() && v != nil || !want.IsZero() && v != want.Format(time.RFC3339) {
				t.Errorf("%s: %s dead_letters_from %v, want %v", what, where, v, want)
			}
		}
	}

	owed("before any recover", time.Time{})
	he.recovery.failDeadLetters(fmt.Errorf("redrive dead letters: %w", dlq.ErrRecentScan))
	recoverFrom(since)
	if got := he.get(t, tok, id); got["enabled"] != true {
		t.Fatalf("the recover did not enable the webhook: %v", got)
	}
	owed("after a skipped read", since)
	recoverFrom(since.Add(time.Minute)) // skipped again, from later: the earlier debt stays
	owed("after a later skipped read", since)
	recoverFrom(since.Add(-time.Minute)) // skipped again, from earlier: owed from then
	owed("after an earlier skipped read", since.Add(-time.Minute))

	he.recovery.failDeadLetters(nil)
	recoverFrom(since) // read, but from after the debt began
	owed("after a read from later", since.Add(-time.Minute))
	recoverFrom(since.Add(-time.Minute))
	owed("after a read from the debt's start", time.Time{})
}
