package dynamo_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// resendingStore is a webhook store on a table of its own whose next call
// that sendTwice arms it for is sent twice, the first answer lost: what
// the SDK does when a timeout hides a write that applied.
type resendingStore struct {
	*dynamo.WebhookStore
	resend atomic.Pointer[func(in any) bool]
	resent atomic.Int32
}

func newResendingStore(t *testing.T) *resendingStore {
	t.Helper()
	s := &resendingStore{}
	db := testenv.FaultyDynamo(t, testenv.Dynalite(t), func(_ context.Context, in any, call func() error) error {
		if pick := s.resend.Load(); pick != nil && (*pick)(in) && s.resend.CompareAndSwap(pick, nil) {
			s.resent.Add(1)
			_ = call() // applied; its answer lost on the way back
		}
		return call()
	})
	if err := dynamo.EnsureTable(context.Background(), db, "hookrelay-slots"); err != nil {
		t.Fatal(err)
	}
	s.WebhookStore = dynamo.NewWebhookStore(db, "hookrelay-slots")
	return s
}

// sendTwice arms the resend for the next call pick selects; the function
// it returns reports whether that happened.
func (s *resendingStore) sendTwice(pick func(in any) bool) (happened func() bool) {
	before := s.resent.Load()
	s.resend.Store(&pick)
	return func() bool { return s.resent.Load() == before+1 }
}

// updateOf selects an UpdateItem whose sort key starts with sk.
func updateOf(sk string) func(in any) bool {
	return func(in any) bool {
		u, ok := in.(*dynamodb.UpdateItemInput)
		if !ok {
			return false
		}
		key, _ := u.Key[dynamo.AttrSK].(*types.AttributeValueMemberS)
		return key != nil && strings.HasPrefix(key.Value, sk)
	}
}

var (
	counterUpdate = updateOf("COUNT")
	webhookWrite  = updateOf("WH#")
)

// hooks makes n webhooks of org with time-ordered ids.
func hooks(org string, n int) []webhook.Webhook {
	now := time.Now()
	out := make([]webhook.Webhook, n)
	for i := range out {
		at := now.Add(time.Duration(i) * time.Millisecond)
		out[i] = testHook(org, ids.NewAt(ids.WebhookPrefix, at), at)
	}
	return out
}

// fillsTo creates hs in order under maxPerOrg and checks that exactly the
// first fit of them are stored.
func (s *resendingStore) fillsTo(t *testing.T, maxPerOrg, fit int, hs ...webhook.Webhook) {
	t.Helper()
	for i, w := range hs {
		err := s.Create(context.Background(), w, maxPerOrg)
		switch {
		case i < fit && err != nil:
			t.Fatalf("create %d of %d under a cap of %d: %v, want it stored", i+1, len(hs), maxPerOrg, err)
		case i >= fit && !errors.Is(err, webhook.ErrLimitReached):
			t.Fatalf("create %d of %d under a cap of %d: %v, want ErrLimitReached", i+1, len(hs), maxPerOrg, err)
		}
	}
}

func TestAReservationSentTwiceTakesOneSlot(t *testing.T) {
	s := newResendingStore(t)
	happened := s.sendTwice(counterUpdate)
	s.fillsTo(t, 2, 2, hooks("org_resent_reserve", 3)...)
	if !happened() {
		t.Fatal("the reservation was not sent twice")
	}
}

func TestAReleaseSentTwiceFreesOneSlot(t *testing.T) {
	s := newResendingStore(t)
	hs := hooks("org_resent_release", 4)
	s.fillsTo(t, 2, 2, hs[:2]...)
	happened := s.sendTwice(counterUpdate)
	if err := s.Delete(context.Background(), hs[0].OrgID, hs[0].ID); err != nil {
		t.Fatal(err)
	}
	if !happened() {
		t.Fatal("the release was not sent twice")
	}
	s.fillsTo(t, 2, 1, hs[2:]...)
}

// The second send of the webhook's write finds the webhook its first send
// stored: the create succeeded, and holds one slot.
func TestAWebhookWriteSentTwiceIsCreated(t *testing.T) {
	s := newResendingStore(t)
	hs := hooks("org_resent_write", 3)
	happened := s.sendTwice(webhookWrite)
	if err := s.Create(context.Background(), hs[0], 2); err != nil {
		t.Fatalf("create whose write was sent twice: %v, want it created", err)
	}
	if !happened() {
		t.Fatal("the write was not sent twice")
	}
	got, err := s.Get(context.Background(), hs[0].OrgID, hs[0].ID)
	if err != nil || got.URL != hs[0].URL {
		t.Fatalf("get: %+v, %v", got, err)
	}
	s.fillsTo(t, 2, 1, hs[1:]...)
}

// Another create with an id taken just before finds its reservation made
// already (the latest change names that id): it fails without giving back
// the slot of the webhook that has the id.
func TestACreateOfATakenIDKeepsItsSlot(t *testing.T) {
	s := newResendingStore(t)
	hs := hooks("org_taken_id", 3)
	s.fillsTo(t, 2, 1, hs[0])
	again := hs[1]
	again.ID = hs[0].ID
	if err := s.Create(context.Background(), again, 2); err == nil || errors.Is(err, webhook.ErrLimitReached) {
		t.Fatalf("create of a taken id: %v, want it refused as existing", err)
	}
	s.fillsTo(t, 2, 1, hs[1:]...)
}
