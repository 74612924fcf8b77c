package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"time"
)

// report is one suite run, ready to print.
type report struct {
	Scale      int
	Runs       int
	Budget     time.Duration
	Started    time.Time
	Elapsed    time.Duration
	Data       *dataset
	Machine    machine
	Filled     string // how the tables were filled before the operations
	Convert    string // the conversion expression measured
	Results    []*result
	PeakHWM    int64 // VmHWM of sluice at the end: its peak over the whole suite
	Restarts   int   // times sluice was stopped from outside and started again
	LoadBefore string
	LoadAfter  string
}

type machine struct {
	Cores    int
	Memory   string
	CPU      string
	Postgres string
	Go       string
	Commit   string
}

func describeMachine(ctx context.Context, s *sluiceServer) machine {
	m := machine{Cores: runtime.NumCPU(), Memory: "?", CPU: "?", Postgres: "?", Go: runtime.Version(), Commit: "?"}
	if v, err := s.psqlValue(ctx, "show server_version"); err == nil {
		m.Postgres = "PostgreSQL " + v
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var kb int64
			if _, err := fmt.Sscanf(sc.Text(), "MemTotal: %d kB", &kb); err == nil {
				m.Memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
		f.Close()
	}
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				m.CPU = strings.TrimSpace(value)
				break
			}
		}
	}
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
		if out, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(out) > 0 {
			m.Commit += " with uncommitted changes in the working tree"
		}
	}
	return m
}

var groups = []struct{ name, title string }{
	{"load", "Load"},
	{"export", "Export"},
	{"conversion", "Conversion (inside PostgreSQL, both sides through psql)"},
	{"workers", "Conversion by parallel workers (inside PostgreSQL, through psql)"},
}

