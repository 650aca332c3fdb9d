package portal

import (
	"cmp"
	"context"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/catalog/catalogtest"
)

func TestRootOfIsRelativeToThePortal(t *testing.T) {
	for path, want := range map[string]string{
		"/portal/":                       "./",
		"/portal/events":                 "./",
		"/portal/login":                  "./",
		"/portal/webhooks/new":           "../",
		"/portal/webhooks/wh_1":          "../",
		"/portal/webhooks/wh_1/delete":   "../../",
		"/portal/webhooks/wh_1/rotate":   "../../",
		"/portal/static/portal.css":      "../",
		"/portal/webhooks/wh_1/resend/x": "../../../",
	} {
		if got := rootOf(path); got != want {
			t.Errorf("rootOf(%s) = %q, want %q", path, got, want)
		}
	}
}

func TestEventGroups(t *testing.T) {
	for name, want := range map[string]string{
		"emailOpen": "Email", "email.open": "Email", "new-contact": "New", "webhook.test": "Webhook",
		"invoice_paid": "Invoice", "ping": "Ping", "URLChanged": "URLChanged",
	} {
		if got := groupOf(name); got != want {
			t.Errorf("groupOf(%s) = %q, want %q", name, got, want)
		}
	}
	// A type is listed under the group its schema names, else under its
	// name's leading word.
	types := catalogtest.Default(t).Types()
	wantGroup := map[string]string{}
	for _, ty := range types {
		wantGroup[ty.Name] = cmp.Or(ty.Group, groupOf(ty.Name))
	}
	groups := groupTypes(types)
	seen := 0
	for _, g := range groups {
		for _, ty := range g.Types {
			seen++
			if want := wantGroup[ty.Name]; g.Name != want || ty.Description == "" || ty.Example == "" || ty.Schema == "" {
				t.Errorf("group %s holds %+v, want it under %q", g.Name, ty, want)
			}
		}
	}
	if seen != len(types) {
		t.Fatalf("groups hold %d types, the catalog %d", seen, len(types))
	}
}

func TestEveryAssetHasAMediaType(t *testing.T) {
	assets, err := staticFS.ReadDir("static")
	if err != nil || len(assets) == 0 {
		t.Fatalf("no embedded assets (%v)", err)
	}
	for _, a := range assets {
		if staticTypes[path.Ext(a.Name())] == "" {
			t.Errorf("static/%s: staticTypes has no media type for %q", a.Name(), path.Ext(a.Name()))
		}
	}
}

func TestEventGroupsNamedBySchemas(t *testing.T) {
	typ := func(name, group string) catalog.Type {
		return catalog.Type{Name: name, Group: group, Description: name, Schema: []byte(`{}`), Example: []byte(`{}`)}
	}
	var got []string
	for _, g := range groupTypes([]catalog.Type{
		typ("buyer-intent", "Conversations"), typ("emailOpen", ""), typ("new-contact", "Conversations"), typ("new-order", ""),
	}) {
		var names []string
		for _, ty := range g.Types {
			names = append(names, ty.Name)
		}
		got = append(got, g.Name+": "+strings.Join(names, " "))
	}
	want := []string{"Conversations: buyer-intent new-contact", "Email: emailOpen", "New: new-order"}
	for i, g := range groupTypes([]catalog.Type{typ("a", "Order events"), typ("b", "Order events"), typ("c", "")}) {
		if want := "group-" + strconv.Itoa(i); g.ID != want {
			t.Errorf("group %q's id %q, want %q (an id holds no space)", g.Name, g.ID, want)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("groups %q, want %q", got, want)
	}
}

// An error class may wrap after an underscore only, and nowhere else: the
// page puts <wbr> there and nothing (no space) in between.
func TestErrorClassBreaksAfterUnderscores(t *testing.T) {
	for code, want := range map[string]string{
		"timeout":                    "timeout",
		"connection_refused":         "connection_<wbr>refused",
		"response_headers_too_large": "response_<wbr>headers_<wbr>too_<wbr>large",
		"<b>_":                       "&lt;b&gt;_<wbr>",
	} {
		var b strings.Builder
		if err := breakAfterUnderscores(code).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("%s: %q, want %q", code, b.String(), want)
		}
	}
}
