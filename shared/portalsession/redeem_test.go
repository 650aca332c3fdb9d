package portalsession

import (
	"context"
	"errors"
	"testing"
)

// usedRecordFails is a store whose write of a used login token's record
// fails; the other kinds are kept in memory.
type usedRecordFails struct{ tokens map[string]Token }

func (s *usedRecordFails) Put(_ context.Context, t Token) error {
	if t.Kind == KindLoginUsed {
		return errors.New("throttled")
	}
	s.tokens[t.Kind+t.Hash] = t
	return nil
}

func (s *usedRecordFails) Get(_ context.Context, kind, hash string) (Token, error) {
	if t, ok := s.tokens[kind+hash]; ok {
		return t, nil
	}
	return Token{}, ErrInvalid
}

func (s *usedRecordFails) Take(ctx context.Context, kind, hash string) (Token, error) {
	t, err := s.Get(ctx, kind, hash)
	delete(s.tokens, kind+hash)
	return t, err
}

func (s *usedRecordFails) Use(context.Context, string, string, string, string) (Token, error) {
	return Token{}, ErrInvalid
}

func (s *usedRecordFails) Delete(_ context.Context, kind, hash string) error {
	delete(s.tokens, kind+hash)
	return nil
}

// A sign-in stands when the record of its used link cannot be written,
// and says so for the caller to log: the link opened again will then
// find it expired.
func TestRedeemSaysWhenTheUsedLinkIsNotRecorded(t *testing.T) {
	m := New(&usedRecordFails{tokens: map[string]Token{}})
	ctx := context.Background()
	login, _, err := m.StartLogin(ctx, "org_a")
	if err != nil {
		t.Fatal(err)
	}
	token, s, err := m.Redeem(ctx, login)
	if err != nil || token == "" || s.OrgID != "org_a" {
		t.Fatalf("Redeem = %q, %+v, %v; want a session of org_a", token, s, err)
	}
	if s.Unrecorded == nil {
		t.Fatal("the failed record of the used link is not reported")
	}
	if _, err := m.RedeemedOrg(ctx, login); !errors.Is(err, ErrInvalid) {
		t.Fatalf("RedeemedOrg = %v, want ErrInvalid", err)
	}
}
