// Package emulator starts the local AWS emulators (dynalite for DynamoDB,
// goaws for SQS, local-kms for KMS) as child processes on loopback, and refuses one that
// listens anywhere else. Tests and `hookrelay dev` share it, so both run
// the emulators the same way.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/mod/modfile"
)

// The emulators' names, as Process.Name and messages give them.
const (
	DynaliteName = "dynalite"
	GoawsName    = "goaws"
	KMSName      = "local-kms"
)

// Environment variables that point at the emulators the Makefile installed.
// When unset, the paths below the repository root are used.
const (
	EnvDynalite = "HOOKRELAY_DYNALITE" // path to dynalite's cli.js
	EnvGoaws    = "HOOKRELAY_GOAWS"    // path to the goaws binary
	EnvKMS      = "HOOKRELAY_KMS"      // path to the local-kms binary (tools/kms-loopback)
)

// Region and AccountID are what goaws puts in queue ARNs; the SDK clients
// for local use must use the same region.
const (
	Region    = "us-east-1"
	AccountID = "100010001000"
)

// Process is a running emulator.
type Process struct {
	Name     string
	Endpoint string // http://127.0.0.1:PORT
	Port     int
	cmd      *exec.Cmd
	done     chan struct{}
	waitErr  error
}

// Stop terminates the emulator and its children and waits for it to exit.
func (p *Process) Stop() {
	if p == nil || p.cmd == nil || p.cmd.Process == nil {
		return
	}
	terminate(p.cmd.Process)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		kill(p.cmd.Process)
		<-p.done
	}
}

// Done is closed when the emulator process has exited, so a long-running
// caller (`hookrelay dev`) notices an emulator that died under it.
func (p *Process) Done() <-chan struct{} { return p.done }

// Options for starting an emulator.
type Options struct {
	Port    int    // 0 picks a free loopback port
	DataDir string // dynalite: persist here (empty = in memory); goaws: config file dir (empty = temp)
	Log     *os.File
}

// ModulePath is the repository's Go module: RepoRoot looks for its go.mod.
const ModulePath = "github.com/hookrelay/hookrelay"

// RepoRoot walks up from the working directory to the folder holding the
// repository's go.mod. Nested modules (tools/*, node_modules) are passed
// over: from inside one, the CLI must still find make dev's data folder.
func RepoRoot() (string, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := cwd; ; {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && modfile.ModulePath(data) == ModulePath {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of %s in %s or any folder above it", ModulePath, cwd)
		}
		dir = parent
	}
}

func toolPath(env, rel string) (string, error) {
	path := os.Getenv(env)
	if path == "" {
		root, err := RepoRoot()
		if err != nil {
			return "", err
		}
		path = filepath.Join(root, rel)
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%s not found at %s: run `make runtools` (set %s to override)", filepath.Base(rel), path, env)
	}
	return path, nil
}

// DynalitePath, GoawsPath and KMSPath locate the installed emulators.
func DynalitePath() (string, error) { return toolPath(EnvDynalite, "node_modules/dynalite/cli.js") }
func GoawsPath() (string, error)    { return toolPath(EnvGoaws, ".tools/bin/goaws") }
func KMSPath() (string, error)      { return toolPath(EnvKMS, ".tools/bin/local-kms") }

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// PortInUse reports whether something already listens on 127.0.0.1:port.
func PortInUse(port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// StartDynalite runs dynalite on loopback.
func StartDynalite(ctx context.Context, o Options) (*Process, error) {
	cli, err := DynalitePath()
	if err != nil {
		return nil, err
	}
	if o.DataDir != "" {
		if err := os.MkdirAll(o.DataDir, 0o755); err != nil {
			return nil, err
		}
	}
	return onFreePort(o, func(port int) (*Process, error) {
		args := []string{cli, "--host", "127.0.0.1", "--port", strconv.Itoa(port)}
		if o.DataDir != "" {
			args = append(args, "--path", o.DataDir)
		}
		return start(ctx, DynaliteName, port, o.Log, "node", args...)
	})
}

// StartGoaws runs goaws with an explicit config: without one its visibility
// timeout is 0. The binary is tools/goaws-loopback (goaws's router served
// on 127.0.0.1 only; upstream goaws binds every interface); Host makes every
// queue URL it hands out point at loopback too.
func StartGoaws(ctx context.Context, o Options) (*Process, error) {
	bin, err := GoawsPath()
	if err != nil {
		return nil, err
	}
	return onFreePort(o, func(port int) (*Process, error) { return launchGoaws(ctx, o, bin, port) })
}

// launchGoaws writes goaws's config for port and starts it there.
func launchGoaws(ctx context.Context, o Options, bin string, port int) (*Process, error) {
	dir, err := dataDir(o, "goaws-", 0o755)
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "goaws.yaml")
	yaml := fmt.Sprintf(`Local:
  Host: 127.0.0.1
  Port: %d
  Region: %s
  AccountId: "%s"
  LogToFile: false
  EnableDuplicates: false
  QueueAttributeDefaults:
    VisibilityTimeout: 30
    ReceiveMessageWaitTimeSeconds: 0
    MaximumMessageSize: 262144
  Queues: []
  Topics: []
`, port, Region, AccountID)
	if err := os.WriteFile(conf, []byte(yaml), 0o644); err != nil {
		return nil, err
	}
	return start(ctx, GoawsName, port, o.Log, bin, "-config", conf, "-loglevel", "warn", "Local")
}

