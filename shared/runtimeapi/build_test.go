package runtimeapi

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The Makefile builds what deploys and Build what the tests run: the same
// functions, tags and flags, or the tests measure another binary.
func TestBuildMatchesTheMakefile(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	makefile := string(mk)
	dirs, err := os.ReadDir("../../functions")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range dirs {
		names = append(names, d.Name())
	}
	if !slices.Equal(names, Functions) {
		t.Errorf("functions/ holds %v, Functions lists %v", names, Functions)
	}
	for _, fn := range Functions {
		m := regexp.MustCompile(`(?m)^TAGS_` + fn + `\s*:=\s*(\S+)$`).FindStringSubmatch(makefile)
		if m == nil || m[1] != BuildTags[fn] {
			t.Errorf("Makefile's TAGS_%s is %v, BuildTags[%q] is %q", fn, m, fn, BuildTags[fn])
		}
		g := regexp.MustCompile(`(?m)^GCFLAGS_` + fn + `\s*:=(.*)$`).FindStringSubmatch(makefile)
		if got := strings.Fields(append(g, "", "")[1]); !slices.Equal(got, GCFlags[fn]) {
			t.Errorf("Makefile's GCFLAGS_%s is %q, GCFlags[%q] is %q", fn, got, fn, GCFlags[fn])
		}
	}
	recipe := "GOOS=" + Deployed.OS + " GOARCH=" + Deployed.Arch + " CGO_ENABLED=0 go build -tags $(TAGS_$*) $(GCFLAGS_$*) " +
		strings.Replace(strings.Join(BuildFlags, " "), "-ldflags=-s -w", "-ldflags='-s -w'", 1) + " -o $@ ./functions/$*"
	if !strings.Contains(makefile, recipe) {
		t.Errorf("the Makefile's bootstrap rule is not\n%s", recipe)
	}
}
