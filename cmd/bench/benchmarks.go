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
  into ` + "`(id text primary key, resource jsonb compression lz4)`" + `, the id column extracted beforehand,
  outside the timing (docs/performance.md, "the load limit"), the same lines in the same format.
  The baseline stores bodies as sluice's tables do (` + "`sluice.body_compression()`" + `: lz4 where the
  server has it), so the ratio compares like with like; the last column compares with the same
  ` + "`\\copy`" + ` into a table with PostgreSQL's default compression (pglz), measured in the same
  rotation, for reference: pglz is slower, and runs before the change compared with it. ` + "`$import`" + ` is timed from
  the POST until ` + "`BulkImportStatus`" + ` says finished (polled every 100 ms), one input per type, 2
  workers, against the single-stream ` + "`\\copy`" + ` of all lines.
- **Exports**: the client reads the whole response as curl does (no transparent gunzip), counting
  bytes and checking the line count. Baseline: ` + "`psql -c \"COPY (select resource from <table>) TO STDOUT\"`" + `,
  its output read the same way. ` + "`gzip=true`" + ` is compared with plain ` + "`$dump`" + ` (issue #5's target); its
  MB/s counts compressed bytes.
- **Conversion**: ` + "`fhir.*`" + ` over a table vs the table read unconverted, both ` + "`COPY ... TO STDOUT`" + ` through psql.
- **Conversion by parallel workers**: both conversions (to FHIR as ` + "`$dump?fhir=true`" + ` runs it, from
  FHIR as a FHIR load runs it over staged lines) with 0, 1 and 2 parallel workers; the speedup
  and the parallel efficiency, and docs/performance.md's model of how they scale with cores.
- **Per core**: the rates of the main operations divided by the machine's cores, for the
  published figures at the end of this file.

Columns: **ratio** = baseline time / sluice time, the median of the back-to-back pairs (1.0: as
fast as the baseline; higher is faster). res/s and MB/s come from the median sluice time (MB of
the source for loads, of the bytes received for exports). **sluice peak RSS** is the largest
VmRSS of the sluice process (the Go server only, not the PostgreSQL backends that run the COPY
and the conversion), sampled every 50 ms from ` + "`/proc/<pid>/status`" + ` during the sluice runs. Targets
come from issues #4 (conversion), #5 (export) and #6 (load); "missing" is an operation sluice
does not serve yet.
`

// publishedFigures closes BENCHMARKS.md: what others report, apart from what was measured
// here. Facts from the cited sources; per-core figures are divided here.
const publishedFigures = `## Published figures (not measured here)

What other systems report for bulk work, from their own publications, on their own hardware
and data: nothing here was rerun, and workloads differ (ingest or export, what is validated
and indexed, what the client measured), so read them as orders of magnitude next to the
"Per core" table of the last run above, not as a contest. Per-core rates divide the total by
every core the source names for the system, application and database together; where the
source does not say, the cell says so.

| system, operation | reported rate | hardware, as reported | per core | source |
|---|--:|---|--:|---|
| Aidbox, load of 1 billion Synthea resources (its bulk load, PostgreSQL) | about 57k res/s (10^9 resources in about 5 h) | 16 application + 16 database vCPU (the figures as our issue 16 quotes the article; the copy of the article we could read stops before its results, so they are not re-checked here) | about 1.8k res/s per vCPU | Health Samurai, "How to load 1 billion FHIR resources into Aidbox in 5 hours" (2022, revised 2024), health-samurai.io/articles/how-to-load-1-billion-fhir-resources-into-aidbox-in-5-hours |
| Smile CDR, ingest of about 1 million patients' records (Oracle Autonomous Database) | 22,251 res/s | database: 16 OCPU (Oracle counts an x86 OCPU as 2 vCPU); application nodes on Kubernetes besides | at most 1.4k res/s per database OCPU, 0.7k per vCPU | D. Spellman, "FHIR service benchmark on Oracle Cloud Infrastructure" (2022), danspellman.com/fhir-service-benchmark-oracle-cloud-infrastructure |
| IBM FHIR Server, bulk $export of Patient and CarePlan | 720.6 res/s (PostgreSQL), 630.5 res/s (Db2) | not stated | — | LinuxForHealth/FHIR issue #1128, "bulkexport performance test" (2020) |
| Oracle Cerner, bulk $export at a hospital site, measured by a client | over 8,000 res/min (about 133 res/s) | not stated (production EHR) | — | J. R. Jones et al., "Real world performance of the 21st Century Cures Act population-level API", JAMIA 31(5):1144-1150 (2024), doi:10.1093/jamia/ocae040 |
| Epic, bulk $export at three hospital sites, measured by a client | 1,555-2,500 res/min (about 26-42 res/s) | not stated (production EHR) | — | the same study |
| Regenstrief (an HIE's own Bulk FHIR service), measured by a client | 12,000 res/min (200 res/s) | not stated | — | the same study |
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
	b.WriteString("\n" + publishedFigures)
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
