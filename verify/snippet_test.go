package verify_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/verify"
)

// snippetCase is one call of a documented verifier: verify(secret,
// headers, body, prefix, 300, now).
type snippetCase struct {
	Name    string            `json:"name"`
	Secret  any               `json:"secret"`  // a string, or nil: WEBHOOK_SECRET unset
	Headers map[string]string `json:"headers"` // lower-case names, as Node and the Python snippet take them
	Body    string            `json:"body"`
	Prefix  string            `json:"prefix"`
	Now     int64             `json:"now"`
	Want    bool              `json:"want"`
	// Throws: the secret is unusable, a configuration error that must
	// throw (naming whsec_) rather than verify anything.
	Throws bool `json:"-"`
}

// snippetCases are docs/signatures.md's test vectors, tampered copies of
// them and malformed headers, which must fail the check without an
// exception (a receiver that throws answers 500, and hookrelay retries).
func snippetCases() []snippetCase {
	both := map[string]string{}
	for k, v := range vectorHeaders() {
		both[strings.ToLower(k)] = v[0]
	}
	with := func(changes map[string]string) map[string]string {
		h := map[string]string{}
		for k, v := range both {
			h[k] = v
		}
		for k, v := range changes {
			if v == "" {
				delete(h, k)
			} else {
				h[k] = v
			}
		}
		return h
	}
	stripe, std := both["x-hookrelay-signature"], both["webhook-signature"]
	newOnly := with(map[string]string{"x-hookrelay-signature": stripe[:strings.LastIndex(stripe, ",")], "webhook-signature": strings.Fields(std)[0]})
	now := signedAt.Unix() + 90
	c := func(name, secret string, h map[string]string, want bool) snippetCase {
		return snippetCase{Name: name, Secret: secret, Headers: h, Body: body, Prefix: "Hookrelay", Now: now, Want: want}
	}
	cases := []snippetCase{
		c("both families, new secret", secretNew, both, true),
		c("both families, old secret", secretOld, both, true),
		c("Stripe-compatible family alone", secretNew, with(map[string]string{"webhook-signature": ""}), true),
		c("Standard Webhooks family alone", secretOld, with(map[string]string{"x-hookrelay-signature": ""}), true),
		c("new secret's entries alone, new secret", secretNew, newOnly, true),
		c("new secret's entries alone, old secret", secretOld, newOnly, false),
		c("another secret", "whsec_"+strings.Repeat("A", 43)+"=", both, false),
		c("no signature header", secretNew, map[string]string{}, false),
		c("no t=", secretNew, with(map[string]string{"x-hookrelay-signature": "v1=" + strings.Repeat("0", 64)}), false),
		c("t without a value", secretNew, with(map[string]string{"x-hookrelay-signature": "t," + stripe}), false),
		c("t not a number", secretNew, with(map[string]string{"x-hookrelay-signature": strings.Replace(stripe, "t=1745000000", "t=17450000x0", 1)}), false),
		c("v1 of the right length, not ASCII", secretNew, with(map[string]string{"x-hookrelay-signature": "t=1745000000,v1=" + strings.Repeat("é", 64)}), false),
		c("no webhook-id", secretNew, with(map[string]string{"webhook-id": ""}), false),
		c("webhook-timestamp not a number", secretNew, with(map[string]string{"webhook-timestamp": "1745000000.5"}), false),
		c("t of 5,000 digits", secretNew, with(map[string]string{"x-hookrelay-signature": "t=" + strings.Repeat("9", 5000) + "," + stripe}), false),
		c("webhook-timestamp of 5,000 digits", secretNew, with(map[string]string{"x-hookrelay-signature": "", "webhook-timestamp": strings.Repeat("9", 5000)}), false),
		c("webhook-signature not base64", secretNew, with(map[string]string{"x-hookrelay-signature": "", "webhook-signature": "v1,ü"}), false),
	}
	changed := c("a changed body", secretNew, both, false)
	changed.Body = strings.Replace(body, "ada@", "eve@", 1)
	late := c("400 s after the timestamp", secretNew, both, false)
	late.Now = signedAt.Unix() + 400
	acme := c("another header prefix", secretNew, map[string]string{"x-acme-signature": stripe}, true)
	acme.Prefix = "Acme"
	cases = append(cases, changed, late, acme)
	// Headers anyone can forge for a receiver whose secret is "": both
	// families keyed by the empty key.
	forged := map[string]string{
		"x-hookrelay-signature": "t=1745000000,v1=" + hex.EncodeToString(verify.Sum("", signedAt.Unix(), []byte(body))),
		"webhook-id":            deliveryID, "webhook-timestamp": "1745000000",
		"webhook-signature": "v1," + base64.StdEncoding.EncodeToString(verify.StandardSum(nil, deliveryID, signedAt.Unix(), []byte(body))),
	}
	for _, bad := range []snippetCase{
		c("empty secret, headers forged with it", "", forged, false),
		{Name: "unset secret (null)", Headers: forged, Body: body, Prefix: "Hookrelay", Now: now},
		c("whsec_ alone", "whsec_", forged, false),
		c("the secret without whsec_", strings.TrimPrefix(secretNew, "whsec_"), both, false),
		c("whsec_ + not base64", "whsec_???", both, false),
	} {
		bad.Throws = true
		cases = append(cases, bad)
	}
	return cases
}

