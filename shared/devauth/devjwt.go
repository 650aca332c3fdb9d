// Package devauth is authentication for `hookrelay dev` only: the HS256
// dev signing key, and tokens signed and checked with it. Deployed stacks
// never link it; there API Gateway's JWT authorizer validates tokens and
// the api Lambda reads their claims (auth.LambdaClaims).
package devauth

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hookrelay/hookrelay/shared/auth"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devstate"
	"github.com/hookrelay/hookrelay/shared/ids"
)

// devIssuer marks tokens minted by DevJWT.Issue, so a dev token is
// recognisable if one ever leaks into a log.
const devIssuer = "hookrelay-dev"

// DevJWT validates HS256 tokens signed with the local dev key. It is for
// `hookrelay dev` only: deployed stacks use the API Gateway authorizer.
type DevJWT struct {
	Key   []byte
	Names auth.ClaimNames
	// Audience is the aud a token must carry (what API Gateway's
	// authorizer checks in a deployed stack), so a token minted for
	// another service with the same key is refused.
	Audience string
	// KeyAt is where make dev read Key, and Minting the command that
	// mints a token with it from another terminal (TokenCommand): a 401
	// names both, as a bare command there may read another data folder.
	KeyAt, Minting string
}

var _ auth.Authenticator = DevJWT{}

// NewDevJWT takes the claim names and the audience from configuration.
func NewDevJWT(key []byte, cfg config.Config) DevJWT {
	return DevJWT{Key: key, Names: auth.NewClaimNames(cfg), Audience: cfg.DevAudience}
}

// ForDataDir is NewDevJWT for the make dev on dataDir, whose 401s say
// where its key is and how to mint a token with it.
func ForDataDir(key []byte, cfg config.Config, dataDir string) (DevJWT, error) {
	d := NewDevJWT(key, cfg)
	var err error
	d.KeyAt, err = devKeyPath(dataDir)
	d.Minting = TokenCommand(dataDir, "ORG")
	return d, err
}

// TokenCommand mints a token for org with the key of the make dev on
// dataDir, typed in another terminal from the repository: it sets the
// key file or data folder make dev reads unless that is the default.
func TokenCommand(dataDir, org string) string {
	env := devstate.CommandEnv(dataDir)
	if p := strings.TrimSpace(os.Getenv(EnvDevKeyFile)); p != "" {
		env = devstate.ShellAssign(EnvDevKeyFile, p)
	}
	return env + "go run ./cmd/hookrelay token --org " + org
}

// Authenticate implements auth.Authenticator. Only HS256 is accepted (so "none"
// and algorithm-confusion tokens fail), exp is required, aud must
// contain Audience, iss must be devIssuer, iat and nbf must have passed.
func (d DevJWT) Authenticate(r *http.Request) (auth.Principal, error) {
	raw, ok := auth.BearerToken(r)
	if !ok {
		return auth.Principal{}, auth.Unauthenticated("missing bearer token")
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return d.Key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithAudience(d.Audience),
		// API Gateway's authorizer requires its issuer and an iat (and
		// nbf) not in the future: make dev refuses what a stack refuses.
		jwt.WithIssuer(devIssuer),
		jwt.WithIssuedAt(),
	)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return auth.Principal{}, auth.Unauthenticated("token expired")
	case errors.Is(err, jwt.ErrTokenInvalidIssuer), errors.Is(err, jwt.ErrTokenRequiredClaimMissing) && claims["iss"] == nil:
		return auth.Principal{}, auth.Unauthenticated("invalid token: iss must be " + devIssuer + ", as `hookrelay token` writes it")
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued), errors.Is(err, jwt.ErrTokenNotValidYet):
		return auth.Principal{}, auth.Unauthenticated("token not valid yet (iat or nbf in the future)")
	case err != nil:
		// jwt's messages describe the failure, never the token's content,
		// but a fixed message keeps that true whatever the library does.
		// The usual cause locally is a token of an earlier dev key (make
		// clean deletes it), so the message says how to get a good one.
		// Deployed stacks never link devauth: the key's path stays local.
		key, minting := "this make dev's key", d.Minting
		if d.KeyAt != "" {
			key += " " + d.KeyAt
		}
		if minting == "" {
			minting = TokenCommand("", "ORG")
		}
		return auth.Principal{}, auth.Unauthenticated("invalid token: not signed by " + key + " (mint a new one with `" + minting + "`) or not for this API")
	}
	return d.Names.Principal(func(name string) auth.ClaimValue { return mapClaim(claims, name) })
}

// mapClaim reads a decoded claim: a string, or an array whose elements
// are all strings (the JSON keeps them apart, so nothing is ambiguous).
func mapClaim(claims jwt.MapClaims, name string) auth.ClaimValue {
	switch v := claims[name].(type) {
	case string:
		return auth.StringClaim(v)
	case []any:
		list := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return auth.ClaimValue{}
			}
			list = append(list, s)
		}
		return auth.ListClaim(list)
	}
	return auth.ClaimValue{}
}

// Issue mints a token this DevJWT accepts.
func (d DevJWT) Issue(org string, operator bool, ttl time.Duration) (string, error) {
	if !ids.ValidOrg(org) {
		return "", fmt.Errorf("invalid organization id %q: %s", org, ids.OrgRule)
	}
	// exp counts whole seconds: under one, the token is expired when made.
	if ttl < time.Second {
		return "", fmt.Errorf("ttl %s must be at least 1s", ttl)
	}
	now := time.Now()
	claims := jwt.MapClaims{
		"iss":            devIssuer,
		"sub":            "dev:" + org,
		"iat":            now.Unix(),
		"exp":            now.Add(ttl).Unix(),
		"aud":            d.Audience,
		d.Names.OrgClaim: org,
	}
	if operator {
		claims[d.Names.OperatorClaim] = d.Names.OperatorValue
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(d.Key)
}

// IssueDevToken mints a dev token with the default claim names and
// audience: a shortcut for tests. `hookrelay token` mints through
// NewDevJWT(...).Issue, with the names and audience configured.
func IssueDevToken(key []byte, org string, operator bool, ttl time.Duration) (string, error) {
	return NewDevJWT(key, config.Defaults()).Issue(org, operator, ttl)
}
