package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// operation is one row of the table: sluice's way of doing something and the baseline it is
// compared with, on the same data and database.
type operation struct {
	group     string // load, export, conversion
	name      string
	resources int64 // how many resources one run moves
	sluice    side
	base      side
	// ref, when it has a run, is a second baseline shown for reference only: the raw load
	// into a table with PostgreSQL's default storage settings, where base uses sluice's.
	ref side
	// target is the least acceptable ratio, baseline time / sluice time (0: none stated);
	// targetFrom names the issue that states it.
	target     float64
	targetFrom string
	memTarget  int64 // the most the sluice process may hold during the run, bytes (0: none)
	workers    int   // the parallel workers of a "workers" row
}

// side is one way of doing an operation.
type side struct {
	name    string
	prepare func(context.Context) error          // untimed, before every run
	run     func(context.Context) (int64, error) // timed; returns the bytes moved
	server  bool                                 // sample the sluice process's memory
}

const mb = 1 << 20

// bench is one suite run: a data set, a fresh sluice on it, and what the operations need.
type bench struct {
	data    *dataset
	sluice  *sluiceServer
	files   string   // base URL of the loopback file server over .bench
	root    string   // .bench
	aidbox  *aidbox  // Aidbox-format copies of the data, made from the database
	types   []string // the types of the per-type operations (the largest ones)
	convert string   // SQL converting a row of a table to FHIR JSON
	// rawCompression is how rawTable stores bodies: what sluice's tables use.
	rawCompression string
	staged         map[string]bool // the types whose fhirLinesTable is filled
}

