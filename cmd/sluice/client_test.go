package main_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLoadDumpAgainstServer runs `sluice load` of a synthea-10 file from a loopback URL and
// `sluice dump` against a real `sluice serve`: the count answered is the file's line count, and
// the dump is byte for byte what $dump serves.
func TestLoadDumpAgainstServer(t *testing.T) {
	bin, data, addr := buildSluice(t), dataDir(t), freeAddress(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(filteredEnv(), "SLUICE_DATA="+data, "SLUICE_LISTEN="+addr, "SLUICE_SOURCE_ALLOW_PRIVATE=true")
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	deadline := time.Now().Add(90 * time.Second)
	for {
		if resp, err := http.Get("http://" + addr + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not healthy:\n%s", log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	raw, err := os.ReadFile(filepath.Join(data, "admin-secret"))
	if err != nil {
		t.Fatal(err)
	}
	user := "admin:" + strings.TrimSpace(string(raw))
	files := httptest.NewServer(http.FileServer(http.Dir("../../testdata/synthea-10")))
	defer files.Close()

	gz, err := os.Open("../../testdata/synthea-10/Patient.ndjson.gz")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(gz)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	gz.Close()
	want := bytes.Count(bytes.TrimSpace(plain), []byte("\n")) + 1

	run := func(args ...string) []byte {
		t.Helper()
		c := exec.Command(bin, args...)
		c.Env = append(filteredEnv(), "SLUICE_URL=http://"+addr, "SLUICE_USER="+user)
		var stderr bytes.Buffer
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil {
			t.Fatalf("sluice %v: %v\n%s", args, err, stderr.String())
		}
		return out
	}
	out := run("load", "--fhir", "--type", "Patient", files.URL+"/Patient.ndjson.gz")
	_, answer, _ := bytes.Cut(out, []byte(": "))
	var counts struct{ Total int }
	if err := json.Unmarshal(answer, &counts); err != nil {
		t.Fatalf("answer %q: %v", out, err)
	}
	if counts.Total != want {
		t.Errorf("loaded %d, the file has %d lines", counts.Total, want)
	}

	dumped := run("dump", "Patient")
	req, _ := http.NewRequest("GET", "http://"+addr+"/Patient/$dump", nil)
	id, secret, _ := strings.Cut(user, ":")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	direct, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(dumped, direct) || bytes.Count(dumped, []byte("\n")) != want {
		t.Errorf("sluice dump gave %d bytes (%d lines), $dump %d bytes", len(dumped), bytes.Count(dumped, []byte("\n")), len(direct))
	}
}

// lines is the count of non-blank lines of a gzipped synthea-10 file.
func lines(t *testing.T, name string) int {
	t.Helper()
	f, err := os.Open(filepath.Join("../../testdata/synthea-10", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	return bytes.Count(bytes.TrimSpace(plain), []byte("\n")) + 1
}

// TestLoadDirect: `sluice load` with no server, on the embedded data folder, from a file and
// from `-` in one call; the answer's counts are the files' line counts.
func TestLoadDirect(t *testing.T) {
	bin, data := buildSluice(t), dataDir(t)
	stdin, err := os.Open("../../testdata/synthea-10/Condition.ndjson.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	c := exec.Command(bin, "load", "--fhir", "../../testdata/synthea-10/Patient.ndjson.gz", "-")
	c.Env = append(filteredEnv(), "SLUICE_DATA="+data)
	c.Stdin = stdin
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		t.Fatalf("sluice load: %v\n%s", err, stderr.String())
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(got) != 2 {
		t.Fatalf("want one line per source, got %q", out)
	}
	for i, want := range []struct {
		typ  string
		file string
	}{{"Patient", "Patient.ndjson.gz"}, {"Condition", "Condition.ndjson.gz"}} {
		_, answer, _ := strings.Cut(got[i], ": ")
		var counts map[string]int
		if err := json.Unmarshal([]byte(answer), &counts); err != nil {
			t.Fatalf("%q: %v", got[i], err)
		}
		if n := lines(t, want.file); counts[want.typ] != n || len(counts) != 1 {
			t.Errorf("%s: %v, the file has %d lines", want.file, counts, n)
		}
	}
}
