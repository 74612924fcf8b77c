package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// runSuite measures every operation at one scale: it prepares the data, starts a loopback
// file server over .bench and a fresh sluice, fills the tables, and runs the operations.
func runSuite(ctx context.Context, cfg config, scale int) (*report, error) {
	rep := &report{Scale: scale, Runs: cfg.runs, Budget: cfg.budget, Started: time.Now(), LoadBefore: loadAverage()}
	data, err := prepareData(ctx, cfg.root, cfg.scaledata, cfg.input, scale)
	if err != nil {
		return nil, err
	}
	rep.Data = data
	files, closeFiles, err := serveFiles(cfg.root)
	if err != nil {
		return nil, err
	}
	defer closeFiles()
	logf("starting sluice on a fresh data folder")
	s, err := startSluice(ctx, cfg.sluice, filepath.Join(cfg.root, fmt.Sprintf("sluice-%d", scale)), 2)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	b := &bench{data: data, sluice: s, files: files, root: cfg.root}
	for _, t := range cfg.types {
		if _, ok := data.Files[t]; ok {
			b.types = append(b.types, t)
		}
	}
	rep.Machine = describeMachine(ctx, s)
	if err := b.setup(ctx, rep); err != nil {
		return nil, err
	}
	rep.Convert = b.convert
	only, err := regexp.Compile(cfg.only)
	if err != nil {
		return nil, err
	}
	var ops []*operation
	for _, op := range b.operations() {
		if only.MatchString(op.name) {
			ops = append(ops, op)
		}
	}
	results := map[*operation]*result{}
	for _, op := range runOrder(ops) {
		logf("%s: %s", op.group, op.name)
		// On a shared machine someone else's cleanup may stop our sluice (it happened): start it
		// again on the same data and measure the operation again, once.
		for attempt := 0; ; attempt++ {
			if b.sluice.hasExited() {
				logf("sluice was stopped from outside (see %s): starting it again on the same data", s.logPath)
				rep.Restarts++
				if err := b.sluice.start(ctx); err != nil {
					return nil, err
				}
			}
			results[op] = b.measure(ctx, op, cfg.runs, cfg.budget)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if results[op].failed == "" || !b.sluice.exitsWithin(10*time.Second) || attempt > 0 {
				break
			}
		}
	}
	for _, op := range ops {
		rep.Results = append(rep.Results, results[op])
	}
	rep.PeakHWM, _ = procStatus(s.pid(), "VmHWM")
	rep.LoadAfter = loadAverage()
	rep.Elapsed = time.Since(rep.Started)
	return rep, nil
}

// setup creates the raw baseline's table, fills sluice's tables with the whole data set, and
// makes the Aidbox-format copies of the data the Aidbox $load forms read.
func (b *bench) setup(ctx context.Context, rep *report) error {
	// The raw load's tables: one stores bodies as sluice's tables do, one with PostgreSQL's
	// default compression.
	compression, err := b.sluice.psqlValue(ctx, "select sluice.body_compression()")
	if err != nil {
		return err
	}
	b.rawCompression = compression
	b.staged = map[string]bool{}
	if _, err := b.sluice.psql(ctx, fmt.Sprintf(`create table %s (id text primary key, resource jsonb compression %s);
		create table %s (id text primary key, resource jsonb)`, rawTable, compression, rawDefaultTable), nil); err != nil {
		return err
	}
	logf("filling the tables: /fhir/$load of all types")
	start := time.Now()
	err = b.sluice.call(ctx, http.MethodPost, "/fhir/$load", map[string]any{"source": b.dataURL(allTypes)}, http.StatusOK, nil)
	if err == nil {
		rep.Filled = fmt.Sprintf("`/fhir/$load` of all.ndjson (%.1f s, untimed)", time.Since(start).Seconds())
	} else {
		logf("/fhir/$load: %v; filling the tables in SQL instead", err)
		how, err2 := b.fillInSQL(ctx)
		if err2 != nil {
			return fmt.Errorf("filling the tables: %w", err2)
		}
		rep.Filled = fmt.Sprintf("SQL (%s), because /fhir/$load failed: %s", how, err)
	}
	if _, err := b.sluice.psql(ctx, "vacuum analyze", nil); err != nil {
		return err
	}
	logf("writing the Aidbox-format copy of the data from the tables")
	if err := b.makeAidbox(ctx); err != nil {
		return err
	}
	b.convert, err = b.conversionExpr(ctx)
	return err
}