// markdown renders a suite run: the conditions, then one table per group.
func (r *report) markdown() string {
	var b strings.Builder
	all := r.Data.Files[allTypes]
	fmt.Fprintf(&b, "## Last run: SCALE=%d, %s\n\n", r.Scale, r.Started.UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "- Machine: %d cores (%s), %s memory, %s, %s, %s.\n", r.Machine.Cores, r.Machine.CPU, r.Machine.Memory,
		r.Machine.Postgres, r.Machine.Go, runtime.GOOS)
	fmt.Fprintf(&b, "- sluice: commit %s.\n", r.Machine.Commit)
	var sizes []string
	for _, t := range typesOf(r) {
		f := r.Data.Files[t]
		sizes = append(sizes, fmt.Sprintf("%s %s resources, %.1f MB", t, thousands(f.Lines), float64(f.Bytes)/1e6))
	}
	fmt.Fprintf(&b, "- Data: the Synthea 100-patient set scaled %d times: %s resources, %.1f MB of NDJSON (%d types); per-type rows use %s.\n",
		r.Scale, thousands(all.Lines), float64(all.Bytes)/1e6, len(r.Data.Types), strings.Join(sizes, "; "))
	fmt.Fprintf(&b, "- Runs: up to %d of each side, alternating which goes first, fewer when an operation would overrun its time budget (%s); times and ratios are medians. Load average before / after: %s / %s. Whole suite: %s.\n",
		r.Runs, r.Budget, r.LoadBefore, r.LoadAfter, r.Elapsed.Round(time.Second))
	fmt.Fprintf(&b, "- Tables filled for the exports by %s.\n", r.Filled)
	if r.Convert != "" {
		fmt.Fprintf(&b, "- Conversion measured as `copy (select %s from <table>) to stdout`.\n", r.Convert)
	}
	if r.Restarts > 0 {
		fmt.Fprintf(&b, "- sluice was stopped from outside %d time(s) during the suite (a shared machine) and started again on the same data; the operation it was in was measured again.\n", r.Restarts)
	}
	fmt.Fprintf(&b, "- sluice process VmHWM at the end of the suite (its peak over every operation and the filling): %.0f MB.\n", float64(r.PeakHWM)/mb)
	for _, g := range groups {
		rows := r.group(g.name)
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n", g.title)
		if g.name == "workers" {
			b.WriteString(workersNote)
			b.WriteString("| conversion | runs | s | res/s | baseline | baseline s | ratio | parallel efficiency |\n")
			b.WriteString("|---|--:|--:|--:|---|--:|--:|--:|\n")
			for _, res := range rows {
				b.WriteString(res.workersRow(r.Machine.Cores))
			}
			b.WriteString(workersModel(rows))
			continue
		}
		withRef := false
		for _, res := range rows {
			withRef = withRef || res.op.ref.run != nil
		}
		head := "| operation | runs | sluice s | res/s | MB/s | baseline | baseline s | baseline res/s | ratio | target | met | sluice peak RSS |"
		rule := "|---|--:|--:|--:|--:|---|--:|--:|--:|---|---|--:|"
		if withRef {
			head += " ratio vs PostgreSQL's defaults |"
			rule += "--:|"
		}
		b.WriteString(head + "\n" + rule + "\n")
		for _, res := range rows {
			b.WriteString(res.row(withRef))
		}
	}
	b.WriteString(r.perCore())
	var missing, failed []string
	for _, res := range r.Results {
		if res.missing != "" {
			missing = append(missing, fmt.Sprintf("- %s: %s", res.op.name, res.missing))
		}
		if res.failed != "" {
			failed = append(failed, fmt.Sprintf("- %s: %s", res.op.name, res.failed))
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(&b, "\nMissing (sluice does not serve these yet):\n\n%s\n", strings.Join(missing, "\n"))
	}
	if len(failed) > 0 {
		fmt.Fprintf(&b, "\nFailed:\n\n%s\n", strings.Join(failed, "\n"))
	}
	return b.String()
}

// typesOf lists the types the per-type rows use.
func typesOf(r *report) []string {
	seen := map[string]bool{}
	var types []string
	for _, res := range r.Results {
		for _, t := range r.Data.Types {
			if !seen[t] && (strings.Contains(res.op.name, "/"+t+"/") || strings.HasSuffix(res.op.name, ": "+t)) {
				seen[t] = true
				types = append(types, t)
			}
		}
	}
	return types
}

func (r *report) group(name string) []*result {
	var out []*result
	for _, res := range r.Results {
		if res.op.group == name {
			out = append(out, res)
		}
	}
	return out
}

// workersNote explains the workers table.
const workersNote = "To FHIR: the `$dump?fhir=true` conversion over a table, `copy (select ...) to stdout`. From FHIR: a FHIR load's conversion of staged text lines, `create unlogged table ... as select fhir.body_from_fhir(line::jsonb, ...)`. Both in a transaction with sluice.bulk_parallel()'s settings and `max_parallel_workers_per_gather` = the workers (the leader works too). A 0-worker row's baseline is the same data unconverted (its ratio: what the conversion costs); a worker row's baseline is its 0-worker row, so its ratio is the speedup, and the parallel efficiency is that speedup over the processes the machine can run at once, min(workers + 1, cores).\n\n"

// workersRow is one row of the workers table.
func (r *result) workersRow(cores int) string {
	cells := []string{cell(r.op.name), fmt.Sprint(len(r.sluice))}
	if !r.ok() {
		why := r.failed
		if why == "" {
			why = r.missing
		}
		return "| " + strings.Join(append(cells, "**failed**", "", cell(r.op.base.name), "", "", cell(why)), " | ") + " |\n"
	}
	st, bt := r.sluiceTime().Seconds(), r.baseTime().Seconds()
	efficiency := "—"
	if r.op.workers > 0 {
		efficiency = fmt.Sprintf("%.0f%%", 100*r.ratio()/float64(min(r.op.workers+1, cores)))
	}
	cells = append(cells, fmt.Sprintf("%.2f", st), thousands(int64(float64(r.op.resources)/st)),
		cell(r.op.base.name), fmt.Sprintf("%.2f", bt), fmt.Sprintf("**%.2fx**", r.ratio()), efficiency)
	return "| " + strings.Join(cells, " | ") + " |\n"
}

// workersModel fits each conversion's 0- and 1-worker times to T(n) = S + P / (n + 1), n
// workers besides the leader (docs/performance.md, "Conversion and cores"): S the part no
// worker shares (the leader's COPY output, the gather, the start), P the part they split. On
// two cores the 1-worker run is the last one without oversubscription, so it is the one
// fitted; the 2-worker row shows what oversubscribing gives.
func workersModel(rows []*result) string {
	times := map[string]map[int]float64{}
	var order []string
	for _, res := range rows {
		if !res.ok() {
			continue
		}
		name, _, _ := strings.Cut(res.op.name, ", ")
		if times[name] == nil {
			times[name] = map[int]float64{}
			order = append(order, name)
		}
		times[name][res.op.workers] = res.sluiceTime().Seconds()
	}
	var lines []string
	for _, name := range order {
		t0, ok0 := times[name][0]
		t1, ok1 := times[name][1]
		if !ok0 || !ok1 {
			continue
		}
		parallel := 2 * (t0 - t1)
		serial := max(t0-parallel, 0)
		predict := func(processes float64) string {
			return fmt.Sprintf("%.1fx", t0/(serial+max(parallel, 0)/processes))
		}
		limit := "unbounded (no serial part measured)"
		if serial > 0 {
			limit = fmt.Sprintf("%.1fx", t0/serial)
		}
		lines = append(lines, fmt.Sprintf("| %s | %.0f%% | %s | %s | %s |", cell(name), 100*serial/t0, predict(4), predict(16), limit))
	}
	if len(lines) == 0 {
		return ""
	}
	return "\nFitted from the 0- and 1-worker times: the share no worker splits, and the speedup the fit predicts with 4 and 16 processes (workers + leader, each on its own core) and its limit.\n\n" +
		"| conversion | serial share | 4 processes | 16 processes | limit |\n|---|--:|--:|--:|--:|\n" + strings.Join(lines, "\n") + "\n"
}

// perCoreOps are the operations whose rates the published figures are compared with.
var perCoreOps = regexp.MustCompile(`^/\$import|^/fhir/\$import|^/fhir/\$load \(all|^/\$load \(Aidbox|\$export|\$dump\?fhir=true$`)

// perCore is the table of resources per second per core of the operations the published
// figures (BENCHMARKS.md, below the runs) are compared with: sluice and its PostgreSQL share
// the machine's cores, so the rate is divided by all of them.
func (r *report) perCore() string {
	var rows []string
	for _, res := range r.Results {
		if !res.ok() || !perCoreOps.MatchString(res.op.name) {
			continue
		}
		rate := float64(res.op.resources) / res.sluiceTime().Seconds()
		rows = append(rows, fmt.Sprintf("| %s | %s | %s |", cell(res.op.name), thousands(int64(rate)), thousands(int64(rate/float64(r.Machine.Cores)))))
	}
	if len(rows) == 0 {
		return ""
	}
	return fmt.Sprintf("\n### Per core\n\nThe rates to set beside published figures: sluice and its PostgreSQL ran on the same %d cores.\n\n| operation | res/s | res/s per core |\n|---|--:|--:|\n%s\n",
		r.Machine.Cores, strings.Join(rows, "\n"))
}

// row is one table row; see the column headers in markdown. withRef adds the ratio against
// the reference baseline.
func (r *result) row(withRef bool) string {
	op := r.op
	target := "—"
	if op.target > 0 {
		target = fmt.Sprintf("≥ %.1fx", op.target)
	}
	if op.memTarget > 0 {
		if target == "—" {
			target = ""
		} else {
			target += ", "
		}
		target += fmt.Sprintf("< %d MB", op.memTarget/mb)
	}
	if op.targetFrom != "" {
		target += " (" + op.targetFrom + ")"
	}
	cells := []string{cell(op.name), fmt.Sprint(len(r.sluice))}
	switch {
	case r.missing != "":
		cells = append(cells, "**missing**", "", "", cell(op.base.name), "", "", "", target, "—", "")
		if withRef {
			cells = append(cells, "")
		}
	case r.failed != "":
		cells = append(cells, "**failed**", "", "", cell(op.base.name), "", "", "", target, "—", "")
		if withRef {
			cells = append(cells, "")
		}
	default:
		st, bt := r.sluiceTime().Seconds(), r.baseTime().Seconds()
		rss := "— (psql only)"
		if op.sluice.server {
			rss = fmt.Sprintf("%.0f MB", float64(r.peakRSS())/mb)
		}
		cells = append(cells,
			fmt.Sprintf("%.2f", st),
			thousands(int64(float64(op.resources)/st)),
			fmt.Sprintf("%.1f", float64(medianBytes(r.sluice))/1e6/st),
			cell(op.base.name),
			fmt.Sprintf("%.2f", bt),
			thousands(int64(float64(op.resources)/bt)),
			fmt.Sprintf("**%.2fx**", r.ratio()),
			target, r.met(), rss)
		if withRef {
			refCell := "—"
			if len(r.ref) > 0 {
				refCell = fmt.Sprintf("%.2fx (%.2f s)", r.refRatio(), medianDur(r.ref).Seconds())
			}
			cells = append(cells, refCell)
		}
	}
	return "| " + strings.Join(cells, " | ") + " |\n"
}

// cell makes text safe inside a markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", "\\|")
}

