// Package portalsession is the access model of the tenant portal: a
// short-lived, single-use login token (the link the deploying team's
// backend hands to its user) is exchanged for a session token (an HttpOnly
// cookie). Both act for exactly one organization. Only SHA-256 hashes of
// the tokens are stored, so a read of the table yields nothing usable.
// No AWS SDK here: the store is an adapter behind Store.
package portalsession

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Lifetimes. A login link only has to survive the redirect from the
// deploying team's app; a session lasts a working hour and is not extended.
const (
	LoginTTL   = 5 * time.Minute
	SessionTTL = time.Hour
)

// Kinds of stored token.
const (
	KindLogin   = "LOGIN"
	KindSession = "SESSION"
	// KindLoginUsed records which organization a used login token signed
	// in (RedeemedOrg). It can open no session: Redeem takes KindLogin only.
	KindLoginUsed = "LOGINUSED"
)

// ErrInvalid means a token is unknown, already used, or expired. Callers
// do not learn which: each is "sign in again".
var ErrInvalid = errors.New("portal token is invalid or expired")

// Token is a stored token: the hash of its value and whom it acts for.
type Token struct {
	Kind      string
	Hash      string // hex SHA-256 of the token value
	OrgID     string
	ExpiresAt time.Time
	// Ref is what a used one-time form made (KindFormUsed), else "".
	Ref string
	// Used: a one-time form's value was used already (Store.Use).
	Used bool
	// Purpose is what a one-time form's value was issued for (KindForm),
	// else "": Store.Use accepts it only for that, so a value used on one
	// form is unknown to any other rather than a replay of it.
	Purpose string
}

// Store keeps tokens until they expire. Adapters return ErrInvalid for a
// token they do not hold.
type Store interface {
	Put(ctx context.Context, t Token) error
	Get(ctx context.Context, kind, hash string) (Token, error)
	// Take removes the token and returns it; of two concurrent calls only
	// one gets it (single use).
	Take(ctx context.Context, kind, hash string) (Token, error)
	// Use marks orgID's token for purpose used and returns it as it was
	// before (Used: it had been used already); of two concurrent calls
	// only one finds it unused. ErrInvalid if orgID holds no such token
	// for purpose: another organization's, or one issued for another
	// purpose, is left as it was.
	Use(ctx context.Context, kind, hash, orgID, purpose string) (Token, error)
	Delete(ctx context.Context, kind, hash string) error
}

// Session is an authenticated portal visitor.
type Session struct {
	OrgID     string
	ExpiresAt time.Time
	// CSRF is the anti-forgery value forms must echo. It is derived from
	// the session token, which is only in the HttpOnly cookie, so another
	// site can neither read nor compute it.
	CSRF string
	// Unrecorded is why Redeem could not keep which organization the used
	// link signed in to (RedeemedOrg): the sign-in stands, but the link
	// opened again says it has expired. Only for the caller to log.
	Unrecorded error
}

// Manager issues and checks portal tokens.
type Manager struct {
	Store Store
	Now   func() time.Time
}

// New returns a Manager over store with the real clock.
func New(store Store) *Manager { return &Manager{Store: store, Now: time.Now} }

// StartLogin issues a login token for orgID.
func (m *Manager) StartLogin(ctx context.Context, orgID string) (token string, expiresAt time.Time, err error) {
	return m.issue(ctx, Token{Kind: KindLogin, OrgID: orgID}, LoginTTL)
}