// operations is the table of everything measured, in the order it is printed.
func (b *bench) operations() []*operation {
	var ops []*operation
	// Loads. Each sluice run starts from empty tables, each raw run from an empty bench_raw.
	for _, t := range b.types {
		ops = append(ops, &operation{
			group: "load", name: "/fhir/" + t + "/$load", resources: b.data.Files[t].Lines,
			sluice: b.loadSide(t, "/fhir/"+t+"/$load", b.dataURL(t), b.data.Files[t]),
			base:   b.rawCopySide(rawTable, b.data.tsv(t), b.data.Files[t].Bytes),
			ref:    b.rawCopySide(rawDefaultTable, b.data.tsv(t), b.data.Files[t].Bytes),
			target: 0.7, targetFrom: "#6", memTarget: 100 * mb,
		})
	}
	for _, t := range b.types {
		ops = append(ops, &operation{
			group: "load", name: "/" + t + "/$load (Aidbox format)", resources: b.aidbox.files[t].Lines,
			sluice: b.loadSide(t, "/"+t+"/$load", b.aidboxURL(t), b.aidbox.files[t]),
			base:   b.rawCopySide(rawTable, b.aidbox.tsv(t), b.aidbox.files[t].Bytes),
			ref:    b.rawCopySide(rawDefaultTable, b.aidbox.tsv(t), b.aidbox.files[t].Bytes),
			target: 0.8, targetFrom: "#6", memTarget: 100 * mb,
		})
	}
	all := b.data.Files[allTypes]
	ops = append(ops,
		&operation{
			group: "load", name: "/$load (Aidbox format, all types)", resources: b.aidbox.files[allTypes].Lines,
			sluice:    b.loadSide(allTypes, "/$load", b.aidboxURL(allTypes), b.aidbox.files[allTypes]),
			base:      b.rawCopySide(rawTable, b.aidbox.tsv(allTypes), b.aidbox.files[allTypes].Bytes),
			ref:       b.rawCopySide(rawDefaultTable, b.aidbox.tsv(allTypes), b.aidbox.files[allTypes].Bytes),
			memTarget: 100 * mb,
		},
		&operation{
			group: "load", name: "/fhir/$load (all types)", resources: all.Lines,
			sluice:    b.loadSide(allTypes, "/fhir/$load", b.dataURL(allTypes), all),
			base:      b.rawCopySide(rawTable, b.data.tsv(allTypes), all.Bytes),
			ref:       b.rawCopySide(rawDefaultTable, b.data.tsv(allTypes), all.Bytes),
			memTarget: 100 * mb,
		},
		&operation{
			group: "load", name: "/fhir/$import (all types, 2 workers)", resources: all.Lines,
			sluice: side{name: "sluice", prepare: b.truncate(allTypes), run: b.importAll("/fhir/$import", b.dataURL, all), server: true},
			base:   b.rawCopySide(rawTable, b.data.tsv(allTypes), all.Bytes),
			ref:    b.rawCopySide(rawDefaultTable, b.data.tsv(allTypes), all.Bytes),
			target: 1.2, targetFrom: "#6", memTarget: 100 * mb,
		},
		&operation{
			group: "load", name: "/$import (Aidbox format, all types, 2 workers)", resources: b.aidbox.files[allTypes].Lines,
			sluice: side{name: "sluice", prepare: b.truncate(allTypes), run: b.importAll("/$import", b.aidboxURL, b.aidbox.files[allTypes]), server: true},
			base:   b.rawCopySide(rawTable, b.aidbox.tsv(allTypes), b.aidbox.files[allTypes].Bytes),
			ref:    b.rawCopySide(rawDefaultTable, b.aidbox.tsv(allTypes), b.aidbox.files[allTypes].Bytes),
			target: 1.2, targetFrom: "#6", memTarget: 100 * mb,
		},
	)

	// Exports read the tables the suite filled before any operation ran.
	for _, t := range b.types {
		n := b.data.Files[t].Lines
		table := pgx.Identifier{"public", strings.ToLower(t)}.Sanitize()
		copyResource := b.copyOutSide(fmt.Sprintf("copy (select resource from %s) to stdout", table), n)
		plainDump := b.dumpSide("/"+t+"/$dump", n)
		ops = append(ops,
			&operation{group: "export", name: "/" + t + "/$dump", resources: n,
				sluice: plainDump, base: copyResource,
				target: 0.8, targetFrom: "#5", memTarget: 100 * mb},
			&operation{group: "export", name: "/" + t + "/$dump?fhir=true", resources: n,
				sluice: b.dumpSide("/"+t+"/$dump?fhir=true", n), base: copyResource,
				target: 0.5, targetFrom: "#5", memTarget: 100 * mb},
			&operation{group: "export", name: "/" + t + "/$dump?gzip=true", resources: n,
				sluice: b.dumpSide("/"+t+"/$dump?gzip=true", -1), base: plainDump,
				target: 0.6, targetFrom: "#5", memTarget: 100 * mb},
			&operation{group: "export", name: "/" + t + "/$dump-csv", resources: n,
				sluice: b.dumpSide("/"+t+"/$dump-csv", -1), base: copyResource,
				memTarget: 100 * mb},
		)
	}
	if obs, ok := b.data.Files["Observation"]; ok {
		query := "select id, resource from observation"
		ops = append(ops, &operation{
			group: "export", name: "/$dump-sql `" + query + "`", resources: obs.Lines,
			sluice: side{name: "sluice", prepare: b.checkpoint, server: true, run: func(ctx context.Context) (int64, error) {
				c, err := b.sluice.fetch(ctx, http.MethodPost, "/$dump-sql", map[string]string{"query": query})
				return c.bytes, checkLines(c, obs.Lines, err)
			}},
			base:   b.copyOutSide("copy ("+query+") to stdout", obs.Lines),
			target: 0.9, targetFrom: "#5", memTarget: 100 * mb,
		})
	}

	// System $export of every type, kick-off to manifest, against one raw COPY of every table
	// and against sluice's own $dump?fhir=true of each type one after the other.
	var everyTable []string
	for _, t := range b.data.Types {
		everyTable = append(everyTable, "select resource from "+pgx.Identifier{"public", strings.ToLower(t)}.Sanitize())
	}
	ops = append(ops,
		&operation{group: "export", name: "/fhir/$export (all types)", resources: all.Lines,
			sluice:    b.exportSide(all.Lines),
			base:      b.copyOutSide("copy ("+strings.Join(everyTable, " union all ")+") to stdout", all.Lines),
			memTarget: 100 * mb},
		&operation{group: "export", name: "/fhir/$export (all types) vs sequential $dump?fhir=true", resources: all.Lines,
			sluice: b.exportSide(all.Lines),
			base:   b.sequentialDumpSide(),
			target: 1.5, targetFrom: "#12", memTarget: 100 * mb},
	)

	// Conversion inside PostgreSQL, both sides through psql: the sluice process takes no part.
	for _, t := range b.types {
		n := b.data.Files[t].Lines
		table := pgx.Identifier{"public", strings.ToLower(t)}.Sanitize()
		convert := b.copyOutSide(fmt.Sprintf("copy (select %s from %s) to stdout", strings.ReplaceAll(b.convert, "<Type>", t), table), n)
		convert.name = "psql COPY (select fhir...)"
		if b.convert == "" {
			convert.run = func(context.Context) (int64, error) {
				return 0, &missingError{"neither fhir.row_to_fhir nor fhir.to_fhir exists"}
			}
		}
		ops = append(ops, &operation{
			group: "conversion", name: "to FHIR in SQL: " + t, resources: n,
			sluice: convert,
			base:   b.copyOutSide(fmt.Sprintf("copy (select resource from %s) to stdout", table), n),
			target: 0.5, targetFrom: "#4",
		})
	}

	// The conversion by 0, 1 and 2 parallel workers, each way, in the SQL of $dump?fhir=true
	// and of a FHIR load: a worker row's baseline is the same conversion without workers, so
	// its ratio is the speedup.
	for _, t := range b.types {
		n := b.data.Files[t].Lines
		table := pgx.Identifier{"public", strings.ToLower(t)}.Sanitize()
		toFHIR := func(workers int) side {
			return b.parallelSide(workers, nil, fmt.Sprintf("copy (select %s from %s) to stdout",
				strings.ReplaceAll(b.convert, "<Type>", t), table), n)
		}
		fromFHIR := func(workers int, body string) side {
			return b.parallelSide(workers, b.stageFHIR(t), fmt.Sprintf(
				"create unlogged table bench_converted as select %s as resource from %s",
				body, fhirLinesTable(t)), -1)
		}
		fromBody := fmt.Sprintf("fhir.body_from_fhir(line::jsonb, (select fhir.attributes(%s)))", quoteLiteral(t))
		for _, w := range []int{0, 1, 2} {
			to := &operation{group: "workers", name: fmt.Sprintf("to FHIR: %s, %s", t, workersName(w)), resources: n,
				workers: w, sluice: toFHIR(w), base: toFHIR(0)}
			from := &operation{group: "workers", name: fmt.Sprintf("from FHIR: %s, %s", t, workersName(w)), resources: n,
				workers: w, sluice: fromFHIR(w, fromBody), base: fromFHIR(0, fromBody)}
			if w == 0 {
				to.base = b.parallelSide(0, nil, fmt.Sprintf("copy (select resource from %s) to stdout", table), n)
				to.base.name = "the table read unconverted, 0 workers"
				from.base = fromFHIR(0, "line::jsonb")
				from.base.name = "the lines parsed unconverted, 0 workers"
			}
			ops = append(ops, to, from)
		}
	}
	return ops
}

