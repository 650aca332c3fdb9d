package devauth_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hookrelay/hookrelay/shared/auth"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devauth"
)

var testKey = bytes.Repeat([]byte{7}, 32)

func bearer(token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/api/v1/event-types", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r
}

// sign signs claims as given, with make dev's iss unless they set one (nil
// leaves iss out).
func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	if iss, set := claims["iss"]; !set {
		claims["iss"] = "hookrelay-dev"
	} else if iss == nil {
		delete(claims, "iss")
	}
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDevJWTAcceptsIssuedTokens(t *testing.T) {
	dev := devauth.NewDevJWT(testKey, config.Defaults())
	tok, err := devauth.IssueDevToken(testKey, "org_abc", false, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	p, err := dev.Authenticate(bearer(tok))
	if err != nil {
		t.Fatal(err)
	}
	if p.OrgID != "org_abc" || p.Operator || p.Subject == "" {
		t.Fatalf("principal %+v", p)
	}
	op, err := devauth.IssueDevToken(testKey, "org_ops", true, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := dev.Authenticate(bearer(op)); err != nil || !p.Operator || p.OrgID != "org_ops" {
		t.Fatalf("operator token: %+v %v", p, err)
	}
	// The scheme is case-insensitive (RFC 7235).
	r := bearer("")
	r.Header.Set("Authorization", "bearer "+tok)
	if _, err := dev.Authenticate(r); err != nil {
		t.Fatalf("lower-case scheme: %v", err)
	}
}

func TestDevJWTHonoursConfiguredClaims(t *testing.T) {
	cfg := config.Defaults()
	cfg.OrgClaim, cfg.OperatorClaim, cfg.OperatorValue = "tenant", "groups", "ops"
	dev := devauth.NewDevJWT(testKey, cfg)
	tok, err := dev.Issue("org_x", true, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	p, err := dev.Authenticate(bearer(tok))
	if err != nil || p.OrgID != "org_x" || !p.Operator {
		t.Fatalf("%+v %v", p, err)
	}
	// An array role claim counts when it contains the operator value.
	arr := sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{
		"tenant": "org_y", "groups": []string{"billing", "ops"}, "exp": time.Now().Add(time.Hour).Unix(), "aud": "hookrelay",
	})
	if p, err := dev.Authenticate(bearer(arr)); err != nil || !p.Operator {
		t.Fatalf("array role: %+v %v", p, err)
	}
	// A token with the default claim name carries no org under this config.
	def, _ := devauth.IssueDevToken(testKey, "org_z", false, time.Hour)
	if _, err := dev.Authenticate(bearer(def)); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("default-claim token under custom config: %v", err)
	}
}

func TestDevJWTRejects(t *testing.T) {
	dev := devauth.NewDevJWT(testKey, config.Defaults())
	future := time.Now().Add(time.Hour).Unix()
	noneTok, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"org_id": "org_abc", "exp": future}).
		SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	handNone := enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
		enc([]byte(`{"org_id":"org_abc","exp":`+strconv.FormatInt(future, 10)+`}`)) + "."
	cases := map[string]string{
		"missing":        "",
		"garbage":        "not.a.jwt",
		"expired":        sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{"org_id": "org_abc", "exp": time.Now().Add(-time.Minute).Unix(), "aud": "hookrelay"}),
		"wrong key":      sign(t, jwt.SigningMethodHS256, bytes.Repeat([]byte{8}, 32), jwt.MapClaims{"org_id": "org_abc", "exp": future, "aud": "hookrelay"}),
		"alg none":       noneTok,
		"alg none (raw)": handNone,
		"HS512":          sign(t, jwt.SigningMethodHS512, testKey, jwt.MapClaims{"org_id": "org_abc", "exp": future, "aud": "hookrelay"}),
		"no exp":         sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{"org_id": "org_abc", "aud": "hookrelay"}),
		"no org":         sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{"sub": "u1", "exp": future, "aud": "hookrelay"}),
		"empty org":      sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{"org_id": "", "exp": future, "aud": "hookrelay"}),
		"numeric org":    sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{"org_id": 42, "exp": future, "aud": "hookrelay"}),
		"org with #":     sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{"org_id": "org_a#WH#x", "exp": future, "aud": "hookrelay"}),
		"org with /":     sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{"org_id": "org_a/wh_1", "exp": future, "aud": "hookrelay"}),
		"not yet valid":  sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{"org_id": "org_abc", "exp": future, "nbf": future, "aud": "hookrelay"}),
		"no audience":    sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{"org_id": "org_abc", "exp": future}),
		"wrong audience": sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{"org_id": "org_abc", "exp": future, "aud": "another-service"}),
		"audience list without ours": sign(t, jwt.SigningMethodHS256, testKey,
			jwt.MapClaims{"org_id": "org_abc", "exp": future, "aud": []string{"a", "hookrelay-admin"}}),
		// What API Gateway's authorizer refuses on a stack.
		"no iss":       sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{"org_id": "org_abc", "exp": future, "aud": "hookrelay", "iss": nil}),
		"another iss":  sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{"org_id": "org_abc", "exp": future, "aud": "hookrelay", "iss": "https://issuer.example/"}),
		"issued later": sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{"org_id": "org_abc", "exp": future, "aud": "hookrelay", "iat": future}),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := dev.Authenticate(bearer(tok))
			if !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("err = %v, want ErrUnauthenticated", err)
			}
			if tok != "" && strings.Contains(err.Error(), tok) {
				t.Fatal("error message contains the token")
			}
		})
	}
	// A token of an earlier dev key (make clean deletes the key) is told
	// how to get one this stack accepts.
	if _, err := dev.Authenticate(bearer(cases["wrong key"])); err == nil || !strings.Contains(err.Error(), "hookrelay token --org") {
		t.Errorf("a token of another key: %v, want a message naming `hookrelay token`", err)
	}
	basic := bearer("")
	basic.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
	if _, err := dev.Authenticate(basic); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("basic auth: %v", err)
	}
	if _, err := dev.Authenticate(bearer(cases["org with #"])); err == nil || !strings.Contains(err.Error(), "not a valid organization id") {
		t.Fatalf("an invalid org should be named as such: %v", err)
	}
	for name, want := range map[string]string{"no iss": "iss must be hookrelay-dev", "another iss": "iss must be hookrelay-dev", "issued later": "not valid yet", "not yet valid": "not valid yet"} {
		if _, err := dev.Authenticate(bearer(cases[name])); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want a message saying %q", name, err, want)
		}
	}
	expired := cases["expired"]
	if _, err := dev.Authenticate(bearer(expired)); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired token error should say so: %v", err)
	}
}

