package permissions

import (
	"go/ast"
	"go/types"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

const (
	module    = "github.com/hookrelay/hookrelay"
	sdkPrefix = "github.com/aws/aws-sdk-go-v2/service/"
)

// implicitMethods are called by the standard library through interfaces
// our code never names (errors.Is, fmt, encoding/json, log/slog).
var implicitMethods = []string{"Error", "Unwrap", "Is", "As", "String", "Format", "GoString",
	"MarshalJSON", "UnmarshalJSON", "MarshalText", "UnmarshalText", "LogValue"}

// fnNode is what one function body, or one package-level variable
// initializer, of the module uses.
type fnNode struct {
	calls    []*types.Func     // functions and methods used (called or taken as values)
	types    []*types.TypeName // module types the body names
	actions  []string          // IAM actions of the SDK inputs it builds
	abstract []*types.Func     // interface methods it calls
	settings []string          // shared/config fields it reads, as Type.Field
}

// codeGraph is the module's code as a use graph: what each function can
// run, walked from an entry point by calledActions.
type codeGraph struct {
	funcs   map[*types.Func]*fnNode
	inits   map[string][]*fnNode // per package: init functions and variable initializers
	imports map[string][]string  // module imports per module package
	ifaces  []*types.Interface   // interfaces from outside the module seen in the code
	mains   map[string]*types.Func
}

func loadGraph(t *testing.T, patterns ...string) *codeGraph {
	t.Helper()
	// First the module packages the entry points link, then those packages
	// with syntax (their dependencies are type-checked from export data).
	deps, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedImports | packages.NeedDeps, Dir: "../.."}, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	var mine []string
	packages.Visit(deps, nil, func(p *packages.Package) {
		if p.PkgPath == module || strings.HasPrefix(p.PkgPath, module+"/") {
			mine = append(mine, p.PkgPath)
		}
	})
	pkgs, err := packages.Load(&packages.Config{
		Mode: packages.NeedName | packages.NeedImports | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo,
		Dir:  "../..",
	}, mine...)
	if err != nil {
		t.Fatal(err)
	}
	g := &codeGraph{funcs: map[*types.Func]*fnNode{}, inits: map[string][]*fnNode{}, imports: map[string][]string{},
		mains: map[string]*types.Func{}}
	seenIface := map[*types.Interface]bool{}
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			t.Fatalf("%s: %v", p.PkgPath, p.Errors)
		}
		for path := range p.Imports {
			if strings.HasPrefix(path, module+"/") {
				g.imports[p.PkgPath] = append(g.imports[p.PkgPath], path)
			}
		}
		for _, tv := range p.TypesInfo.Types {
			if n, ok := tv.Type.(*types.Named); ok && n.Obj().Pkg() != nil && !inModule(n.Obj().Pkg().Path()) {
				if it, ok := n.Underlying().(*types.Interface); ok && !seenIface[it] {
					seenIface[it] = true
					g.ifaces = append(g.ifaces, it)
				}
			}
		}
		for _, f := range p.Syntax {
			for _, decl := range f.Decls {
				switch d := decl.(type) {
				case *ast.FuncDecl:
					obj := p.TypesInfo.Defs[d.Name].(*types.Func)
					n := g.scan(p, d.Body)
					if d.Recv == nil && d.Name.Name == "init" {
						g.inits[p.PkgPath] = append(g.inits[p.PkgPath], n)
						continue
					}
					g.funcs[obj] = n
					if p.Name == "main" && d.Recv == nil && d.Name.Name == "main" {
						g.mains[p.PkgPath] = obj
					}
				case *ast.GenDecl:
					// Variable initializers run; type declarations and
					// signatures (an interface naming an input) do not.
					for _, spec := range d.Specs {
						if vs, ok := spec.(*ast.ValueSpec); ok && !implementsCheck(p, vs) {
							for _, v := range vs.Values {
								g.inits[p.PkgPath] = append(g.inits[p.PkgPath], g.scan(p, v))
							}
						}
					}
				}
			}
		}
	}
	return g
}

// implementsCheck reports `var _ I = (*T)(nil)`: a compile-time check
// that runs nothing, so it makes no use of T's methods.
func implementsCheck(p *packages.Package, vs *ast.ValueSpec) bool {
	for _, name := range vs.Names {
		if name.Name != "_" {
			return false
		}
	}
	for _, v := range vs.Values {
		call, ok := v.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 || !p.TypesInfo.Types[call.Fun].IsType() || !p.TypesInfo.Types[call.Args[0]].IsNil() {
			return false
		}
	}
	return len(vs.Values) > 0
}

func inModule(path string) bool { return path == module || strings.HasPrefix(path, module+"/") }

