package e2e

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/devauth"
	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/devstate"
	"github.com/hookrelay/hookrelay/shared/emulator"
)

// TestQuickstartScript runs scripts/quickstart.sh, the README's quick start,
// against a local stack, with the receiver on a free port no other test can
// be handed (see receiverPort) and the CLI built once, and checks
// its output shows what the README promises: a verified delivery, a
// delivery on the third attempt after two 500s, a DLQ entry, and its
// redrive delivered under the same delivery id.
func TestQuickstartScript(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatalf("the quick start needs curl: %v", err)
	}
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "hookrelay")
	build := exec.Command("go", "build", "-o", bin, "./cmd/hookrelay")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/hookrelay: %v\n%s", err, out)
	}
	s := startTestStack(t, devrun.Options{})
	port := receiverPort(t)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "scripts", "quickstart.sh"))
	cmd.Env = append(cleanEnv(),
		"HOOKRELAY="+bin,
		"HOOKRELAY_ADDR="+strings.TrimPrefix(s.API, "http://"),
		devstate.EnvDataDir+"="+s.DataDir,
		"LISTEN_PORT="+strconv.Itoa(port),
		"QUICKSTART_WAIT=60",
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	text := out.String()
	t.Logf("quickstart.sh output:\n%s", text)
	if err != nil {
		t.Fatalf("quickstart.sh: %v", err)
	}

	webhook := regexp.MustCompile(`(?m)^webhook (wh_[0-9a-z]+)$`).FindStringSubmatch(text)
	if webhook == nil {
		t.Fatal("the script did not print the webhook id")
	}
	verified := `✓ X-Hookrelay-Signature  ✓ webhook-signature`
	// Step 4: one verified delivery.
	if !regexp.MustCompile(`emailClick  dlv_[0-9a-f]{32}  attempt 1  ` + verified + `  → 200`).MatchString(text) {
		t.Error("no verified delivery (attempt 1 → 200) in the output")
	}
	// Step 5: 500, 500, then 200, all of one delivery id.
	retry := regexp.MustCompile(`emailClick  (dlv_[0-9a-f]{32})  attempt (\d)  `+verified+`  → (\d{3})`).FindAllStringSubmatch(section(text, "== 5.", "== 6."), -1)
	var got []string
	for _, m := range retry {
		got = append(got, m[2]+":"+m[3])
		if m[1] != retry[0][1] {
			t.Errorf("retry attempts carry delivery ids %s and %s", retry[0][1], m[1])
		}
	}
	if strings.Join(got, " ") != "1:500 2:500 3:200" {
		t.Errorf("retry step shows attempts %v, want 1:500 2:500 3:200", got)
	}
	if !strings.Contains(section(text, "-- the attempt log", "== 6."), `"outcome":"delivered"`) {
		t.Error("the attempt log printed after the retry has no delivered attempt")
	}
	// Step 6: the 400 is in the DLQ, as `hookrelay dlq ls` shows it.
	dlqRow := regexp.MustCompile(`(?m)^\S+\s+\S+\s+permanent_status\s+400\s+1\s+org_a\s+` + webhook[1] + `\s+emailClick\s*$`)
	if !dlqRow.MatchString(section(text, "== 6.", "== 7.")) {
		t.Error("`hookrelay dlq ls` shows no permanent_status entry with status 400 after 1 attempt for the webhook")
	}
	// Step 7: the redrive delivers that delivery, same id, and empties the DLQ.
	dead := regexp.MustCompile(`(dlv_[0-9a-f]{32})  attempt 1  ` + verified + `  → 400`).FindStringSubmatch(section(text, "== 6.", "== 7."))
	if dead == nil {
		t.Fatal("step 6 printed no delivery answered 400")
	}
	redrive := section(text, "== 7.", "")
	if !regexp.MustCompile(`(?m)^redriven 1 of 1 matching dead letter$`).MatchString(redrive) {
		t.Error("the redrive did not report redriving the one dead letter")
	}
	if !regexp.MustCompile(dead[1] + `  attempt 1  ` + verified + `  → 200`).MatchString(redrive) {
		t.Errorf("the redriven delivery %s was not received verified with 200", dead[1])
	}
	if !regexp.MustCompile(`(?m)^0 dead letters$`).MatchString(redrive) {
		t.Error("`hookrelay dlq ls` still lists dead letters for the webhook after the redrive")
	}
}

// section is the part of text between the markers ("" end: to the end).
func section(text, from, to string) string {
	_, rest, _ := strings.Cut(text, from)
	if to != "" {
		rest, _, _ = strings.Cut(rest, to)
	}
	return rest
}

// receiverPort returns a loopback port for the quick start's receiver,
// free now, below the kernel's ephemeral port range. The script binds it
// only after a token, a webhook and a process start, and binds it again at
// each of its three receiver restarts. Every bind to port 0 and every
// outgoing connection (the emulators, stacks, receivers and clients of
// the tests running beside this one) gets a port of the ephemeral range,
// never one below it, so nothing takes this port in those gaps: only a
// process asking for this very port could.
func receiverPort(t *testing.T) int {
	t.Helper()
	lo, hi := 10000, ephemeralLow()
	if hi-lo < 1000 {
		lo = 1024
	}
	for range 100 {
		p := lo + rand.IntN(hi-lo)
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err == nil {
			ln.Close()
			return p
		}
	}
	t.Fatalf("no free loopback port in %d-%d", lo, hi-1)
	return 0
}

// ephemeralLow is the first port of the kernel's ephemeral range (Linux's
// default where it cannot be read).
func ephemeralLow() int {
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil && n > 1024 {
				return n
			}
		}
	}
	return 32768
}

// cleanEnv is the test's environment without HOOKRELAY_* settings, so the
// script reaches the test's stack only (a dev key file the stack also
// uses is kept).
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HOOKRELAY") || strings.HasPrefix(kv, devauth.EnvDevKeyFile+"=") {
			env = append(env, kv)
		}
	}
	return env
}