func TestIssueRejectsBadInput(t *testing.T) {
	if _, err := devauth.IssueDevToken(testKey, "", false, time.Hour); err == nil {
		t.Fatal("empty org accepted")
	}
	if _, err := devauth.IssueDevToken(testKey, "org_a", false, 0); err == nil {
		t.Fatal("zero ttl accepted")
	}
}

// Decoded JSON keeps array elements apart, so the dev verifier matches an
// element exactly, whatever spaces the elements hold.
func TestDevJWTOperatorClaimShapes(t *testing.T) {
	dev := devauth.NewDevJWT(testKey, config.Defaults())
	future := time.Now().Add(time.Hour).Unix()
	cases := []struct {
		role     any
		operator bool
	}{
		{"operator", true},
		{[]string{"billing", "operator"}, true},
		{[]string{"not an operator"}, false},
		{"not an operator", false},
		{[]string{"Billing operator"}, false},
		{[]any{"operator", 1}, false},
		{map[string]any{"operator": true}, false},
		{true, false},
	}
	for _, c := range cases {
		tok := sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{"org_id": "org_abc", "role": c.role, "exp": future, "aud": "hookrelay"})
		p, err := dev.Authenticate(bearer(tok))
		if err != nil || p.Operator != c.operator {
			t.Errorf("role %#v: operator=%v err=%v, want %v", c.role, p.Operator, err, c.operator)
		}
	}
	orgList := sign(t, jwt.SigningMethodHS256, testKey, jwt.MapClaims{"org_id": []string{"org_abc"}, "exp": future, "aud": "hookrelay"})
	if _, err := dev.Authenticate(bearer(orgList)); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("org as a list: %v", err)
	}
}

func TestDevKeyCreatesOnceAndReloads(t *testing.T) {
	t.Setenv(devauth.EnvDevKeyFile, "")
	dir := filepath.Join(t.TempDir(), "state")
	var wg sync.WaitGroup
	keys := make([][]byte, 8)
	errs := make([]error, 8)
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = devauth.DevKey(dir) })
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if len(keys[i]) != 32 || !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("callers got different keys: %x vs %x", keys[i], keys[0])
		}
	}
	path := filepath.Join(dir, "dev-jwt.key")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v, want 0600", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left temporary files behind: %v", entries)
	}
	again, err := devauth.DevKey(dir)
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Fatalf("reload: %x %v", again, err)
	}
}