// scan records what a declaration uses.
func (g *codeGraph) scan(p *packages.Package, root ast.Node) *fnNode {
	n := &fnNode{}
	ast.Inspect(root, func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.Ident:
			switch obj := p.TypesInfo.Uses[x].(type) {
			case *types.Func:
				obj = obj.Origin()
				if recv := obj.Signature().Recv(); recv != nil && types.IsInterface(recv.Type()) {
					n.abstract = append(n.abstract, obj)
				} else if obj.Pkg() != nil && inModule(obj.Pkg().Path()) {
					n.calls = append(n.calls, obj)
				} else if obj.Pkg() != nil && strings.HasPrefix(obj.Pkg().Path(), sdkPrefix) && strings.HasSuffix(obj.Name(), "Waiter") {
					// A waiter builds its operation's input inside the SDK,
					// out of this walk's sight: make it fail loudly.
					n.actions = append(n.actions, "a waiter this walk cannot follow: "+obj.Pkg().Name()+"."+obj.Name())
				}
			case *types.TypeName:
				if obj.Pkg() != nil && inModule(obj.Pkg().Path()) {
					n.types = append(n.types, obj)
				}
				// Naming an operation's input in code that runs (a
				// literal, new(), a variable) is how it is called.
				n.actions = append(n.actions, sdkInput(obj.Type())...)
			}
		case *ast.CompositeLit:
			n.actions = append(n.actions, impliedActions(p.TypesInfo.TypeOf(x), x)...)
		case *ast.SelectorExpr:
			// shared/config's parser and checks read every field.
			if f := configField(p.TypesInfo.Selections[x]); f != "" && p.PkgPath != module+"/shared/config" {
				n.settings = append(n.settings, f)
			}
		}
		return true
	})
	return n
}

// calledActions walks everything the entry point's code can run, method
// dispatch through interfaces included, and returns the IAM actions of the
// SDK operations it can call.
func (g *codeGraph) calledActions(t *testing.T, mainPkg string) []string {
	t.Helper()
	_, actions := g.reach(t, mainPkg)
	return actions
}

// reachedFuncs is the module's functions the code mainPkg links can run.
func (g *codeGraph) reachedFuncs(t *testing.T, mainPkg string) map[*types.Func]bool {
	t.Helper()
	reached, _ := g.reach(t, mainPkg)
	out := map[*types.Func]bool{}
	for f, n := range g.funcs {
		if reached[n] {
			out[f] = true
		}
	}
	return out
}

// reach walks what mainPkg's code can run: the functions reached, and the
// IAM actions of the SDK inputs they build, sorted.
func (g *codeGraph) reach(t *testing.T, mainPkg string) (map[*fnNode]bool, []string) {
	t.Helper()
	linked := map[string]bool{}
	var link func(string)
	link = func(p string) {
		if !linked[p] {
			linked[p] = true
			for _, q := range g.imports[p] {
				link(q)
			}
		}
	}
	link(mainPkg)
	main, ok := g.mains[mainPkg]
	if !ok {
		t.Fatalf("no func main in %s", mainPkg)
	}

	done := map[*fnNode]bool{}
	var work []*fnNode
	push := func(n *fnNode) {
		if n != nil && !done[n] {
			done[n] = true
			work = append(work, n)
		}
	}
	push(g.funcs[main])
	for p := range linked {
		for _, n := range g.inits[p] {
			push(n)
		}
	}
	usedTypes := map[*types.TypeName]bool{}
	abstract := map[*types.Func]bool{}
	actions := map[string]bool{}
	// methodsOf pushes T's (and *T's) methods named in names.
	methodsOf := func(tn *types.TypeName, match func(*types.Func) bool) {
		ms := types.NewMethodSet(types.NewPointer(tn.Type()))
		for i := range ms.Len() {
			if m, ok := ms.At(i).Obj().(*types.Func); ok && match(m) {
				push(g.funcs[m.Origin()])
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for len(work) > 0 {
			n := work[len(work)-1]
			work = work[:len(work)-1]
			changed = true
			for _, f := range n.calls {
				push(g.funcs[f])
			}
			for _, tn := range n.types {
				usedTypes[tn] = true
			}
			for _, f := range n.abstract {
				abstract[f] = true
			}
			for _, a := range n.actions {
				actions[a] = true
			}
		}
		// A module type the code uses runs the methods that interfaces
		// it may be converted to declare: ours the code calls, the
		// standard library's (http.Handler, slog.Handler...), and the
		// implicit ones.
		for tn := range usedTypes {
			if !linked[tn.Pkg().Path()] {
				continue
			}
			ptr := types.NewPointer(tn.Type())
			for f := range abstract {
				iface := f.Signature().Recv().Type().Underlying().(*types.Interface)
				if types.Implements(ptr, iface) {
					methodsOf(tn, func(m *types.Func) bool { return m.Name() == f.Name() })
				}
			}
			for _, iface := range g.ifaces {
				if iface.NumMethods() > 0 && types.Implements(ptr, iface) {
					methodsOf(tn, func(m *types.Func) bool {
						found, _, _ := types.LookupFieldOrMethod(iface, false, nil, m.Name())
						return found != nil
					})
				}
			}
			methodsOf(tn, func(m *types.Func) bool { return slices.Contains(implicitMethods, m.Name()) })
		}
		changed = len(work) > 0
	}
	out := make([]string, 0, len(actions))
	for a := range actions {
		out = append(out, a)
	}
	slices.Sort(out)
	return done, out
}
