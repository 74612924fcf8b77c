package proxy_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/internal/pgtest"
)

// The server dies (SIGKILL) while an export runs; started again, it writes the job again from
// a new snapshot, and the manifest has the same counts as $dump, and only its files are left
// (none of the first try's).
func TestExportCrashRestart(t *testing.T) {
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
	synthea, err := filepath.Abs("../testdata/synthea-10")
	if err != nil {
		t.Fatal(err)
	}
	exportDir := t.TempDir()
	env := []string{"SLUICE_SOURCE_DIR=" + synthea, "SLUICE_EXPORT_DIR=" + exportDir, "SLUICE_EXPORT_PARALLEL=1"}

	// One line per file at first (each file is synced before the next), so the job is surely
	// mid-way, with files written, when the server is killed.
	first := startSluice(t, bin, dbURL, append(env, "SLUICE_EXPORT_MAX_LINES=1")...)
	ts := &testServer{URL: first.url, Pool: pool, t: t}
	files, _ := filepath.Glob(filepath.Join(synthea, "*.ndjson.gz"))
	for _, f := range files {
		ts.expect(http.StatusOK, request{method: "POST", path: "/fhir/$load", body: fmt.Sprintf(`{"source": "file://%s"}`, f)})
	}
	status := ts.startExport("GET", "/fhir/$export", "", nil)
	deadline := time.Now().Add(time.Minute)
	var job string
	for {
		if dirs, _ := os.ReadDir(exportDir); len(dirs) == 1 {
			job = dirs[0].Name()
			if written, _ := os.ReadDir(filepath.Join(exportDir, job)); len(written) >= 50 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the export never wrote 50 files")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.cmd.Wait()
	if finished := ts.loadValue("select count(*) from sluice.export_job where finished is not null").(int64); finished != 0 {
		t.Fatal("the job finished before the kill")
	}

	second := startSluice(t, bin, dbURL, env...) // the default line limit now
	ts.URL = second.url
	status = second.url + status[len(first.url):]
	m := ts.waitManifest(status)
	lines := ts.download(m.Output)
	for typ, got := range lines {
		sameLines(t, typ, got, ts.dumpFHIR(typ))
	}
	if len(lines) != 17 {
		t.Errorf("%d types after the restart, want 17", len(lines))
	}
	// Only the files of the manifest are left.
	var want, got []string
	for _, e := range m.Output {
		want = append(want, filepath.Base(e.URL))
	}
	entries, _ := os.ReadDir(filepath.Join(exportDir, job))
	for _, e := range entries {
		got = append(got, e.Name())
	}
	sort.Strings(want)
	sort.Strings(got)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("files after the restart %v, want %v", got, want)
	}
}