func TestDevKeyEnvOverrideAndCorruptFile(t *testing.T) {
	override := filepath.Join(t.TempDir(), "custom.key")
	t.Setenv(devauth.EnvDevKeyFile, override)
	key, err := devauth.DevKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(override); err != nil || len(b) == 0 {
		t.Fatalf("override path not used: %v", err)
	}
	again, _ := devauth.DevKey("")
	if !bytes.Equal(key, again) {
		t.Fatal("override path not reloaded")
	}
	if err := os.WriteFile(override, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := devauth.DevKey(""); err == nil {
		t.Fatal("corrupt key accepted")
	}
}

// SigningKey reads the file the variable names, and never makes one there;
// without the variable it is the data folder's key, made on first use.
func TestSigningKey(t *testing.T) {
	noDir := func() (string, error) { return "", errors.New("the data folder was looked for") }
	missing := filepath.Join(t.TempDir(), "no", "k")
	t.Setenv(devauth.EnvDevKeyFile, missing)
	if _, err := devauth.SigningKey(noDir); err == nil || !strings.Contains(err.Error(), devauth.EnvDevKeyFile+"="+missing) {
		t.Fatalf("missing key file: %v, want an error naming it", err)
	}
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("SigningKey made the key's folder: %v", err)
	}
	made, err := devauth.DevKey("") // make dev's first start
	if err != nil {
		t.Fatal(err)
	}
	if key, err := devauth.SigningKey(noDir); err != nil || !bytes.Equal(key, made) {
		t.Fatalf("existing key file: %x %v", key, err)
	}

	t.Setenv(devauth.EnvDevKeyFile, "")
	dir := filepath.Join(t.TempDir(), "state")
	key, err := devauth.SigningKey(func() (string, error) { return dir, nil })
	if err != nil || len(key) != 32 {
		t.Fatalf("data folder key: %x %v", key, err)
	}
	if again, err := devauth.DevKey(dir); err != nil || !bytes.Equal(again, key) {
		t.Fatalf("make dev would use another key: %x %v", again, err)
	}
}

// The audience is configurable; tokens are issued for the configured one
// and accepted only there.
func TestDevJWTAudienceIsConfigured(t *testing.T) {
	cfg, err := config.FromLookup(func(name string) (string, bool) {
		return "hookrelay-staging", name == config.EnvDevAudience
	})
	if err != nil {
		t.Fatal(err)
	}
	staging := devauth.NewDevJWT(testKey, cfg)
	tok, err := staging.Issue("org_abc", false, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := staging.Authenticate(bearer(tok)); err != nil {
		t.Fatalf("own audience: %v", err)
	}
	if _, err := devauth.NewDevJWT(testKey, config.Defaults()).Authenticate(bearer(tok)); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("a hookrelay-staging token at the default audience: %v, want ErrUnauthenticated", err)
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
		t.Fatal(err)
	}
	if aud, _ := claims.GetAudience(); len(aud) != 1 || aud[0] != "hookrelay-staging" {
		t.Fatalf("issued aud %v", aud)
	}
}

// A make dev on another data folder (or key file) than the default: its
// 401 for a token of another key names where its key is, and the command
// it gives mints one with that key from another terminal, not a bare one
// that reads the default folder and fails again.
func TestDevJWTWrongKeyNamesTheKeyMakeDevReads(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my data")
	other := sign(t, jwt.SigningMethodHS256, bytes.Repeat([]byte{8}, 32), jwt.MapClaims{"org_id": "org_abc", "exp": time.Now().Add(time.Hour).Unix(), "aud": "hookrelay"})
	for _, c := range []struct{ keyFile, keyAt, env string }{
		{"", filepath.Join(dir, devauth.KeyFileName), "HOOKRELAY_DATA_DIR='" + dir + "' "},
		{"/k/dev.key", "/k/dev.key", "HOOKRELAY_DEV_JWT_KEY_FILE=/k/dev.key "},
	} {
		t.Setenv(devauth.EnvDevKeyFile, c.keyFile)
		dev, err := devauth.ForDataDir(testKey, config.Defaults(), dir)
		if err != nil {
			t.Fatal(err)
		}
		_, err = dev.Authenticate(bearer(other))
		for _, want := range []string{"key " + c.keyAt + " ", "`" + c.env + "go run ./cmd/hookrelay token --org ORG`"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("key file %q: %v, want it to name %q", c.keyFile, err, want)
			}
		}
	}
}