// TestTheDocsNodeVerifier runs docs/signatures.md's Node.js snippet, as
// written there, on snippetCases: tenants copy it.
func TestTheDocsNodeVerifier(t *testing.T) {
	runDocsVerifier(t, "node", "node (make tools installs the CDK CLI with it)", "verify.js", docSnippet(t, "## Node.js", "```js"), "run.js",
		`const { verify } = require("./verify.js");
const cases = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
console.log(JSON.stringify(cases.map((c) => {
  try { return verify(c.secret, c.headers, Buffer.from(c.body), c.prefix, 300, c.now); }
  catch (e) { return "threw " + e.name + ": " + e.message; }
})));`)
}

// TestTheDocsPythonVerifier runs docs/signatures.md's Python snippet the
// same way.
func TestTheDocsPythonVerifier(t *testing.T) {
	runDocsVerifier(t, "python3", "python3 (Debian has it)", "verify.py", docSnippet(t, "## Python", "```python"), "run.py",
		`import json, sys
from verify import verify
def call(c):
    try:
        return verify(c["secret"], c["headers"], c["body"].encode(), c["prefix"], 300, c["now"])
    except Exception as e:
        return "threw %s: %s" % (type(e).__name__, e)
print(json.dumps([call(c) for c in json.load(sys.stdin)]))`)
}

// runDocsVerifier writes a documented snippet and a harness that prints
// its answer to each of snippetCases (read from stdin) as a JSON array,
// runs the harness with interpreter, and checks every answer.
func runDocsVerifier(t *testing.T, interpreter, why, snippetFile, snippet, harnessFile, harness string) {
	path, err := exec.LookPath(interpreter)
	if err != nil {
		t.Fatalf("the documented snippet needs %s: %v", why, err)
	}
	dir := t.TempDir()
	for name, src := range map[string]string{snippetFile: snippet, harnessFile: harness} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cases := snippetCases()
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, harnessFile)
	cmd.Dir, cmd.Stdin = dir, strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", interpreter, err, out)
	}
	var got []any
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(cases) {
		t.Fatalf("%s printed %s (%v)", interpreter, out, err)
	}
	for i, c := range cases {
		if c.Throws {
			if msg, _ := got[i].(string); !strings.HasPrefix(msg, "threw ") || !strings.Contains(msg, "whsec_") {
				t.Errorf("%s: verify gave %v, want it to throw naming whsec_", c.Name, got[i])
			}
			continue
		}
		if got[i] != c.Want {
			t.Errorf("%s: verify gave %v, want %v", c.Name, got[i], c.Want)
		}
	}
}

// docSnippet returns the first code block opened by fence after heading
// in docs/signatures.md.
func docSnippet(t *testing.T, heading, fence string) string {
	t.Helper()
	doc, err := os.ReadFile("../docs/signatures.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n"+heading+"\n")
	if ok {
		_, section, ok = strings.Cut(section, fence+"\n")
	}
	code, _, closed := strings.Cut(section, "\n```")
	if !ok || !closed {
		t.Fatalf("docs/signatures.md has no %s block under %q", fence, heading)
	}
	return code + "\n"
}
