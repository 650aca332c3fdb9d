package portal

import (
	"context"
	"errors"
	"sync"

	"github.com/hookrelay/hookrelay/shared/portalsession"
)

// memTokens is portalsession.Store in memory, for handler tests that
// issue and use one-time form values.
type memTokens struct {
	mu     sync.Mutex
	tokens map[string]portalsession.Token
	reads  int    // Get calls: a wait for a form's record reads on every tick
	refuse string // Put of this kind fails, as a throttled store's would
}

func newMemTokens() *memTokens { return &memTokens{tokens: map[string]portalsession.Token{}} }

func (m *memTokens) Put(_ context.Context, t portalsession.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.Kind == m.refuse {
		return errors.New("throttled")
	}
	m.tokens[t.Kind+"#"+t.Hash] = t
	return nil
}

func (m *memTokens) Get(_ context.Context, kind, hash string) (portalsession.Token, error) {
	m.mu.Lock()
	m.reads++
	m.mu.Unlock()
	return m.find(kind, hash, false)
}

func (m *memTokens) Take(_ context.Context, kind, hash string) (portalsession.Token, error) {
	return m.find(kind, hash, true)
}

// find returns a token, removing it if take.
func (m *memTokens) find(kind, hash string, take bool) (portalsession.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[kind+"#"+hash]
	if !ok {
		return portalsession.Token{}, portalsession.ErrInvalid
	}
	if take {
		delete(m.tokens, kind+"#"+hash)
	}
	return t, nil
}

// Use is the DynamoDB store's conditional update: only orgID's token
// issued for purpose is marked.
func (m *memTokens) Use(_ context.Context, kind, hash, orgID, purpose string) (portalsession.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[kind+"#"+hash]
	if !ok || t.OrgID != orgID || t.Purpose != purpose {
		return portalsession.Token{}, portalsession.ErrInvalid
	}
	used := t
	used.Used = true
	m.tokens[kind+"#"+hash] = used
	return t, nil
}

func (m *memTokens) Delete(_ context.Context, kind, hash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.tokens, kind+"#"+hash)
	return nil
}
