package portal

import (
	"path"
	"testing"

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
	types := catalogtest.Default(t).Types()
	groups := groupTypes(types)
	seen := 0
	for _, g := range groups {
		for _, ty := range g.Types {
			seen++
			if groupOf(ty.Name) != g.Name || ty.Description == "" || ty.Example == "" || ty.Schema == "" {
				t.Errorf("group %s holds %+v", g.Name, ty)
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
