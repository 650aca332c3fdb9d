package dynamo_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// One dynalite serves all subtests; each subtest uses its own org, which is
// also what isolates tenants in production.
func TestWebhookStore(t *testing.T) {
	db, table := testenv.Table(t)
	store := dynamo.NewWebhookStore(db, table)
	ctx := context.Background()
	base := time.Date(2025, 4, 18, 12, 0, 0, 123456789, time.UTC)
	seq := 0
	newHook := func(org string, events ...string) webhook.Webhook {
		seq++
		at := base.Add(time.Duration(seq) * time.Millisecond)
		w := webhook.Webhook{
			ID: ids.NewAt(ids.WebhookPrefix, at), OrgID: org, Name: fmt.Sprintf("hook %d", seq),
			URL: "https://example.com/h", EventTypes: events, Enabled: true, CreatedAt: at, UpdatedAt: at,
		}
		if len(events) == 1 && events[0] == webhook.AllEvents {
			w.AllEvents = true
		}
		return w
	}
	mustCreate := func(t *testing.T, w webhook.Webhook, max int) webhook.Webhook {
		t.Helper()
		if err := store.Create(ctx, w, max); err != nil {
			t.Fatalf("create %s: %v", w.ID, err)
		}
		return w
	}

	t.Run("create then get round-trips every field", func(t *testing.T) {
		w := mustCreate(t, newHook("org_rt", "emailOpen", "emailClick"), 100)
		got, err := store.Get(ctx, "org_rt", w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.CreatedAt.Equal(w.CreatedAt) || !got.UpdatedAt.Equal(w.UpdatedAt) {
			t.Fatalf("times: got %v/%v want %v/%v", got.CreatedAt, got.UpdatedAt, w.CreatedAt, w.UpdatedAt)
		}
		got.CreatedAt, got.UpdatedAt = w.CreatedAt, w.UpdatedAt
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Fatalf("got %+v\nwant %+v", got, w)
		}
	})

	t.Run("another org cannot get it", func(t *testing.T) {
		w := mustCreate(t, newHook("org_iso_a", "emailOpen"), 100)
		if _, err := store.Get(ctx, "org_iso_b", w.ID); !errors.Is(err, webhook.ErrNotFound) {
			t.Fatalf("get from other org: %v, want ErrNotFound", err)
		}
		if err := store.Delete(ctx, "org_iso_b", w.ID); !errors.Is(err, webhook.ErrNotFound) {
			t.Fatalf("delete from other org: %v, want ErrNotFound", err)
		}
		other := w
		other.OrgID = "org_iso_b"
		if err := store.Update(ctx, other, other); !errors.Is(err, webhook.ErrNotFound) {
			t.Fatalf("update from other org: %v, want ErrNotFound", err)
		}
		if _, err := store.Get(ctx, "org_iso_a", w.ID); err != nil {
			t.Fatalf("owner lost the webhook: %v", err)
		}
	})

	t.Run("list pages in creation order without gaps or duplicates", func(t *testing.T) {
		var want []string
		for range 7 {
			want = append(want, mustCreate(t, newHook("org_page", "emailOpen"), 100).ID)
		}
		mustCreate(t, newHook("org_page_other", "emailOpen"), 100)
		var got []string
		var sizes []int
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			page, next, err := store.List(ctx, "org_page", 3, cursor)
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, len(page))
			for _, w := range page {
				got = append(got, w.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if !slices.Equal(sizes, []int{3, 3, 1}) {
			t.Fatalf("page sizes %v, want [3 3 1]", sizes)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("listed %v\nwant %v", got, want)
		}
	})

	t.Run("a full last page has no cursor", func(t *testing.T) {
		for range 4 {
			mustCreate(t, newHook("org_exact", "emailOpen"), 100)
		}
		page, next, err := store.List(ctx, "org_exact", 2, "")
		if err != nil || len(page) != 2 || next == "" {
			t.Fatalf("first page: %d items, cursor %q, err %v", len(page), next, err)
		}
		page, next, err = store.List(ctx, "org_exact", 2, next)
		if err != nil || len(page) != 2 || next != "" {
			t.Fatalf("last page: %d items, cursor %q (want none), err %v", len(page), next, err)
		}
		page, next, err = store.List(ctx, "org_empty", 10, "")
		if err != nil || len(page) != 0 || next != "" {
			t.Fatalf("empty org: %v %q %v", page, next, err)
		}
	})

	t.Run("invalid cursors are rejected", func(t *testing.T) {
		for _, c := range []string{
			"not base64!",
			base64.RawURLEncoding.EncodeToString([]byte("garbage")),
			base64.RawURLEncoding.EncodeToString([]byte("WH#wh_UPPER")),
			base64.RawURLEncoding.EncodeToString([]byte("COUNT")),
		} {
			if _, _, err := store.List(ctx, "org_page", 3, c); !errors.Is(err, webhook.ErrInvalidCursor) {
				t.Errorf("cursor %q: %v, want ErrInvalidCursor", c, err)
			}
		}
	})

	t.Run("a cursor cannot reach another org", func(t *testing.T) {
		a := mustCreate(t, newHook("org_cur_a", "emailOpen"), 100)
		mustCreate(t, newHook("org_cur_a", "emailOpen"), 100)
		b := mustCreate(t, newHook("org_cur_b", "emailOpen"), 100)
		_, next, err := store.List(ctx, "org_cur_a", 1, "")
		if err != nil || next == "" {
			t.Fatalf("list a: %q %v", next, err)
		}
		page, _, err := store.List(ctx, "org_cur_b", 10, dynamo.EncodeCursor(a.ID))
		if err != nil {
			t.Fatal(err)
		}
		// b was created after a, so it sorts after a's cursor; nothing of a's shows.
		if len(page) != 1 || page[0].ID != b.ID {
			t.Fatalf("org b with org a's cursor got %+v", page)
		}
	})

	t.Run("the cap holds and delete frees a slot", func(t *testing.T) {
		const org, max = "org_cap", 3
		var hooks []webhook.Webhook
		for range max {
			hooks = append(hooks, mustCreate(t, newHook(org, "emailOpen"), max))
		}
		if err := store.Create(ctx, newHook(org, "emailOpen"), max); !errors.Is(err, webhook.ErrLimitReached) {
			t.Fatalf("create over cap: %v, want ErrLimitReached", err)
		}
		if err := store.Delete(ctx, org, hooks[0].ID); err != nil {
			t.Fatal(err)
		}
		// A second delete of the same webhook must not free a second slot.
		if err := store.Delete(ctx, org, hooks[0].ID); !errors.Is(err, webhook.ErrNotFound) {
			t.Fatalf("second delete: %v, want ErrNotFound", err)
		}
		mustCreate(t, newHook(org, "emailOpen"), max)
		if err := store.Create(ctx, newHook(org, "emailOpen"), max); !errors.Is(err, webhook.ErrLimitReached) {
			t.Fatalf("create over cap after re-fill: %v, want ErrLimitReached", err)
		}
	})

	t.Run("concurrent creates never exceed the cap", func(t *testing.T) {
		const org, max, tries = "org_race", 4, 12
		var wg sync.WaitGroup
		errs := make(chan error, tries)
		for range tries {
			w := newHook(org, "emailOpen")
			wg.Go(func() { errs <- store.Create(ctx, w, max) })
		}
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, webhook.ErrLimitReached):
				t.Errorf("unexpected error: %v", err)
			}
		}
		page, _, err := store.List(ctx, org, 100, "")
		if err != nil {
			t.Fatal(err)
		}
		if ok != max || len(page) != max {
			t.Fatalf("%d creates succeeded and %d stored, want %d", ok, len(page), max)
		}
	})

	t.Run("a failed put gives its slot back", func(t *testing.T) {
		const org, max = "org_rollback", 3
		w := mustCreate(t, newHook(org, "emailOpen"), max)
		mustCreate(t, newHook(org, "emailOpen"), max)
		// Another create with the same id: the conditional put fails after
		// the slot was reserved.
		again := newHook(org, "emailOpen")
		again.ID = w.ID
		if err := store.Create(ctx, again, max); err == nil || errors.Is(err, webhook.ErrLimitReached) {
			t.Fatalf("duplicate create: %v, want a put failure", err)
		}
		// Had the slot leaked, the counter would be at 3 and this would fail.
		mustCreate(t, newHook(org, "emailOpen"), max)
		if err := store.Create(ctx, newHook(org, "emailOpen"), max); !errors.Is(err, webhook.ErrLimitReached) {
			t.Fatalf("create over the cap: %v, want ErrLimitReached", err)
		}
	})

	t.Run("update changes mutable fields and never recreates", func(t *testing.T) {
		read := mustCreate(t, newHook("org_upd", "emailOpen"), 100)
		w := read
		w.Name, w.URL, w.Enabled = "renamed", "https://example.org/new", false
		w.EventTypes, w.AllEvents = []string{webhook.AllEvents}, true
		w.UpdatedAt = w.UpdatedAt.Add(time.Hour)
		if err := store.Update(ctx, read, w); err != nil {
			t.Fatal(err)
		}
		got, err := store.Get(ctx, "org_upd", w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "renamed" || got.URL != "https://example.org/new" || got.Enabled ||
			!got.AllEvents || !slices.Equal(got.EventTypes, []string{"*"}) ||
			!got.UpdatedAt.Equal(w.UpdatedAt) || !got.CreatedAt.Equal(w.CreatedAt) {
			t.Fatalf("after update: %+v", got)
		}
		if err := store.Delete(ctx, "org_upd", w.ID); err != nil {
			t.Fatal(err)
		}
		if err := store.Update(ctx, w, w); !errors.Is(err, webhook.ErrNotFound) {
			t.Fatalf("update of deleted: %v, want ErrNotFound", err)
		}
		if _, err := store.Get(ctx, "org_upd", w.ID); !errors.Is(err, webhook.ErrNotFound) {
			t.Fatalf("update recreated the webhook: %v", err)
		}
	})

	t.Run("ForEachSubscribed matches enabled subscribers across pages", func(t *testing.T) {
		const org = "org_fan"
		want := map[string]bool{}
		for i := range 20 {
			var w webhook.Webhook
			switch i % 4 {
			case 0:
				w = newHook(org, "emailClick", "emailOpen")
				want[w.ID] = true
			case 1:
				w = newHook(org, webhook.AllEvents)
				want[w.ID] = true
			case 2:
				w = newHook(org, "emailClick")
			case 3:
				w = newHook(org, "emailOpen")
				w.Enabled = false
			}
			mustCreate(t, w, 100)
		}
		mustCreate(t, newHook("org_fan_other", "emailOpen"), 100)
		paged := dynamo.NewWebhookStore(db, table)
		dynamo.SetPageSize(paged, 3)
		got := map[string]bool{}
		calls := 0
		err := paged.ForEachSubscribed(ctx, org, "emailOpen", func(page []webhook.Webhook) error {
			calls++
			for _, w := range page {
				if got[w.ID] {
					t.Errorf("%s delivered twice", w.ID)
				}
				if w.OrgID != org || !w.Enabled || !w.Subscribes("emailOpen") {
					t.Errorf("not a subscriber: %+v", w)
				}
				got[w.ID] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || calls < 2 {
			t.Fatalf("got %d webhooks in %d calls, want %d over several pages", len(got), calls, len(want))
		}
		for id := range want {
			if !got[id] {
				t.Errorf("missing subscriber %s", id)
			}
		}
		stop := errors.New("stop")
		if err := paged.ForEachSubscribed(ctx, org, "emailOpen", func([]webhook.Webhook) error { return stop }); !errors.Is(err, stop) {
			t.Fatalf("callback error not returned: %v", err)
		}
	})
}
