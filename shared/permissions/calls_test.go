package permissions

import (
	"os"
	"slices"
	"testing"
)

// TestListedActionsAreExactlyWhatTheCodeCalls: each function's list (the
// grants its own code needs) equals the SDK operations the code it links
// can reach, so a new AWS call fails here until it is listed (and granted),
// and a grant whose last caller is gone fails too.
func TestListedActionsAreExactlyWhatTheCodeCalls(t *testing.T) {
	g := loadGraph(t, "./functions/...")
	entries, err := os.ReadDir("../../functions")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		fn := e.Name()
		if !slices.Contains(Functions(), fn) {
			t.Errorf("functions/%s has no permission list", fn)
			continue
		}
		got, want := g.calledActions(t, module+"/functions/"+fn), CodeActions(fn)
		for _, a := range got {
			if !slices.Contains(want, a) {
				t.Errorf("%s calls %s, which its list does not grant", fn, a)
			}
		}
		for _, a := range want {
			if !slices.Contains(got, a) {
				t.Errorf("%s is granted %s, which its code never calls", fn, a)
			}
		}
	}
}

// TestAnalysisSeesCallsBeyondTheFunctions: the same walk over the CLI finds
// what only `hookrelay dev` does (create the table and the queues), and
// none of it reaches a Lambda: the walk follows what each entry point links.
func TestAnalysisSeesCallsBeyondTheFunctions(t *testing.T) {
	g := loadGraph(t, "./cmd/hookrelay", "./functions/...")
	cli := g.calledActions(t, module+"/cmd/hookrelay")
	for _, a := range []string{"dynamodb:CreateTable", "sqs:CreateQueue", "sqs:SendMessage", "dynamodb:Query"} {
		if !slices.Contains(cli, a) {
			t.Errorf("the CLI's walk misses %s: %v", a, cli)
		}
	}
	for _, fn := range Functions() {
		if got := g.calledActions(t, module+"/functions/"+fn); slices.Contains(got, "dynamodb:CreateTable") {
			t.Errorf("%s reaches CreateTable", fn)
		}
	}
}
