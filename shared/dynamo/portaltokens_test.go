package dynamo_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/portalsession"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

func TestPortalLoginIsSingleUseAndOpensASession(t *testing.T) {
	now := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	m := portalManager(t, &now)
	ctx := context.Background()

	login, exp, err := m.StartLogin(ctx, "org_a")
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(portalsession.LoginTTL); !exp.Equal(want) {
		t.Fatalf("login expires %s, want %s", exp, want)
	}
	sessTok, s, err := m.Redeem(ctx, login)
	if err != nil {
		t.Fatalf("redeem: %v", err)
	}
	if s.OrgID != "org_a" || s.CSRF == "" || !s.ExpiresAt.Equal(now.Add(portalsession.SessionTTL)) {
		t.Fatalf("session = %+v", s)
	}
	if _, _, err := m.Redeem(ctx, login); !errors.Is(err, portalsession.ErrInvalid) {
		t.Fatalf("second redeem: err = %v, want ErrInvalid", err)
	}
	// The used link still tells which organization it signed in to, while
	// that session may last, and stays used.
	if org, err := m.RedeemedOrg(ctx, login); err != nil || org != "org_a" {
		t.Fatalf("used link's organization = %q, %v", org, err)
	}
	if _, _, err := m.Redeem(ctx, login); !errors.Is(err, portalsession.ErrInvalid) {
		t.Fatalf("redeem after reading the used link: err = %v, want ErrInvalid", err)
	}
	if _, err := m.RedeemedOrg(ctx, sessTok); !errors.Is(err, portalsession.ErrInvalid) {
		t.Fatalf("a session token as a used link: err = %v, want ErrInvalid", err)
	}
	got, err := m.Lookup(ctx, sessTok)
	if err != nil || got != s {
		t.Fatalf("lookup = %+v, %v; want %+v", got, err, s)
	}
	if _, err := m.Lookup(ctx, login); !errors.Is(err, portalsession.ErrInvalid) {
		t.Fatalf("a login token used as a session: err = %v, want ErrInvalid", err)
	}

	// dynalite never deletes expired items: the manager refuses them.
	now = now.Add(portalsession.SessionTTL)
	if _, err := m.Lookup(ctx, sessTok); !errors.Is(err, portalsession.ErrInvalid) {
		t.Fatalf("lookup at expiry: err = %v, want ErrInvalid", err)
	}
	if _, err := m.RedeemedOrg(ctx, login); !errors.Is(err, portalsession.ErrInvalid) {
		t.Fatalf("used link's organization at the session's expiry: err = %v, want ErrInvalid", err)
	}
}

func TestPortalExpiredLoginAndLogout(t *testing.T) {
	now := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	m := portalManager(t, &now)
	ctx := context.Background()

	stale, _, err := m.StartLogin(ctx, "org_a")
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(portalsession.LoginTTL)
	if _, _, err := m.Redeem(ctx, stale); !errors.Is(err, portalsession.ErrInvalid) {
		t.Fatalf("redeem at expiry: err = %v, want ErrInvalid", err)
	}

	login, _, err := m.StartLogin(ctx, "org_a")
	if err != nil {
		t.Fatal(err)
	}
	sessTok, _, err := m.Redeem(ctx, login)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.End(ctx, sessTok); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lookup(ctx, sessTok); !errors.Is(err, portalsession.ErrInvalid) {
		t.Fatalf("lookup after logout: err = %v, want ErrInvalid", err)
	}
	if err := m.End(ctx, sessTok); err != nil {
		t.Fatalf("ending an ended session: %v", err)
	}
}

func TestPortalConcurrentRedeemsOpenOneSession(t *testing.T) {
	now := time.Now()
	m := portalManager(t, &now)
	ctx := context.Background()
	login, _, err := m.StartLogin(ctx, "org_a")
	if err != nil {
		t.Fatal(err)
	}
	if ok := succeedAtOnce(t, 8, portalsession.ErrInvalid, func() error { _, _, err := m.Redeem(ctx, login); return err }); ok != 1 {
		t.Fatalf("%d of 8 concurrent redeems succeeded, want exactly 1", ok)
	}
}

// portalManager is a token manager over a new table, its clock at *now.
func portalManager(t *testing.T, now *time.Time) *portalsession.Manager {
	db, table := testenv.Table(t)
	m := portalsession.New(dynamo.NewPortalTokenStore(db, table))
	m.Now = func() time.Time { return *now }
	return m
}

// succeedAtOnce makes n calls of use at the same time and counts those
// that succeeded; an error other than refused fails the test.
func succeedAtOnce(t *testing.T, n int, refused error, use func() error) int {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = use()
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, refused):
			t.Fatalf("%v, want nil or %v", err, refused)
		}
	}
	return ok
}

func TestPortalTokensAreStoredAsHashesWithTTL(t *testing.T) {
	db, table := testenv.Table(t)
	m := portalsession.New(dynamo.NewPortalTokenStore(db, table))
	ctx := context.Background()
	login, exp, err := m.StartLogin(ctx, "org_a")
	if err != nil {
		t.Fatal(err)
	}
	out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != 1 {
		t.Fatalf("%d items, want 1", len(out.Items))
	}
	var item map[string]any
	if err := attributevalue.UnmarshalMap(out.Items[0], &item); err != nil {
		t.Fatal(err)
	}
	if want := "PORTAL#LOGIN#" + portalsession.Hash(login); item["pk"] != want || item["sk"] != "PORTAL" {
		t.Fatalf("key = %v/%v, want %s/PORTAL", item["pk"], item["sk"], want)
	}
	if item["expires_at"] != float64(exp.Unix()) {
		t.Fatalf("expires_at = %v, want %d", item["expires_at"], exp.Unix())
	}
	for k, v := range item {
		if s, ok := v.(string); ok && strings.Contains(s, login) {
			t.Fatalf("attribute %s holds the token itself", k)
		}
	}
}
