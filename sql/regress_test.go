package sql_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-fhir/sluice/internal/pgcluster"
	"github.com/sluice-fhir/sluice/internal/pgtest"
)

// TestRegress runs every regress/<name>.sql through psql, pg_regress style, on a database of
// its own built by the migrations, and compares what psql prints (the statements echoed, their
// results and errors) with regress/expected/<name>.out. The files are the examples of the
// psql surface: what they show is what a psql user gets. SLUICE_UPDATE_EXPECTED=1 rewrites
// the expected files from the current output (review the diff before committing it).
func TestRegress(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("regress", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no regress/*.sql files")
	}
	update := os.Getenv("SLUICE_UPDATE_EXPECTED") == "1"
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".sql")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := runPsql(t, pgtest.NewMigratedDatabase(t), name+".sql")
			expectedFile := filepath.Join("regress", "expected", name+".out")
			if update {
				if err := os.WriteFile(expectedFile, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(expectedFile)
			if err != nil {
				t.Fatalf("%v (SLUICE_UPDATE_EXPECTED=1 writes it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("psql output of regress/%s.sql differs from %s (- expected, + got; SLUICE_UPDATE_EXPECTED=1 rewrites it):\n%s",
					name, expectedFile, lineDiff(string(want), string(got)))
			}
		})
	}
}

// runPsql runs psql on file (a name inside regress/, so that psql's "psql:<file>:<line>:" prefix
// of an error is the same wherever the repository is) and returns what it printed, stdout and
// stderr interleaved as a terminal shows them. ON_ERROR_STOP=0: an error is part of the
// output, and the file goes on.
func runPsql(t *testing.T, dbURL, file string) []byte {
	t.Helper()
	cmd := exec.Command(filepath.Join(pgcluster.DefaultBinDir, "psql"),
		"-X", "-a", "-q", "-v", "ON_ERROR_STOP=0", "--no-psqlrc", "-d", dbURL, "-f", file)
	cmd.Dir = "regress"
	// A fixed environment: no PG* settings of whoever runs the tests, English messages, UTC.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C", "PGTZ=UTC", "PGDATESTYLE=ISO, YMD"}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		// With ON_ERROR_STOP=0, psql fails only when it cannot run the file at all.
		t.Fatalf("psql -f %s: %v\n%s", file, err, out.Bytes())
	}
	return out.Bytes()
}

// lineDiff is a readable line diff of want and got: the lines only in want marked "-", the lines
// only in got "+", with two lines of context around each change, from a longest common
// subsequence of lines (the files are small).
func lineDiff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	// lcs[i][j]: length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		mark byte
		text string
	}
	var lines []line
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			lines = append(lines, line{' ', a[i]})
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			lines = append(lines, line{'-', a[i]})
			i++
		default:
			lines = append(lines, line{'+', b[j]})
			j++
		}
	}
	const context = 2
	var out strings.Builder
	last := -1
	for k, l := range lines {
		near := false
		for d := -context; d <= context; d++ {
			if n := k + d; n >= 0 && n < len(lines) && lines[n].mark != ' ' {
				near = true
				break
			}
		}
		if !near {
			continue
		}
		if last >= 0 && k > last+1 {
			out.WriteString("...\n")
		}
		out.WriteByte(l.mark)
		out.WriteString(" " + l.text + "\n")
		last = k
	}
	return out.String()
}
