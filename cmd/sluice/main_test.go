package main_test

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests run the real binary on the embedded default: a private PostgreSQL cluster in the
// data folder, started, stopped and recovered by sluice itself.

func buildSluice(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sluice")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// dataDir is a short folder (the unix socket path inside must stay under 107 bytes) that the
// postgres user can enter.
func dataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sl-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "data")
}

func freeAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type process struct {
	cmd  *exec.Cmd
	addr string
	log  *strings.Builder
}

// start runs `sluice serve` and waits for /health.
func start(t *testing.T, bin, data, addr string) *process {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(filteredEnv(), "SLUICE_DATA="+data, "SLUICE_LISTEN="+addr)
	log := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, addr: addr, log: log}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("sluice did not become healthy:\n%s", log)
	return nil
}

// filteredEnv is the test's environment without sluice settings that would change the mode.
func filteredEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DATABASE_URL=") && !strings.HasPrefix(kv, "SLUICE_") {
			env = append(env, kv)
		}
	}
	return env
}

func (p *process) request(t *testing.T, method, path, secret, body string) int {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+p.addr+path, strings.NewReader(body))
	req.SetBasicAuth("admin", secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func postmasterPID(t *testing.T, data string) (int, bool) {
	t.Helper()
	content, err := os.ReadFile(filepath.Join(data, "pg", "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.SplitN(string(content), "\n", 2)[0])
	return pid, err == nil
}

func TestEmbeddedDefault(t *testing.T) {
	bin, data, addr := buildSluice(t), dataDir(t), freeAddress(t)

	p := start(t, bin, data, addr)
	secretFile := filepath.Join(data, "admin-secret")
	info, err := os.Stat(secretFile)
	if err != nil {
		t.Fatalf("no generated operator secret: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", secretFile, info.Mode().Perm())
	}
	if !strings.Contains(p.log.String(), secretFile) {
		t.Errorf("the start-up log does not say where the secret is:\n%s", p.log)
	}
	raw, _ := os.ReadFile(secretFile)
	secret := strings.TrimSpace(string(raw))
	if status := p.request(t, "PUT", "/Patient/pt-1", secret, `{"name":[{"given":["Alice"]}]}`); status != http.StatusCreated {
		t.Fatalf("PUT as the operator: %d\n%s", status, p.log)
	}
	if status := p.request(t, "GET", "/Patient/pt-1", "wrong", ""); status != http.StatusUnauthorized {
		t.Errorf("wrong operator secret: %d", status)
	}

	// SIGTERM stops the server and its cluster cleanly.
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("sluice exited with %v:\n%s", err, p.log)
	}
	if _, running := postmasterPID(t, data); running {
		t.Errorf("the cluster is still running after SIGTERM:\n%s", p.log)
	}

	// A crash of sluice leaves its postmaster running: the next start takes the cluster back.
	p = start(t, bin, data, addr)
	p.cmd.Process.Kill()
	p.cmd.Wait()
	p = start(t, bin, data, addr)
	if status := p.request(t, "GET", "/Patient/pt-1", secret, ""); status != http.StatusOK {
		t.Errorf("after a sluice crash: GET %d\n%s", status, p.log)
	}

	// A crash of both leaves a stale postmaster.pid: PostgreSQL recovers, nothing is lost.
	pid, ok := postmasterPID(t, data)
	if !ok {
		t.Fatal("no postmaster.pid while running")
	}
	p.cmd.Process.Kill()
	p.cmd.Wait()
	syscall.Kill(pid, syscall.SIGKILL)
	for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	p = start(t, bin, data, addr)
	if status := p.request(t, "GET", "/Patient/pt-1", secret, ""); status != http.StatusOK {
		t.Errorf("after a postmaster crash: GET %d\n%s", status, p.log)
	}
}

func TestMigrateCommand(t *testing.T) {
	bin, data := buildSluice(t), dataDir(t)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(filteredEnv(), "SLUICE_DATA="+data)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("sluice %v: %v\n%s", args, err, out)
		}
		// The version line; the rest is the embedded cluster's log.
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(line, "version: ") {
				return line
			}
		}
		t.Fatalf("sluice %v printed no version:\n%s", args, out)
		return ""
	}
	if out := run("migrate", "version"); !strings.HasPrefix(out, "version: none") {
		t.Errorf("fresh database: %s", out)
	}
	run("migrate", "up")
	latest := run("migrate", "version")
	run("migrate", "down", "1")
	if out := run("migrate", "version"); out == latest {
		t.Errorf("down 1 did not change the version: %s", out)
	}
	run("migrate", "goto", "1")
	if out := run("migrate", "version"); out != "version: 1" {
		t.Errorf("goto 1: %s", out)
	}
	run("migrate", "down", "-all")
	run("migrate", "up")
	if out := run("migrate", "version"); out != latest {
		t.Errorf("up after down -all: %s, want %s", out, latest)
	}
	// force marks a version clean, the documented way out of a dirty state.
	number := strings.TrimPrefix(latest, "version: ")
	if out := run("migrate", "force", number); out != latest {
		t.Errorf("force %s: %s", number, out)
	}
	run("migrate", "up")
}

// `sluice help` and -h print the usage and exit 0 without starting anything (no data folder,
// no server), even after a subcommand.
func TestHelp(t *testing.T) {
	bin := buildSluice(t)
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"serve", "-h"}, {"migrate", "--help"}} {
		data := filepath.Join(t.TempDir(), "data")
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "SLUICE_DATA="+data, "DATABASE_URL=")
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("sluice %v: %v", args, err)
			continue
		}
		if !strings.Contains(string(out), "sluice serve") || !strings.Contains(string(out), "SLUICE_LISTEN") {
			t.Errorf("sluice %v printed no usage: %s", args, out)
		}
		if _, err := os.Stat(data); !os.IsNotExist(err) {
			t.Errorf("sluice %v made its data folder (%v): it started something", args, err)
		}
	}
}
