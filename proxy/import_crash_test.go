package proxy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/internal/pgtest"
)

// sluiceProcess is `sluice serve` as a child process over a test database.
type sluiceProcess struct {
	cmd *exec.Cmd
	url string
	log *os.File
}

// startSluice starts the binary bin over dbURL; env adds variables (NAME=value).
func startSluice(t *testing.T, bin, dbURL string, env ...string) *sluiceProcess {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := listener.Addr().String()
	listener.Close()
	log, err := os.CreateTemp(t.TempDir(), "sluice-*.log")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "SLUICE_LISTEN="+addr,
		"SLUICE_ADMIN_ID="+adminID, "SLUICE_ADMIN_SECRET="+adminSecret, "SLUICE_IMPORT_WORKERS=1",
		// The slow source is on loopback and, on a busy machine, near the default minimum rate.
		"SLUICE_SOURCE_ALLOW_PRIVATE=true", "SLUICE_BULK_MIN_RATE=-1")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &sluiceProcess{cmd: cmd, url: "http://" + addr, log: log}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			data, _ := os.ReadFile(log.Name())
			t.Logf("sluice log:\n%s", data)
		}
	})
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(p.url + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("sluice did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The server process dies (SIGKILL) in the middle of an input; started again, it loads the
// input again, and the job ends with exactly the input's resources.
func TestImportCrashRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the sluice binary")
	}
	bin := filepath.Join(t.TempDir(), "sluice")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/sluice").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dbURL := pgtest.NewMigratedDatabase(t)
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	const n = 20000
	src := newSources(t)
	slow := &slowSource{release: make(chan struct{})}
	slowURL := src.handle("/slow.ndjson", func(w http.ResponseWriter, r *http.Request) {
		slow.serve(n)(w, r)
	})

	first := startSluice(t, bin, dbURL)
	ts := &testServer{URL: first.url, Pool: pool, t: t}
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", body: fmt.Sprintf(
		`{"id":"crash","inputs":[{"resourceType":"Patient","url":%q}]}`, slowURL)})

	// Kill it once lines are flowing into the COPY.
	deadline := time.Now().Add(time.Minute)
	for {
		var status struct {
			Inputs []struct {
				Status string
				Total  int
			}
		}
		json.Unmarshal(ts.expect(http.StatusOK, request{method: "GET", path: "/BulkImportStatus/crash"}), &status)
		if status.Inputs[0].Status == "in-progress" && status.Inputs[0].Total > 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the input never got going")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.cmd.Wait()
	var patients int64
	pool.QueryRow(context.Background(), "select count(*) from public.patient").Scan(&patients)
	if patients != 0 {
		t.Fatalf("%d patients visible after the kill: the input was not one transaction", patients)
	}

	close(slow.release) // the second run gets the whole file at once
	second := startSluice(t, bin, dbURL)
	ts.URL = second.url
	status := waitImport(t, ts, "crash")
	in := status["inputs"].([]any)[0].(map[string]any)
	if status["status"] != "finished" || in["total"] != float64(n) {
		t.Errorf("status after restart: %v", status)
	}
	var rows, distinct, history int64
	pool.QueryRow(context.Background(), `select count(*), count(distinct id), (select count(*) from public.patient_history)
		from public.patient where id like 'slow-%'`).Scan(&rows, &distinct, &history)
	if rows != n || distinct != n || history != 0 {
		t.Errorf("%d rows, %d ids, %d history rows; want %d, %d, 0", rows, distinct, history, n, n)
	}
	slow.mu.Lock()
	requests := slow.requests
	slow.mu.Unlock()
	if requests < 2 {
		t.Errorf("the source was fetched %d times: the input did not run again", requests)
	}
}
