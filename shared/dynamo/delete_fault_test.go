package dynamo_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

var errInjected = errors.New("injected: counter update refused")

// The counter release is the second of Delete's two writes. When it fails
// the webhook is already gone; Delete must say so (ErrSlotNotReleased) so
// callers still delete its secret instead of treating the delete as failed.
func TestDeleteWhoseSlotReleaseFails(t *testing.T) {
	endpoint := testenv.Dynalite(t)
	var failCounter atomic.Bool
	db := testenv.FaultyDynamoClient(t, endpoint, func(in any) error {
		if _, update := in.(*dynamodb.UpdateItemInput); update && failCounter.Load() {
			return errInjected
		}
		return nil
	})
	ctx := context.Background()
	if err := dynamo.EnsureTable(ctx, db, "hookrelay-faults"); err != nil {
		t.Fatal(err)
	}
	store := dynamo.NewWebhookStore(db, "hookrelay-faults")
	now := time.Now()
	w := testHook("org_f", ids.NewAt(ids.WebhookPrefix, now), now)
	if err := store.Create(ctx, w, 1); err != nil {
		t.Fatal(err)
	}

	failCounter.Store(true)
	err := store.Delete(ctx, "org_f", w.ID)
	if !errors.Is(err, webhook.ErrSlotNotReleased) || !errors.Is(err, errInjected) || !webhook.Gone(err) {
		t.Fatalf("delete with a failing release: %v, want ErrSlotNotReleased wrapping the cause", err)
	}
	failCounter.Store(false)
	if _, err := store.Get(ctx, "org_f", w.ID); !errors.Is(err, webhook.ErrNotFound) {
		t.Fatalf("get after delete: %v, want ErrNotFound", err)
	}
	if err := store.Delete(ctx, "org_f", w.ID); !errors.Is(err, webhook.ErrNotFound) {
		t.Fatalf("repeated delete: %v, want ErrNotFound (no second release)", err)
	}
	// The kept slot errs on the side of the cap.
	w2 := w
	w2.ID = ids.NewAt(ids.WebhookPrefix, now.Add(time.Millisecond))
	if err := store.Create(ctx, w2, 1); !errors.Is(err, webhook.ErrLimitReached) {
		t.Fatalf("create after a kept slot: %v, want ErrLimitReached", err)
	}
}
