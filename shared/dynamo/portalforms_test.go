package dynamo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/portalsession"
)

// A one-time form value acts once, and what using it finds tells a form
// sent again (ErrUsed: the portal shows what the first one made) from a
// value never issued to the organization (ErrInvalid: answered at once,
// never waited on).
func TestPortalFormValueIsUsedOnceAndToldFromAnUnknownOne(t *testing.T) {
	now := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	m := portalManager(t, &now)
	ctx := context.Background()

	once, err := m.IssueForm(ctx, "org_a", "create")
	if err != nil {
		t.Fatal(err)
	}
	for name, use := range map[string]func() error{
		"a made-up value":          func() error { return m.UseForm(ctx, "org_a", "create", "MADEUPMADEUPMADEUPMADEUP23") },
		"no value":                 func() error { return m.UseForm(ctx, "org_a", "create", "") },
		"org_a's value, for org_b": func() error { return m.UseForm(ctx, "org_b", "create", once) },
		// A value acts only on the form it was issued for.
		"a create value, for a rotation": func() error { return m.UseForm(ctx, "org_a", "rotate:wh_1", once) },
	} {
		if err := use(); !errors.Is(err, portalsession.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	// org_b's try, and the rotation's, did not use it up.
	if err := m.UseForm(ctx, "org_a", "create", once); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if err := m.UseForm(ctx, "org_a", "create", once); !errors.Is(err, portalsession.ErrUsed) {
		t.Fatalf("second use: err = %v, want ErrUsed", err)
	}
	// Put back after a failed action, it acts again, once.
	if err := m.ReturnForm(ctx, "org_a", "create", once); err != nil {
		t.Fatal(err)
	}
	if err := m.UseForm(ctx, "org_a", "rotate:wh_1", once); !errors.Is(err, portalsession.ErrInvalid) {
		t.Fatalf("put back, used for another purpose: err = %v, want ErrInvalid", err)
	}
	if err := m.UseForm(ctx, "org_a", "create", once); err != nil {
		t.Fatalf("use after it was put back: %v", err)
	}
	if err := m.UseForm(ctx, "org_a", "create", once); !errors.Is(err, portalsession.ErrUsed) {
		t.Fatalf("use after it was put back and used: err = %v, want ErrUsed", err)
	}
	// dynalite never deletes expired items: the manager refuses them.
	stale, err := m.IssueForm(ctx, "org_a", "create")
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(portalsession.FormTTL)
	if err := m.UseForm(ctx, "org_a", "create", stale); !errors.Is(err, portalsession.ErrInvalid) {
		t.Fatalf("use at expiry: err = %v, want ErrInvalid", err)
	}
}

func TestPortalConcurrentFormUsesActOnce(t *testing.T) {
	now := time.Now()
	m := portalManager(t, &now)
	ctx := context.Background()
	once, err := m.IssueForm(ctx, "org_a", "create")
	if err != nil {
		t.Fatal(err)
	}
	if fresh := succeedAtOnce(t, 8, portalsession.ErrUsed, func() error { return m.UseForm(ctx, "org_a", "create", once) }); fresh != 1 {
		t.Fatalf("%d of 8 concurrent uses found the value fresh, want exactly 1", fresh)
	}
}