// Redeem uses up a login token and opens a session for its organization.
func (m *Manager) Redeem(ctx context.Context, loginToken string) (sessionToken string, s Session, err error) {
	if loginToken == "" {
		return "", Session{}, ErrInvalid
	}
	t, err := m.Store.Take(ctx, KindLogin, Hash(loginToken))
	if err != nil {
		return "", Session{}, err
	}
	// The store drops expired items lazily (DynamoDB TTL), so expiry is
	// decided here.
	if !m.Now().Before(t.ExpiresAt) {
		return "", Session{}, ErrInvalid
	}
	sessionToken, exp, err := m.issue(ctx, Token{Kind: KindSession, OrgID: t.OrgID}, SessionTTL)
	if err != nil {
		return "", Session{}, err
	}
	// Kept as long as the session it opened may last. Only a later opening
	// of the used link reads it, so a sign-in does not fail for it.
	s = session(sessionToken, t.OrgID, exp)
	if err := m.Store.Put(ctx, Token{Kind: KindLoginUsed, Hash: Hash(loginToken), OrgID: t.OrgID, ExpiresAt: exp}); err != nil {
		s.Unrecorded = fmt.Errorf("record the used login token: %w", err)
	}
	return sessionToken, s, nil
}

// RedeemedOrg returns the organization a used login token signed in to,
// while the session it opened may last, so that the link opened again
// (another tab, a frame loaded again) can lead a browser signed in to that
// organization on. ErrInvalid: the token was never used, or longer ago. It
// opens nothing: the token stays used.
func (m *Manager) RedeemedOrg(ctx context.Context, loginToken string) (string, error) {
	return m.orgOf(ctx, KindLoginUsed, loginToken)
}

// LoginOrg returns the organization a login token would open a session
// for, without using it up.
func (m *Manager) LoginOrg(ctx context.Context, loginToken string) (string, error) {
	return m.orgOf(ctx, KindLogin, loginToken)
}

// orgOf returns the organization of a live stored token of kind.
func (m *Manager) orgOf(ctx context.Context, kind, token string) (string, error) {
	if token == "" {
		return "", ErrInvalid
	}
	t, err := m.Store.Get(ctx, kind, Hash(token))
	if err != nil {
		return "", err
	}
	if !m.Now().Before(t.ExpiresAt) {
		return "", ErrInvalid
	}
	return t.OrgID, nil
}

// Lookup returns the live session of a session token.
func (m *Manager) Lookup(ctx context.Context, sessionToken string) (Session, error) {
	if sessionToken == "" {
		return Session{}, ErrInvalid
	}
	t, err := m.Store.Get(ctx, KindSession, Hash(sessionToken))
	if err != nil {
		return Session{}, err
	}
	if !m.Now().Before(t.ExpiresAt) {
		return Session{}, ErrInvalid
	}
	return session(sessionToken, t.OrgID, t.ExpiresAt), nil
}

// End deletes a session (logout). Ending an unknown session is not an error.
func (m *Manager) End(ctx context.Context, sessionToken string) error {
	if sessionToken == "" {
		return nil
	}
	return m.Store.Delete(ctx, KindSession, Hash(sessionToken))
}

// issue stores a new token like t (its Kind, OrgID and Purpose) for ttl.
func (m *Manager) issue(ctx context.Context, t Token, ttl time.Duration) (string, time.Time, error) {
	token := rand.Text() // 26 base32 characters: 130 random bits
	exp := m.Now().Add(ttl).UTC().Truncate(time.Second)
	t.Hash, t.ExpiresAt = Hash(token), exp
	if err := m.Store.Put(ctx, t); err != nil {
		return "", time.Time{}, err
	}
	return token, exp, nil
}

func session(token, orgID string, exp time.Time) Session {
	return Session{OrgID: orgID, ExpiresAt: exp, CSRF: Hash("csrf\x00" + token)}
}

// Hash is the stored form of a token.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// LoginPath is where a login link points, relative to the API's root.
const LoginPath = "/portal/login"

// LoginLink issues a login token for orgID and returns its link's path and
// query (api.PortalLogins).
func (m *Manager) LoginLink(ctx context.Context, orgID string) (string, time.Time, error) {
	token, exp, err := m.StartLogin(ctx, orgID)
	if err != nil {
		return "", time.Time{}, err
	}
	return LoginPath + "?token=" + token, exp, nil
}
