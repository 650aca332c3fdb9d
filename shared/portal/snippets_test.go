package portal

import (
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/signing"
)

// TestSnippetsVerifyRealDeliveries runs the Node and Python snippets the
// "Verify your endpoint" page shows against headers the delivery code
// makes, for a deployment with its own header prefix: both families pass
// with either active secret, and a changed body fails both.
func TestSnippetsVerifyRealDeliveries(t *testing.T) {
	const (
		newSecret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
		oldSecret = "whsec_ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
	)
	body := []byte(`{"id":"evt_1","event_name":"emailClick","organization_id":"org_a","timestamp":1,"data":{}}`)
	h, err := signing.Headers(signing.Request{
		Prefix: "Acme", EventName: "emailClick", DeliveryID: "dlv_0f1e2d3c4b5a69788796a5b4c3d2e1f0",
		Timestamp: time.Now(), Secrets: []string{newSecret, oldSecret}, Body: body,
	})
	if err != nil {
		t.Fatal(err)
	}
	code := snippetCode(t, "Acme")
	if !strings.Contains(code["go"], `verify.VerifyDelivery(secret, r.Header, body, "Acme", time.Now())`) {
		t.Errorf("Go snippet does not use the deployment's prefix:\n%s", code["go"])
	}
	if !strings.Contains(code["go"], "if err := verify.CheckSecret(secret); err != nil {\n\t\tlog.Fatalf(") {
		t.Errorf("Go snippet does not stop at startup without a usable WEBHOOK_SECRET:\n%s", code["go"])
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "verify.go", code["go"], 0); err != nil {
		t.Errorf("Go snippet does not parse: %v", err)
	}

	sig := h.Get("X-Acme-Signature")
	std := [3]string{h.Get("Webhook-Id"), h.Get("Webhook-Timestamp"), h.Get("Webhook-Signature")}
	dir := t.TempDir()
	bodyFile := filepath.Join(dir, "body")
	if err := os.WriteFile(bodyFile, body, 0o600); err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(dir, "tampered")
	if err := os.WriteFile(tampered, append([]byte(" "), body...), 0o600); err != nil {
		t.Fatal(err)
	}

	node := code["js"] + `
const fs = require("node:fs");
const headers = {"x-acme-signature": process.argv[2], "webhook-id": process.argv[3], "webhook-timestamp": process.argv[4], "webhook-signature": process.argv[5]};
const out = [];
for (const [secret, file] of [[process.argv[6], process.argv[8]], [process.argv[7], process.argv[8]], [process.argv[6], process.argv[9]]]) {
  const b = fs.readFileSync(file);
  out.push(verifySignature(secret, headers, b), verifyStandardWebhooks(secret, headers, b));
}
console.log(out.join(" "));
`
	python := code["py"] + `
import sys
a = sys.argv
headers = {"x-acme-signature": a[1], "webhook-id": a[2], "webhook-timestamp": a[3], "webhook-signature": a[4]}
out = []
for secret, path in ((a[5], a[7]), (a[6], a[7]), (a[5], a[8])):
    b = open(path, "rb").read()
    out += [verify_signature(secret, headers, b), verify_standard_webhooks(secret, headers, b)]
print(" ".join("true" if x else "false" for x in out))
`
	args := []string{sig, std[0], std[1], std[2], newSecret, oldSecret, bodyFile, tampered}
	const want = "true true true true false false"
	for _, run := range []struct{ name, cmd, file, src string }{
		{"node", "node", "verify.js", node},
		{"python", "python3", "verify.py", python},
	} {
		path := filepath.Join(dir, run.file)
		if err := os.WriteFile(path, []byte(run.src), 0o600); err != nil {
			t.Fatal(err)
		}
		// stdout alone: a wrapper's locale warnings on stderr are not the answer.
		var stderr strings.Builder
		cmd := exec.Command(interpreter(t, run.cmd), append([]string{path}, args...)...)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s snippet: %v\n%s%s", run.name, err, out, stderr.String())
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("%s snippet: new, old, tampered = %q, want %q", run.name, got, want)
		}
	}
}

// snippetCode is the page's snippets for a header prefix, by language id.
func snippetCode(t *testing.T, prefix string) map[string]string {
	t.Helper()
	sn, err := snippets(namesFor(prefix))
	if err != nil {
		t.Fatal(err)
	}
	code := map[string]string{}
	for _, s := range sn {
		code[s.ID] = s.Code
	}
	return code
}

// interpreter finds node or python3. The snippets are what tenants copy,
// so a machine without either fails these tests rather than skip them:
// make tools installs node (with the CDK CLI), Debian ships python3.
func interpreter(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("the portal's snippets are tested with %s (node comes with make tools, python3 with Debian): %v", name, err)
	}
	return path
}
