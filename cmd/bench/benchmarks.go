package main

import (
	"fmt"
	"os"
	"strings"
)

// The head of BENCHMARKS.md. The results below it are sections the bench replaces: `make
// bench` the run, `make bench-scaling` the scaling check, each keeping the other.
const benchmarksIntro = `# Benchmarks

` + "`make bench`" + ` measures sluice's bulk operations against raw PostgreSQL, side by side, in one
run, on the same data and the same database. These machines are shared and noisy, so absolute
times drift; the **ratios**, measured back to back, are what to compare. The code is
` + "`cmd/bench`" + `; speed is never asserted in tests.

## How to reproduce

` + "```" + `sh
make bench                    # SCALE=10: the Synthea 100-patient set x10, about 500 MB of NDJSON
make bench SCALE=1            # quick: about 50 MB
make bench ONLY=Observation   # only operations whose name matches (a regexp); prints, does not write this file
make bench-scaling            # the same operations at SCALING_SCALE (2) and 4 times that
` + "```" + `

It builds ` + "`sluice`" + ` and ` + "`scaledata`" + `, generates ` + "`.bench/data-<N>`" + ` once (plus plain NDJSON and an
id-prefixed TSV of every file), starts a real ` + "`sluice serve`" + ` on a fresh embedded cluster in
` + "`.bench/sluice-<N>`" + ` (log next to it), serves the data files from a loopback HTTP server of its own,
fills the tables with ` + "`/fhir/$load`" + ` (untimed), writes an Aidbox-format copy of the data from the
tables (for the Aidbox ` + "`$load`" + ` forms), and then runs every operation, sluice and its baseline
alternately, ` + "`RUNS`" + ` (3) times each; an operation whose next run would take it past 2 minutes
(` + "`-budget`" + `) stops there (the runs column says how many it got).

- **Loads**: ` + "`POST <path> {\"source\": URL}`" + ` of a plain (not gzipped) file served on loopback, into
  truncated tables, after a ` + "`checkpoint`" + `. Baseline: psql
  ` + "`\\copy bench_raw (id, resource) from '<file>' with (format csv, delimiter e'\\t', quote e'\\x01')`" + `
  into ` + "`(id text primary key, resource jsonb)`" + `, the id column extracted beforehand, outside the
  timing (docs/performance.md, "the load limit"), the same lines in the same format. ` + "`$import`" + ` is timed from
  the POST until ` + "`BulkImportStatus`" + ` says finished (polled every 100 ms), one input per type, 2
  workers, against the single-stream ` + "`\\copy`" + ` of all lines.
- **Exports**: the client reads the whole response as curl does (no transparent gunzip), counting
  bytes and checking the line count. Baseline: ` + "`psql -c \"COPY (select resource from <table>) TO STDOUT\"`" + `,
  its output read the same way. ` + "`gzip=true`" + ` is compared with plain ` + "`$dump`" + ` (issue #5's target); its
  MB/s counts compressed bytes.
- **Conversion**: ` + "`fhir.*`" + ` over a table vs the table read unconverted, both ` + "`COPY ... TO STDOUT`" + ` through psql.

Columns: **ratio** = baseline time / sluice time, the median of the back-to-back pairs (1.0: as
fast as the baseline; higher is faster). res/s and MB/s come from the median sluice time (MB of
the source for loads, of the bytes received for exports). **sluice peak RSS** is the largest
VmRSS of the sluice process (the Go server only, not the PostgreSQL backends that run the COPY
and the conversion), sampled every 50 ms from ` + "`/proc/<pid>/status`" + ` during the sluice runs. Targets
come from issues #4 (conversion), #5 (export) and #6 (load); "missing" is an operation sluice
does not serve yet.
`

var benchmarkSections = []struct{ name, placeholder string }{
	{"run", "## Last run\n\nNot run yet: `make bench`."},
	{"scaling", "## Scaling\n\nNot run yet: `make bench-scaling`."},
}

// updateBenchmarks rewrites the file at path with one section replaced by content and the
// other sections kept as they were.
func updateBenchmarks(path, section, content string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	var b strings.Builder
	b.WriteString(benchmarksIntro)
	for _, s := range benchmarkSections {
		body := extractSection(string(old), s.name)
		if s.name == section {
			body = content
		}
		if body == "" {
			body = s.placeholder
		}
		fmt.Fprintf(&b, "\n<!-- bench:%s -->\n%s\n<!-- /bench:%s -->\n", s.name, strings.TrimSpace(body), s.name)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// extractSection returns what lies between a section's markers, or "".
func extractSection(doc, name string) string {
	start, end := "<!-- bench:"+name+" -->", "<!-- /bench:"+name+" -->"
	i := strings.Index(doc, start)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return ""
	}
	return strings.TrimSpace(doc[i+len(start) : j])
}