// thousands formats n with thin separators: 384730 -> 384,730.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// scalingMarkdown compares two suite runs, at N and 4N: the time ratio of each side.
func scalingMarkdown(small, large *report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Scaling: SCALE=%d vs SCALE=%d, %s\n\n", small.Scale, large.Scale, small.Started.UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "The same operations on %s and %s resources (%.0f and %.0f MB of NDJSON), up to %d runs each, medians. ",
		thousands(small.Data.Files[allTypes].Lines), thousands(large.Data.Files[allTypes].Lines),
		float64(small.Data.Files[allTypes].Bytes)/1e6, float64(large.Data.Files[allTypes].Bytes)/1e6, small.Runs)
	fmt.Fprintf(&b, "Linear cost gives a time ratio of about 4.0 (a little over: scaled ids grow by a few bytes). Machine: %d cores, %s, commit %s.\n\n",
		small.Machine.Cores, small.Machine.Postgres, small.Machine.Commit)
	b.WriteString("| operation | sluice s | sluice s (4N) | sluice 4N/N | baseline | baseline s | baseline s (4N) | baseline 4N/N | sluice peak RSS N / 4N |\n")
	b.WriteString("|---|--:|--:|--:|---|--:|--:|--:|--:|\n")
	large4 := map[string]*result{}
	for _, res := range large.Results {
		large4[res.op.name] = res
	}
	for _, s := range small.Results {
		l := large4[s.op.name]
		cells := []string{cell(s.op.name)}
		if l == nil || !s.ok() || !l.ok() {
			why := "missing"
			if s.failed != "" || (l != nil && l.failed != "") {
				why = "failed"
			}
			cells = append(cells, "**"+why+"**", "", "", cell(s.op.base.name), "", "", "", "")
		} else {
			rss := "—"
			if s.op.sluice.server {
				rss = fmt.Sprintf("%.0f / %.0f MB", float64(s.peakRSS())/mb, float64(l.peakRSS())/mb)
			}
			cells = append(cells,
				fmt.Sprintf("%.2f", s.sluiceTime().Seconds()), fmt.Sprintf("%.2f", l.sluiceTime().Seconds()),
				fmt.Sprintf("**%.2f**", l.sluiceTime().Seconds()/s.sluiceTime().Seconds()),
				cell(s.op.base.name),
				fmt.Sprintf("%.2f", s.baseTime().Seconds()), fmt.Sprintf("%.2f", l.baseTime().Seconds()),
				fmt.Sprintf("%.2f", l.baseTime().Seconds()/s.baseTime().Seconds()),
				rss)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return b.String()
}