func workersName(n int) string {
	if n == 1 {
		return "1 worker"
	}
	return fmt.Sprintf("%d workers", n)
}

// runOrder puts exports and conversions first: they read the tables as the suite filled them,
// and the loads that follow empty and refill them.
func runOrder(ops []*operation) []*operation {
	var first, loads []*operation
	for _, op := range ops {
		if op.group == "load" {
			loads = append(loads, op)
		} else {
			first = append(first, op)
		}
	}
	return append(first, loads...)
}

func (b *bench) dataURL(name string) string {
	return b.files + "/" + relPath(b.root, b.data.plain(name))
}

func (b *bench) aidboxURL(name string) string {
	return b.files + "/" + relPath(b.root, b.aidbox.plain(name))
}

// loadSide posts {source} to a $load path; the answer must count every line of the file.
func (b *bench) loadSide(tables, path, source string, file fileInfo) side {
	return side{name: "sluice", prepare: b.truncate(tables), server: true, run: func(ctx context.Context) (int64, error) {
		// /<type>/$load answers {"total": N}, /$load {"Patient": N, ...}.
		var answer map[string]any
		if err := b.sluice.call(ctx, http.MethodPost, path, map[string]any{"source": source}, http.StatusOK, &answer); err != nil {
			return 0, err
		}
		var sum int64
		for _, v := range answer {
			if n, ok := v.(float64); ok {
				sum += int64(n)
			}
		}
		if total, ok := answer["total"].(float64); ok {
			sum = int64(total)
		}
		if sum != file.Lines {
			return 0, fmt.Errorf("%s answered %d resources, want %d", path, sum, file.Lines)
		}
		return file.Bytes, nil
	}}
}

