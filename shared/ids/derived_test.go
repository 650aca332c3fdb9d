package ids_test

import (
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/ids"
)

// A derived id is a valid, time-ordered id that the same (time, seed)
// always gives, and another seed or time does not.
func TestDerivedAt(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	a := ids.DerivedAt(ids.EventPrefix, at, "org_a#wh_1")
	if !ids.Valid(ids.EventPrefix, a) || len(a) != len(ids.NewAt(ids.EventPrefix, at)) {
		t.Fatalf("derived id %q is not a valid event id", a)
	}
	if again := ids.DerivedAt(ids.EventPrefix, at, "org_a#wh_1"); again != a {
		t.Fatalf("the same time and seed gave %q and %q", a, again)
	}
	if b := ids.DerivedAt(ids.EventPrefix, at, "org_a#wh_2"); b == a {
		t.Fatal("another seed gave the same id")
	}
	if later := ids.DerivedAt(ids.EventPrefix, at.Add(time.Millisecond), "org_a#wh_1"); later <= a {
		t.Fatalf("a later time sorts first: %q <= %q", later, a)
	}
}