// StartKMS runs local-kms through tools/kms-loopback (its handler served
// on 127.0.0.1 only; upstream local-kms binds every interface). Its key
// database lives in DataDir (a temp dir when empty), so `hookrelay dev`
// keeps its key, and with it every envelope, across restarts.
func StartKMS(ctx context.Context, o Options) (*Process, error) {
	bin, err := KMSPath()
	if err != nil {
		return nil, err
	}
	dir, err := dataDir(o, "local-kms-", 0o700) // key material
	if err != nil {
		return nil, err
	}
	return onFreePort(o, func(port int) (*Process, error) {
		return start(ctx, KMSName, port, o.Log, bin,
			"-port", strconv.Itoa(port), "-data", dir, "-region", Region, "-account", AccountID)
	})
}

// dataDir is o.DataDir, created with perm, or a new temp dir.
func dataDir(o Options, tempPrefix string, perm os.FileMode) (string, error) {
	if o.DataDir == "" {
		return os.MkdirTemp("", tempPrefix)
	}
	return o.DataDir, os.MkdirAll(o.DataDir, perm)
}

// errExitedEarly marks an emulator that exited before it listened, as one
// does when its port was taken first.
var errExitedEarly = errors.New("exited before it was ready")

// onFreePort runs launch on o.Port, or on a free port. A port FreePort
// picked is free only until someone binds it: a parallel test's emulator
// can take it first, and then ours exits. Such a start is tried again on
// another port, a few times.
func onFreePort(o Options, launch func(port int) (*Process, error)) (*Process, error) {
	for tries := 1; ; tries++ {
		port, err := pickPort(o.Port)
		if err != nil {
			return nil, err
		}
		p, err := launch(port)
		if err == nil || o.Port != 0 || !errors.Is(err, errExitedEarly) || tries == 3 {
			return p, err
		}
	}
}

func pickPort(port int) (int, error) {
	if port != 0 {
		if PortInUse(port) {
			return 0, fmt.Errorf("port 127.0.0.1:%d is already in use", port)
		}
		return port, nil
	}
	return FreePort()
}

func start(ctx context.Context, name string, port int, logTo *os.File, bin string, args ...string) (*Process, error) {
	cmd := exec.Command(bin, args...)
	ownProcessGroup(cmd)
	if logTo != nil {
		cmd.Stdout, cmd.Stderr = logTo, logTo
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{Name: name, Port: port, Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, done: make(chan struct{})}
	go func() { p.waitErr = cmd.Wait(); close(p.done) }()
	if err := waitReady(ctx, p); err != nil {
		p.Stop()
		return nil, err
	}
	if err := requireLoopbackOnly(p); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

// readyTimeout bounds an emulator's start. Generous: on a loaded 2-core
// machine several node and goaws processes start at once (parallel tests),
// and a slow start must not fail a test; a broken one still fails.
const readyTimeout = 60 * time.Second

// listening reports whether p itself listens on its port. A dial alone is
// no proof: if another process took the port first, the dial reaches that
// one while p has exited or is about to.
func (p *Process) listening() bool {
	addrs, err := ListeningAddrs(p.cmd.Process.Pid)
	if errors.Is(err, errors.ErrUnsupported) { // no /proc: the dial is the evidence there is
		return PortInUse(p.Port)
	}
	if err != nil { // gone, or not readable yet: waitReady looks again
		return false
	}
	for _, a := range addrs {
		if int(a.Port()) == p.Port {
			return true
		}
	}
	return false
}

func waitReady(ctx context.Context, p *Process) error {
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("%s %w: %v", p.Name, errExitedEarly, p.waitErr)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if p.listening() {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s did not listen on 127.0.0.1:%d within %s", p.Name, p.Port, readyTimeout)
}
