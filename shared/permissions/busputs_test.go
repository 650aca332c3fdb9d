package permissions

import (
	"go/types"
	"slices"
	"testing"

	"github.com/hookrelay/hookrelay/catalog/ownevents"
	"github.com/hookrelay/hookrelay/shared/bus"
)

// busPutters are the module's methods that put entries on the bus, by
// package and name. Both build their bus.Event without a Source, so under
// bus.DefaultSource. The API's publisher puts any event type (nil); the
// health notices' put puts the type of the notice method that calls it.
var busPutters = map[string]map[string][]string{
	module + "/shared/fanout":       {"Publish": nil},
	module + "/shared/healthnotice": {"put": {}},
}

// notices are healthnotice.Publisher's methods, each with what it puts.
var notices = map[string]string{"Disabled": ownevents.WebhookDisabled, "Enabled": ownevents.WebhookEnabled}

// TestBusGrantsAllowExactlyWhatTheCodePuts: each function's PutEvents
// grant is held to hookrelay's own source (what its code puts under), and
// to exactly the detail types its code can put when these are known, so a
// new put fails here until it is granted, and deliver's grant cannot grow
// back to any entry (fan-out trusts that source's
// event ids and notices, so an unconditioned grant on the function that
// talks to tenants' hosts could forge any tenant's signed events).
func TestBusGrantsAllowExactlyWhatTheCodePuts(t *testing.T) {
	g := loadGraph(t, "./functions/...")
	found := 0
	for _, fn := range Functions() {
		reached := g.reachedFuncs(t, module+"/functions/"+fn)
		anyType, noticeTypes := false, []string{}
		for f := range reached {
			if slices.ContainsFunc(g.funcs[f].abstract, isBusPut) {
				found++
				detailTypes, known := busPutters[f.Pkg().Path()][f.Name()]
				if !known {
					t.Errorf("%s runs %s, which puts on the bus: add it to busPutters with what it puts", fn, f.FullName())
				}
				anyType = anyType || detailTypes == nil
			}
			if f.Pkg().Path() == module+"/shared/healthnotice" && notices[f.Name()] != "" {
				noticeTypes = append(noticeTypes, notices[f.Name()])
			}
		}
		slices.Sort(noticeTypes)
		for _, store := range SecretStores {
			for _, gr := range Grants(fn, store) {
				if gr.Resource != Bus {
					continue
				}
				if gr.Puts == nil || gr.Puts.Source != bus.DefaultSource {
					t.Errorf("%s may put entries under any source: %+v", fn, gr)
					continue
				}
				want := noticeTypes
				if anyType {
					want = nil
				}
				if !slices.Equal(gr.Puts.DetailTypes, want) {
					t.Errorf("%s may put detail types %v; its code puts %v (nil: any)", fn, gr.Puts.DetailTypes, want)
				}
			}
		}
	}
	if found < 2 {
		t.Fatalf("found %d bus puts in the functions' code; the API's publisher and the health notices put", found)
	}
}

// isBusPut: m is bus.Bus's Put.
func isBusPut(m *types.Func) bool {
	return m.Pkg() != nil && m.Pkg().Path() == module+"/shared/bus" && m.Name() == "Put"
}
