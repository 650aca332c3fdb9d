package permissions

import (
	"go/ast"
	"go/types"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/hookrelay/hookrelay/shared/config"
)

// devOnly settings are read by the deployed code (their zero value is the
// deployed behaviour) and must never be set there.
var devOnly = []string{config.EnvAddr, config.EnvAllowLoopback, config.EnvDevAudience}

// TestEnvHasEverySettingTheCodeReads: the stack sets, for each function,
// every setting the code it links can read. One left out falls back,
// silently, to its default: the api once read parked deliveries with the
// default parkedTtl while deliver parked them for the stack's longer one,
// and parked_from missed live deliveries.
func TestEnvHasEverySettingTheCodeReads(t *testing.T) {
	envOf := configFieldEnvs(t)
	g := loadGraph(t, "./functions/...")
	for _, fn := range []string{API, Fanout, Deliver} {
		reached, _ := g.reach(t, module+"/functions/"+fn)
		read := map[string]bool{}
		for n := range reached {
			for _, f := range n.settings {
				if env := envOf[f]; env != "" {
					read[env] = true
				}
			}
		}
		if !read[config.EnvTable] {
			t.Fatalf("%s: no read of the table's name found: the walk is broken", fn)
		}
		var missing []string
		for env := range read {
			if !slices.Contains(Env[fn], env) && !slices.Contains(EnvelopeEnv[fn], env) && !slices.Contains(devOnly, env) {
				missing = append(missing, env)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s's code reads %s, which Env does not give it", fn, strings.Join(missing, ", "))
		}
		// And no other: a variable nothing reads uses up the function's
		// 4 KB of variables.
		var unread []string
		for _, env := range append(slices.Clone(Env[fn]), EnvelopeEnv[fn]...) {
			if !read[env] {
				unread = append(unread, env)
			}
		}
		if len(unread) > 0 {
			t.Errorf("Env gives %s %s, which its code never reads", fn, strings.Join(unread, ", "))
		}
	}
}

// configFieldEnvs maps each shared/config field (Type.Field) to the
// variable config.FromLookup fills it from: the one Env constant its
// statement names.
func configFieldEnvs(t *testing.T) map[string]string {
	t.Helper()
	pkgs, err := packages.Load(&packages.Config{
		Mode: packages.NeedName | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo, Dir: "../..",
	}, "./shared/config")
	if err != nil || len(pkgs) != 1 || len(pkgs[0].Errors) > 0 {
		t.Fatalf("loading shared/config: %v %v", err, pkgs)
	}
	p := pkgs[0]
	envOf := map[string]string{}
	for _, f := range p.Syntax {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "FromLookup" {
				for _, stmt := range fd.Body.List {
					mapStatement(p, stmt, envOf)
				}
			}
		}
	}
	if len(envOf) < 20 {
		t.Fatalf("only %d config fields mapped to variables: the walk of FromLookup is broken", len(envOf))
	}
	return envOf
}

// mapStatement maps the fields a FromLookup statement fills to the one
// variable it names; statements naming none or several (cross-checks)
// map nothing. The first mapping of a field stands.
func mapStatement(p *packages.Package, stmt ast.Stmt, envOf map[string]string) {
	var envs, fields []string
	ast.Inspect(stmt, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if c, ok := p.TypesInfo.Uses[n].(*types.Const); ok && strings.HasPrefix(c.Name(), "Env") {
				envs = append(envs, strings.Trim(c.Val().ExactString(), `"`))
			}
		case *ast.SelectorExpr:
			if f := configField(p.TypesInfo.Selections[n]); f != "" && f != "Config.Portal" {
				fields = append(fields, f)
			}
		}
		return true
	})
	if len(envs) != 1 {
		return
	}
	for _, f := range fields {
		if envOf[f] == "" {
			envOf[f] = envs[0]
		}
	}
}

// configField names a selection of a shared/config struct's field as
// Type.Field, the same in packages loaded apart, whether the field is
// selected on its own struct or through one embedding it; "" for anything
// else. (Reads inside shared/config, such as a method of Config, are not
// walked: its parser reads every field.)
func configField(sel *types.Selection) string {
	if sel == nil || sel.Kind() != types.FieldVal {
		return ""
	}
	owner := sel.Recv()
	for _, i := range sel.Index()[:len(sel.Index())-1] {
		owner = deref(owner).Underlying().(*types.Struct).Field(i).Type()
	}
	named, ok := deref(owner).(*types.Named)
	if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != module+"/shared/config" {
		return ""
	}
	return named.Obj().Name() + "." + sel.Obj().Name()
}

func deref(t types.Type) types.Type {
	if ptr, ok := t.(*types.Pointer); ok {
		return ptr.Elem()
	}
	return t
}
