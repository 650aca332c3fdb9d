package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// deleteAnswer is a webhook store whose Delete answers a fixed error (the
// dynamo adapter's answers are tested on dynalite in shared/dynamo).
type deleteAnswer struct{ err error }

func (d deleteAnswer) DeleteGone(context.Context, webhook.Webhook) error { return d.err }

// After a 410 the secret goes whenever the webhook is gone, including when
// the store deleted it but could not release its slot: a retried message
// would find no webhook and never come back here.
func TestRemoverSchedulesTheSecretWheneverTheWebhookIsGone(t *testing.T) {
	errStore := errors.New("store unavailable")
	cases := []struct {
		name        string
		deleteErr   error
		wantErr     bool
		wantDeleted bool
		wantLog     string
	}{
		{"deleted", nil, false, true, ""},
		{"already gone", webhook.ErrNotFound, false, true, ""},
		{"deleted, slot kept", fmt.Errorf("%w: %w", webhook.ErrSlotNotReleased, errStore), false, true, "kept its slot"},
		{"not deleted", errStore, true, false, ""},
		{"moved or disabled since read", webhook.ErrMoved, true, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			logs := &testenv.Buffer{}
			sec := &memSecrets{}
			r := WebhookRemover{Webhooks: deleteAnswer{c.deleteErr}, Secrets: sec, Logger: slog.New(slog.NewJSONHandler(logs, nil))}
			err := r.Remove(context.Background(), webhook.Webhook{OrgID: "org_a", ID: "wh_gone", URL: "https://example.com/h"})
			if (err != nil) != c.wantErr {
				t.Fatalf("Remove: %v, want error %v", err, c.wantErr)
			}
			if deleted := len(sec.deleted) == 1 && sec.deleted[0] == "wh_gone"; deleted != c.wantDeleted {
				t.Fatalf("secret deletions %v, want scheduled=%v", sec.deleted, c.wantDeleted)
			}
			if c.wantLog != "" && !strings.Contains(logs.String(), c.wantLog) {
				t.Fatalf("no %q in the log:\n%s", c.wantLog, logs)
			}
		})
	}
}