// fillInSQL fills the resource tables without sluice's load path: each type's lines go through
// bench_raw into the table, converted with fhir.from_fhir when it exists and works.
func (b *bench) fillInSQL(ctx context.Context) (string, error) {
	hasFromFHIR, err := b.sluice.psqlValue(ctx, "select to_regprocedure('fhir.from_fhir(jsonb)') is not null")
	if err != nil {
		return "", err
	}
	bodies := []string{"resource - 'id' - 'resourceType' - 'meta'"}
	if hasFromFHIR == "t" {
		bodies = append([]string{"fhir.from_fhir(resource) - 'id' - 'resourceType' - 'meta'"}, bodies...)
	}
	used := map[string]bool{}
	for _, t := range b.data.Types {
		if _, err := b.sluice.psql(ctx, "truncate bench_raw", nil); err != nil {
			return "", err
		}
		copyIn := fmt.Sprintf(`\copy bench_raw (id, resource) from '%s' with (format csv, delimiter e'\t', quote e'\x01')`, b.data.tsv(t))
		if _, err := b.sluice.psql(ctx, copyIn, nil); err != nil {
			return "", err
		}
		for i, body := range bodies {
			insert := fmt.Sprintf("insert into %s (id, txid, status, resource) select id, nextval('public.transaction_id_seq'), 'created', %s from bench_raw",
				pgx.Identifier{"public", strings.ToLower(t)}.Sanitize(), body)
			_, err := b.sluice.psql(ctx, insert, nil)
			if err == nil {
				used[body] = true
				break
			}
			if i == len(bodies)-1 {
				return "", err
			}
		}
	}
	var how []string
	for _, body := range bodies {
		if used[body] {
			how = append(how, "`"+body+"`")
		}
	}
	_, err = b.sluice.psql(ctx, "truncate bench_raw", nil)
	return strings.Join(how, " then "), err
}

// aidbox is the data set in Aidbox format, written from the filled tables once per suite.
type aidbox struct {
	dir   string
	files map[string]fileInfo
}

func (a *aidbox) plain(name string) string { return filepath.Join(a.dir, name+".ndjson") }
func (a *aidbox) tsv(name string) string   { return filepath.Join(a.dir, name+".tsv") }

func (b *bench) makeAidbox(ctx context.Context) error {
	a := &aidbox{dir: filepath.Join(b.root, fmt.Sprintf("aidbox-%d", b.data.Scale)), files: map[string]fileInfo{}}
	if err := os.RemoveAll(a.dir); err != nil {
		return err
	}
	if err := os.MkdirAll(a.dir, 0o755); err != nil {
		return err
	}
	var all fileInfo
	var plains, tsvs []string
	for _, t := range b.data.Types {
		copyOut := fmt.Sprintf(`\copy (select id, resource || jsonb_build_object('id', id, 'resourceType', resource_type) from %s) to '%s' with (format csv, delimiter e'\t', quote e'\x01')`,
			pgx.Identifier{"public", strings.ToLower(t)}.Sanitize(), a.tsv(t))
		if _, err := b.sluice.psql(ctx, copyOut, nil); err != nil {
			return err
		}
		info, err := stripIDs(a.tsv(t), a.plain(t))
		if err != nil {
			return err
		}
		a.files[t] = info
		all.Lines += info.Lines
		all.Bytes += info.Bytes
		plains, tsvs = append(plains, a.plain(t)), append(tsvs, a.tsv(t))
	}
	a.files[allTypes] = all
	if err := concat(a.plain(allTypes), plains); err != nil {
		return err
	}
	b.aidbox = a
	return concat(a.tsv(allTypes), tsvs)
}

// stripIDs writes the lines of an "<id>\t<json>" file without their id column.
func stripIDs(tsvPath, plainPath string) (fileInfo, error) {
	var info fileInfo
	in, err := os.Open(tsvPath)
	if err != nil {
		return info, err
	}
	defer in.Close()
	out, err := os.Create(plainPath)
	if err != nil {
		return info, err
	}
	defer out.Close()
	r, w := bufio.NewReaderSize(in, 1<<20), bufio.NewWriterSize(out, 1<<20)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			_, doc, ok := bytes.Cut(line, []byte{'\t'})
			if !ok {
				return info, fmt.Errorf("%s: line %d has no tab", tsvPath, info.Lines+1)
			}
			info.Lines++
			info.Bytes += int64(len(doc))
			w.Write(doc)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return info, err
		}
	}
	if err := w.Flush(); err != nil {
		return info, err
	}
	return info, out.Close()
}

// conversionExpr is the SQL that converts a row of a resource table to FHIR, with <Type> for
// the resource type: the row-level helper when it exists, given the type's Attributes read once
// (as $dump?fhir=true and the README's bulk example do: the six-argument form looks them up
// again on every row), else fhir.to_fhir over the rebuilt Aidbox resource; "" when neither
// exists yet.
func (b *bench) conversionExpr(ctx context.Context) (string, error) {
	v, err := b.sluice.psqlValue(ctx, `select
	  case when to_regprocedure('fhir.row_to_fhir(text, text, bigint, timestamptz, timestamptz, jsonb, jsonb)') is not null then 'row'
	       when to_regprocedure('fhir.to_fhir(jsonb)') is not null then 'resource'
	       else '' end`)
	switch {
	case err != nil:
		return "", err
	case v == "row":
		return "fhir.row_to_fhir(resource_type, id, txid, cts, ts, resource, (select fhir.attributes('<Type>')))", nil
	case v == "resource":
		return "fhir.to_fhir(resource || jsonb_build_object('id', id, 'resourceType', resource_type))", nil
	}
	return "", nil
}

// serveFiles serves a folder over HTTP on loopback: the sources $load and $import fetch.
func serveFiles(root string) (url string, closeFn func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(root))}
	go srv.Serve(l)
	return "http://" + l.Addr().String(), func() { srv.Close() }, nil
}

func relPath(root, path string) string {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		panic(err)
	}
	return filepath.ToSlash(rel)
}

func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	fields := strings.Fields(string(raw))
	if len(fields) < 3 {
		return "?"
	}
	return strings.Join(fields[:3], " ")
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