// importAll returns a run that posts every type file (url names each) to path, /$import or
// /fhir/$import, and polls BulkImportStatus until the job ends with all of want's resources.
func (b *bench) importAll(path string, url func(string) string, want fileInfo) func(context.Context) (int64, error) {
	return func(ctx context.Context) (int64, error) {
		id := fmt.Sprintf("bench-%d", time.Now().UnixNano())
		type input struct {
			ResourceType string `json:"resourceType"`
			URL          string `json:"url"`
		}
		var inputs []input
		for _, t := range b.data.Types {
			inputs = append(inputs, input{t, url(t)})
		}
		body := map[string]any{"id": id, "contentEncoding": "plain", "inputs": inputs}
		if err := b.sluice.call(ctx, http.MethodPost, path, body, http.StatusOK, nil); err != nil {
			return 0, err
		}
		for {
			var status struct {
				Status string `json:"status"`
				Inputs []struct {
					ResourceType string `json:"resourceType"`
					Status       string `json:"status"`
					Total        int64  `json:"total"`
					Error        any    `json:"error"`
				} `json:"inputs"`
			}
			if err := b.sluice.call(ctx, http.MethodGet, "/BulkImportStatus/"+id, nil, http.StatusOK, &status); err != nil {
				return 0, err
			}
			switch status.Status {
			case "finished":
				var total int64
				for _, in := range status.Inputs {
					total += in.Total
				}
				if total != want.Lines {
					return 0, fmt.Errorf("import %s finished with %d resources, want %d", id, total, want.Lines)
				}
				return want.Bytes, nil
			case "failed", "cancelled":
				var errs []string
				for _, in := range status.Inputs {
					if in.Status != "finished" {
						errs = append(errs, fmt.Sprintf("%s %s: %v", in.ResourceType, in.Status, in.Error))
					}
				}
				return 0, fmt.Errorf("import %s %s: %s", id, status.Status, strings.Join(errs, "; "))
			}
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// The raw load's tables (id text primary key, resource jsonb): rawTable stores the bodies as
// sluice's resource tables do (sluice.body_compression(): lz4 where the server has it), so the
// ratio compares like with like; rawDefaultTable keeps PostgreSQL's default (pglz), for
// reference.
const (
	rawTable        = "bench_raw"
	rawDefaultTable = "bench_raw_default"
)

// rawCopySide is the load limit of docs/performance.md: psql \copy of "<id>\t<line>" into
// table, one of the raw load's tables.
func (b *bench) rawCopySide(table, tsv string, size int64) side {
	command := fmt.Sprintf(`\copy %s (id, resource) from '%s' with (format csv, delimiter e'\t', quote e'\x01')`, table, tsv)
	name := fmt.Sprintf("psql \\copy (id, resource %s)", b.rawCompression)
	if table == rawDefaultTable {
		name = "psql \\copy (id, resource pglz), PostgreSQL's default"
	}
	return side{
		name: name,
		prepare: func(ctx context.Context) error {
			if _, err := b.sluice.psql(ctx, "truncate "+table, nil); err != nil {
				return err
			}
			return b.checkpoint(ctx)
		},
		run: func(ctx context.Context) (int64, error) {
			_, err := b.sluice.psql(ctx, command, nil)
			return size, err
		},
	}
}

// copyOutSide runs COPY ... TO STDOUT through psql and reads all it writes.
func (b *bench) copyOutSide(copySQL string, rows int64) side {
	name := "psql COPY (select resource)"
	if strings.Contains(copySQL, "select id, resource") {
		name = "psql COPY (select id, resource)"
	}
	return side{name: name, prepare: b.checkpoint, run: func(ctx context.Context) (int64, error) {
		c := &countingWriter{}
		_, err := b.sluice.psql(ctx, copySQL, c)
		return c.bytes, checkLines(*c, rows, err)
	}}
}

// parallelSide runs command through psql in a transaction with the parallel settings sluice
// uses for bulk work (sluice.bulk_parallel) and at most workers parallel workers, after
// prepare (untimed; nil: none), then rolls it back (a created table goes with it). rows >= 0
// checks the output has that many lines.
func (b *bench) parallelSide(workers int, prepare func(context.Context) error, command string, rows int64) side {
	script := fmt.Sprintf(`begin;
select sluice.bulk_parallel(), set_config('default_toast_compression', sluice.body_compression(), true) \g /dev/null
set local max_parallel_workers_per_gather = %d;
%s;
rollback;
`, workers, command)
	return side{name: "psql, " + workersName(workers),
		prepare: func(ctx context.Context) error {
			if prepare != nil {
				if err := prepare(ctx); err != nil {
					return err
				}
			}
			return b.checkpoint(ctx)
		},
		run: func(ctx context.Context) (int64, error) {
			c := &countingWriter{}
			_, err := b.sluice.psqlScript(ctx, script, c)
			return c.bytes, checkLines(*c, rows, err)
		}}
}

// fhirLinesTable holds a type's FHIR lines as text, as a FHIR load stages them.
func fhirLinesTable(t string) string {
	return pgx.Identifier{"bench_fhir_" + strings.ToLower(t)}.Sanitize()
}

// stageFHIR returns a prepare step that fills fhirLinesTable(t) from the type's file once.
func (b *bench) stageFHIR(t string) func(context.Context) error {
	return func(ctx context.Context) error {
		if b.staged[t] {
			return nil
		}
		table := fhirLinesTable(t)
		if _, err := b.sluice.psql(ctx, fmt.Sprintf("drop table if exists %[1]s; create unlogged table %[1]s (line text)", table), nil); err != nil {
			return err
		}
		if _, err := b.sluice.psql(ctx, fmt.Sprintf(`\copy %s (line) from '%s' with (format csv, quote e'\x01', delimiter e'\x02')`,
			table, b.data.plain(t)), nil); err != nil {
			return err
		}
		if _, err := b.sluice.psql(ctx, "vacuum analyze "+table, nil); err != nil {
			return err
		}
		b.staged[t] = true
		return nil
	}
}

// quoteLiteral makes s an SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// dumpSide GETs a dump; lines >= 0 checks the response has that many lines.
func (b *bench) dumpSide(path string, lines int64) side {
	return side{name: "sluice " + path[strings.LastIndex(path, "/")+1:], prepare: b.checkpoint, server: true,
		run: func(ctx context.Context) (int64, error) {
			c, err := b.sluice.fetch(ctx, http.MethodGet, path, nil)
			return c.bytes, checkLines(c, lines, err)
		}}
}

// exportSide kicks off a system /fhir/$export, polls its status until the manifest, whose
// counts must add up to want, and cancels the job (removing its files) once measured. The
// bytes are those of the files the manifest lists, which it does not read.
func (b *bench) exportSide(want int64) side {
	return side{name: "sluice /fhir/$export", prepare: b.checkpoint, server: true, run: func(ctx context.Context) (int64, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.sluice.url+"/fhir/$export", nil)
		if err != nil {
			return 0, err
		}
		req.SetBasicAuth("admin", b.sluice.secret)
		req.Header.Set("Prefer", "respond-async")
		resp, err := b.sluice.client.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		if err := statusError(http.MethodPost, "/fhir/$export", resp, http.StatusAccepted); err != nil {
			return 0, err
		}
		status := strings.TrimPrefix(resp.Header.Get("Content-Location"), b.sluice.url)
		defer b.sluice.call(context.WithoutCancel(ctx), http.MethodDelete, status, nil, http.StatusAccepted, nil)
		for {
			resp, err := b.sluice.do(ctx, http.MethodGet, status, nil)
			if err != nil {
				return 0, err
			}
			if resp.StatusCode == http.StatusAccepted {
				resp.Body.Close()
				select {
				case <-ctx.Done():
					return 0, ctx.Err()
				case <-time.After(50 * time.Millisecond):
				}
				continue
			}
			var manifest struct {
				Output []struct {
					Count int64 `json:"count"`
				} `json:"output"`
			}
			err = statusError(http.MethodGet, status, resp, http.StatusOK)
			if err == nil {
				err = json.NewDecoder(resp.Body).Decode(&manifest)
			}
			resp.Body.Close()
			if err != nil {
				return 0, err
			}
			var lines int64
			for _, o := range manifest.Output {
				lines += o.Count
			}
			if lines != want {
				return 0, fmt.Errorf("the manifest counts %d resources, want %d", lines, want)
			}
			return b.data.Files[allTypes].Bytes, nil
		}
	}}
}

// sequentialDumpSide GETs /<type>/$dump?fhir=true of every type, one after the other.
func (b *bench) sequentialDumpSide() side {
	return side{name: "sluice $dump?fhir=true, each type in turn", prepare: b.checkpoint, server: true,
		run: func(ctx context.Context) (int64, error) {
			var bytes int64
			for _, t := range b.data.Types {
				c, err := b.sluice.fetch(ctx, http.MethodGet, "/"+t+"/$dump?fhir=true", nil)
				if err = checkLines(c, b.data.Files[t].Lines, err); err != nil {
					return 0, err
				}
				bytes += c.bytes
			}
			return bytes, nil
		}}
}

func checkLines(c countingWriter, want int64, err error) error {
	if err == nil && want >= 0 && c.lines != want {
		return fmt.Errorf("got %d lines, want %d", c.lines, want)
	}
	return err
}

// truncate empties the tables of a type (or of every type) and checkpoints, so that a load
// starts from empty tables and does not pay for the previous run's dirty pages.
func (b *bench) truncate(name string) func(context.Context) error {
	types := []string{name}
	if name == allTypes {
		types = b.data.Types
	}
	var tables []string
	for _, t := range types {
		tables = append(tables,
			pgx.Identifier{"public", strings.ToLower(t)}.Sanitize(),
			pgx.Identifier{"public", strings.ToLower(t) + "_history"}.Sanitize())
	}
	return func(ctx context.Context) error {
		if _, err := b.sluice.psql(ctx, "truncate "+strings.Join(tables, ", "), nil); err != nil {
			return err
		}
		return b.checkpoint(ctx)
	}
}

func (b *bench) checkpoint(ctx context.Context) error {
	_, err := b.sluice.psql(ctx, "checkpoint", nil)
	return err
}
