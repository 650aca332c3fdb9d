package dynamo_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// cancelsAfterFirst is db whose first call of op, once DynamoDB applied
// it, ends the caller's request (cancel) before the answer is read: the
// call then fails with the context's error if it runs under that request
// (a browser leaving a portal page under make dev, a client hanging up).
func cancelsAfterFirst(db *dynamodb.Client, op string, cancel context.CancelFunc) *dynamodb.Client {
	var done atomic.Bool
	return dynamodb.New(db.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("cancelAfterApplied",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					out, md, err := next.HandleInitialize(ctx, in)
					if err == nil && middleware.GetOperationName(ctx) == op && done.CompareAndSwap(false, true) {
						cancel()
						if ctx.Err() != nil {
							return out, md, ctx.Err()
						}
					}
					return out, md, err
				}), middleware.After)
		})
	})
}

// slotsMatch fails unless the org's counter equals its stored webhooks:
// it can create exactly max minus those, then is refused.
func slotsMatch(t *testing.T, store *dynamo.WebhookStore, org string, max int) {
	t.Helper()
	ctx := context.Background()
	page, _, err := store.List(ctx, org, 100, "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i := len(page); i < max; i++ {
		if err := store.Create(ctx, testHook(org, ids.NewAt(ids.WebhookPrefix, now.Add(time.Duration(i)*time.Millisecond)), now), max); err != nil {
			t.Fatalf("%d webhook(s) stored, max %d, create %d: %v (a slot leaked)", len(page), max, i+1, err)
		}
	}
	if err := store.Create(ctx, testHook(org, ids.NewAt(ids.WebhookPrefix, now.Add(time.Second)), now), max); !errors.Is(err, webhook.ErrLimitReached) {
		t.Fatalf("create past the max: %v, want ErrLimitReached", err)
	}
}

// A delete whose request is canceled once its DeleteItem applied still
// gives the slot back: the second write does not depend on the caller
// staying (a double click on Delete leaked a slot).
func TestDeleteCanceledAfterItsDeleteKeepsTheCount(t *testing.T) {
	db, table := testenv.Table(t)
	store := dynamo.NewWebhookStore(db, table)
	const org, max = "org_cancel_delete", 2
	now := time.Now()
	w := testHook(org, ids.NewAt(ids.WebhookPrefix, now), now)
	if err := store.Create(context.Background(), w, max); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := dynamo.NewWebhookStore(cancelsAfterFirst(db, "DeleteItem", cancel), table).Delete(ctx, org, w.ID)
	if err != nil {
		t.Fatalf("delete canceled after its delete applied: %v", err)
	}
	slotsMatch(t, store, org, max)
}

// The same for a create canceled once its slot reservation applied.
func TestCreateCanceledAfterItsReservationKeepsTheCount(t *testing.T) {
	db, table := testenv.Table(t)
	store := dynamo.NewWebhookStore(db, table)
	const org, max = "org_cancel_create", 2
	now := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := testHook(org, ids.NewAt(ids.WebhookPrefix, now), now)
	if err := dynamo.NewWebhookStore(cancelsAfterFirst(db, "UpdateItem", cancel), table).Create(ctx, w, max); err != nil {
		t.Fatalf("create canceled after its reservation applied: %v", err)
	}
	slotsMatch(t, store, org, max)
}

// A request canceled before its create or delete starts changes nothing.
func TestCanceledRequestWritesNothing(t *testing.T) {
	db, table := testenv.Table(t)
	store := dynamo.NewWebhookStore(db, table)
	const org, max = "org_cancel_before", 1
	now := time.Now()
	w := testHook(org, ids.NewAt(ids.WebhookPrefix, now), now)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := store.Create(ctx, w, max); !errors.Is(err, context.Canceled) {
		t.Fatalf("create under a canceled request: %v", err)
	}
	slotsMatch(t, store, org, max)
}

// answersAtDeadline is db whose second call of op applies, then holds its
// answer until the caller's deadline and fails with it: a store slow
// enough that a write reported failed did happen.
func answersAtDeadline(db *dynamodb.Client, op string) *dynamodb.Client {
	var n atomic.Int32
	return dynamodb.New(db.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("answerAtDeadline",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					out, md, err := next.HandleInitialize(ctx, in)
					if err == nil && middleware.GetOperationName(ctx) == op && n.Add(1) == 2 {
						<-ctx.Done()
						return out, md, ctx.Err()
					}
					return out, md, err
				}), middleware.After)
		})
	})
}

// A create whose item write applied but whose answer came after the
// request's deadline is reported failed, so the API discards the new
// secret: it must leave no webhook behind (one stored without its secret
// would be sent deliveries it cannot sign) and give its slot back, though
// the first writes' time is spent.
func TestCreateCutByItsDeadlineLeavesNothing(t *testing.T) {
	db, table := testenv.Table(t)
	store := dynamo.NewWebhookStore(db, table)
	const org, max = "org_deadline_create", 2
	now := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	w := testHook(org, ids.NewAt(ids.WebhookPrefix, now), now)
	if err := dynamo.NewWebhookStore(answersAtDeadline(db, "UpdateItem"), table).Create(ctx, w, max); err == nil {
		t.Fatal("create answered after its deadline reported success")
	}
	if _, err := store.Get(context.Background(), org, w.ID); !errors.Is(err, webhook.ErrNotFound) {
		t.Fatalf("webhook after a create reported failed: %v, want not found", err)
	}
	slotsMatch(t, store, org, max)
}
