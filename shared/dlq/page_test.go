package dlq

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// listAll pages through a listing, checking every page keeps to its limit
// and continues strictly after the previous one.
func listAll(t *testing.T, ops *Ops, f Filter, limit int) []Entry {
	t.Helper()
	var all []Entry
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("the listing does not end")
		}
		page, err := ops.List(context.Background(), f, limit, cursor)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		if len(page.Entries) > limit || page.NextCursor != "" && len(page.Entries) != limit {
			t.Fatalf("page %d: %d entries with limit %d, next cursor %q", pages, len(page.Entries), limit, page.NextCursor)
		}
		for i, e := range page.Entries {
			if len(all) > 0 && e.MessageID <= all[len(all)-1].MessageID || i > 0 && e.MessageID <= page.Entries[i-1].MessageID {
				t.Fatalf("page %d is not in message id order after the previous entries", pages)
			}
		}
		all = append(all, page.Entries...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
}

// More dead letters than one page: the pages together list each exactly
// once, the last page has no cursor, a filtered listing pages too, and the
// DLQ is untouched afterwards.
func TestListPagesThroughMoreThanOnePage(t *testing.T) {
	f := newFixture(t, 25)
	ops := f.ops(nil)

	all := listAll(t, ops, Filter{}, 10)
	sameSet(t, "paged listing", entryBodies(all), f.bodies(func(seed) bool { return true }))
	if len(all) != 25 {
		t.Fatalf("pages hold %d entries, want 25", len(all))
	}

	orgB := listAll(t, ops, Filter{OrgID: "org_b"}, 3)
	sameSet(t, "paged org_b listing", entryBodies(orgB), f.bodies(func(s seed) bool { return s.org == "org_b" }))

	// A page that ends exactly at the last entry has no cursor.
	page, err := ops.List(context.Background(), Filter{}, 25, "")
	if err != nil || len(page.Entries) != 25 || page.NextCursor != "" {
		t.Fatalf("a full last page: %d entries, cursor %q, %v", len(page.Entries), page.NextCursor, err)
	}
	if got := drain(t, f.q, f.dlqURL); len(got) != 25 {
		t.Fatalf("after paging, %d of 25 dead letters are visible", len(got))
	}
}

func TestListRefusesBadPagesAndScansAtMostMaxScan(t *testing.T) {
	f := newFixture(t, 12)
	ops := f.ops(nil)
	ctx := context.Background()
	for _, c := range []struct {
		limit  int
		cursor string
	}{{0, ""}, {MaxPageLimit + 1, ""}, {10, "%%%"}, {10, "not base64!"},
		{10, base64.RawURLEncoding.EncodeToString([]byte("page 2"))}, {10, base64.RawURLEncoding.EncodeToString([]byte{0xff, 0xfe})},
		{10, base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("a", 101)))}} {
		if _, err := ops.List(ctx, Filter{}, c.limit, c.cursor); !errors.Is(err, ErrInvalidPage) {
			t.Errorf("limit %d cursor %q: %v, want ErrInvalidPage", c.limit, c.cursor, err)
		}
	}
	ops.MaxScan = 11
	if _, err := ops.List(ctx, Filter{}, 5, ""); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("12 messages with MaxScan 11: %v, want ErrTooLarge", err)
	}
	ops.MaxScan = 12
	if all := listAll(t, ops, Filter{}, 5); len(all) != 12 {
		t.Fatalf("12 messages with MaxScan 12: listed %d", len(all))
	}
	if got := drain(t, f.q, f.dlqURL); len(got) != 12 {
		t.Fatalf("after an over-large scan, %d of 12 dead letters are visible", len(got))
	}
}

// The page sink is the memory bound: however many entries it is offered,
// it keeps at most its size, the smallest ids after the cursor.
func TestPageSinkKeepsOnlyItsPage(t *testing.T) {
	p := pageSink{after: "m0100", keep: 4}
	for i := 500; i > 0; i-- {
		id := fmt.Sprintf("m%04d", i)
		p.offer(Entry{MessageID: id, Raw: strings.Repeat("x", 1000)})
		p.offer(Entry{MessageID: id}) // a second receive of the same message
		if len(p.entries) > 4 || cap(p.entries) > 8 {
			t.Fatalf("after %s the sink holds %d entries (capacity %d)", id, len(p.entries), cap(p.entries))
		}
	}
	var ids []string
	for _, e := range p.entries {
		ids = append(ids, e.MessageID)
	}
	if !slices.Equal(ids, []string{"m0101", "m0102", "m0103", "m0104"}) {
		t.Fatalf("kept %v", ids)
	}
}

func TestAdminListPages(t *testing.T) {
	f := newFixture(t, 15)
	h := NewAdminHandler(f.ops(nil))
	seen := map[string]int{}
	cursor := ""
	for pages := 1; ; pages++ {
		target := "/api/v1/admin/dlq?limit=6"
		if cursor != "" {
			target += "&cursor=" + url.QueryEscape(cursor)
		}
		status, body := call(t, h, "GET", target, "")
		if status != 200 {
			t.Fatalf("page %d: %d %v", pages, status, body)
		}
		for _, e := range body["entries"].([]any) {
			seen[e.(map[string]any)["body"].(string)]++
		}
		next, _ := body["next_cursor"].(string)
		if next == "" {
			if pages != 3 {
				t.Fatalf("15 entries in pages of 6 took %d pages, want 3", pages)
			}
			break
		}
		cursor = next
	}
	sameSet(t, "admin pages", seen, f.bodies(func(seed) bool { return true }))
	for _, bad := range []string{"?limit=0", "?limit=1001", "?limit=ten", "?cursor=%25%25%25"} {
		if status, body := call(t, h, "GET", "/api/v1/admin/dlq"+bad, ""); status != 400 || errorCode(body) != "invalid_page" {
			t.Errorf("list%s: %d %v, want 400 invalid_page", bad, status, body)
		}
	}

	// The README writes the list as ?limit=&cursor=: sent literally, the
	// empty values are absent (the first page at the default limit), as on
	// the tenant API's lists.
	status, body := call(t, h, "GET", "/api/v1/admin/dlq?limit=&cursor=", "")
	if status != 200 || int(body["count"].(float64)) != 15 || body["next_cursor"] != nil {
		t.Errorf("list?limit=&cursor=: %d %v, want the 15 entries on one page", status, body)
	}
	if status, body := call(t, h, "GET", "/api/v1/admin/dlq?cursor=&limit=6", ""); status != 200 || int(body["count"].(float64)) != 6 || body["next_cursor"] == nil {
		t.Errorf("list?cursor=&limit=6: %d %v, want the first page of 6", status, body)
	}
}
