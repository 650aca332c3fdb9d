package portal

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// snippetCall is one call of both functions of the page's Node and Python
// snippets: verifySignature / verify_signature and verifyStandardWebhooks /
// verify_standard_webhooks.
type snippetCall struct {
	Name    string            `json:"name"`
	Secret  any               `json:"secret"` // a string, or nil: WEBHOOK_SECRET unset
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// runSnippets runs the page's Node and Python snippets for prefix on each
// call and returns, by language, each call's two answers: true, false, or
// "threw <type>: <message>".
func runSnippets(t *testing.T, prefix string, calls []snippetCall) map[string][][2]any {
	t.Helper()
	in, err := json.Marshal(calls)
	if err != nil {
		t.Fatal(err)
	}
	code := snippetCode(t, prefix)
	node := code["js"] + `
const calls = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
const call = (f, c) => { try { return f(c.secret, c.headers, Buffer.from(c.body)); } catch (e) { return "threw " + e.name + ": " + e.message; } };
console.log(JSON.stringify(calls.map((c) => [call(verifySignature, c), call(verifyStandardWebhooks, c)])));
`
	python := code["py"] + `
import json, sys
def call(f, c):
    try:
        return f(c["secret"], c["headers"], c["body"].encode())
    except Exception as e:
        return "threw %s: %s" % (type(e).__name__, e)
print(json.dumps([[call(verify_signature, c), call(verify_standard_webhooks, c)] for c in json.load(sys.stdin)]))
`
	answers := map[string][][2]any{}
	for _, run := range []struct{ name, cmd, file, src string }{
		{"node", "node", "verify.js", node},
		{"python", "python3", "verify.py", python},
	} {
		path := filepath.Join(t.TempDir(), run.file)
		if err := os.WriteFile(path, []byte(run.src), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(interpreter(t, run.cmd), path)
		cmd.Stdin = strings.NewReader(string(in))
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s snippet: %v\n%s", run.name, err, out)
		}
		var got [][2]any
		if err := json.Unmarshal(out, &got); err != nil || len(got) != len(calls) {
			t.Fatalf("%s snippet printed %s (%v)", run.name, out, err)
		}
		answers[run.name] = got
	}
	return answers
}
