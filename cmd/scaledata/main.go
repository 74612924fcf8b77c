// Command scaledata makes an N-times larger copy of an NDJSON FHIR data set, for benchmarks.
//
// Usage, from the repository root:
//
//	go run ./cmd/scaledata -in testdata/synthea-100 -out DIR -scale N
//
// -in defaults to testdata/synthea-100 and -scale to 10; -out is required.
//
// The input directory holds one file per resource type, named <Type>.ndjson.gz or
// <Type>.ndjson (anything after the first dot of the name is ignored, so <Type>.000.ndjson
// also works; all.ndjson.gz is skipped). Every line must be one JSON object whose
// resourceType is <Type>.
//
// Every resource is written N times. Clone 0 keeps its id and clone k > 0 of a resource
// with id X gets the id "X-k". The suffix keeps the id a valid FHIR id (Synthea ids are
// 36-character UUIDs, so there is room for any k within the 64-character limit), and it
// cannot collide: the program refuses input in which some id X-k sits next to an id X.
// The ids are then no longer UUIDs, so a store must keep FHIR ids as text.
//
// References are rewritten so that each clone is a complete copy of the population that
// only points into itself. In clone k:
//   - the top-level "id" becomes the clone's id;
//   - every string under a "reference" key that is "<Type>/<id>" with that resource in the
//     input, or "urn:uuid:<id>" with <id> any resource id of the input, points at clone k;
//   - every string under a "fullUrl" key of the form "urn:uuid:<id>" is rewritten the same
//     way.
//
// Everything else is left alone: contained references ("#coverage"), conditional
// references ("Patient?identifier=..."), absolute URLs, ids of contained resources, and
// business identifiers (so a Patient's clones share its MRN and SSN).
//
// The rewrite works on the bytes of each line. It copies all of a line except the strings
// it replaces, so key order, whitespace and number literals ("0.0" stays "0.0") are kept.
// With -scale 1 the decompressed output is byte for byte the input.
//
// Output, in -out: one <Type>.ndjson.gz per type and all.ndjson.gz, which holds every line
// of every type (types in name order). Within a type file the clones come in order: all of
// clone 0 (the input), then all of clone 1, and so on. So each file reads like N exports
// one after the other, and it compresses about as well as the input does. The gzip headers
// carry no name and no time, so a given input and N always give the same bytes (for a given
// Go version, because compress/flate output could change between releases).
//
// The program streams: it holds one line at a time plus the set of input ids (about 40,000
// for synthea-100). So memory does not grow with N. It prints the lines and the uncompressed
// bytes of each type to stderr, then the totals.
//
// Benchmark sizing: testdata/synthea-100 is 49.4 MB of NDJSON (38,473 resources), so the
// default -scale 10 gives about 500 MB: 497.1 MB, 384,730 resources, 1,000 patients. (It
// is a little over 10 x 49.4 MB because every rewritten id grows by "-k".)
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// defaultScale gives about 500 MB of NDJSON from testdata/synthea-100 (49.4 MB).
const defaultScale = 10

func main() {
	in := flag.String("in", "testdata/synthea-100", "input directory of <Type>.ndjson[.gz] files")
	out := flag.String("out", "", "output directory (created if missing; required)")
	scale := flag.Int("scale", defaultScale, "number of copies of every resource (1 copies the input)")
	flag.Parse()
	if *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: scaledata -in DIR -out DIR [-scale N]")
		flag.PrintDefaults()
		os.Exit(2)
	}
	if _, err := run(*in, *out, *scale, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "scaledata:", err)
		os.Exit(1)
	}
}

// typeStats counts what was written for one resource type, or for all of them.
type typeStats struct {
	Type  string
	Lines int64
	Bytes int64 // uncompressed, newlines included
}

// run scales the data set in inDir by scale into outDir. It prints a summary to log and
// returns the per-type counts in type order.
func run(inDir, outDir string, scale int, log io.Writer) ([]typeStats, error) {
	if scale < 1 {
		return nil, fmt.Errorf("-scale must be at least 1, got %d", scale)
	}
	inputs, err := listInputs(inDir)
	if err != nil {
		return nil, err
	}
	idx, err := buildIndex(inputs, scale)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	// Writing into the input directory would overwrite the files being read.
	if a, err := os.Stat(inDir); err == nil {
		if b, err := os.Stat(outDir); err == nil && os.SameFile(a, b) {
			return nil, errors.New("-out must not be the -in directory")
		}
	}

	all, err := createGzip(filepath.Join(outDir, "all.ndjson.gz"))
	if err != nil {
		return nil, err
	}
	defer all.abort()

	var stats []typeStats
	total := typeStats{Type: "total"}
	for _, in := range inputs {
		st, err := scaleType(in, outDir, scale, idx, all)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(log, "%-22s %10d lines %14d bytes\n", st.Type, st.Lines, st.Bytes)
		stats = append(stats, st)
		total.Lines += st.Lines
		total.Bytes += st.Bytes
	}
	if err := all.close(); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "%-22s %10d lines %14d bytes (%.1f MB), scale %d, into %s\n",
		total.Type, total.Lines, total.Bytes, float64(total.Bytes)/1e6, scale, outDir)
	if idx.unresolved > 0 {
		// Such references stay as they are in every clone, so they point into clone 0 (or nowhere).
		fmt.Fprintf(log, "warning: %d relative references in the input do not resolve inside it and were not rewritten\n", idx.unresolved)
	}
	return stats, nil
}

// scaleType writes the scale clones of one input file to <Type>.ndjson.gz and to all.
func scaleType(in inputFile, outDir string, scale int, idx *index, all *gzipFile) (typeStats, error) {
	st := typeStats{Type: in.Type}
	out, err := createGzip(filepath.Join(outDir, in.Type+".ndjson.gz"))
	if err != nil {
		return st, err
	}
	defer out.abort()

	var fields []field
	var buf []byte
	// Clone k is outer so that each file is N whole populations one after the other; the
	// input is decompressed again for each clone, which costs little next to compressing
	// the output.
	for k := 0; k < scale; k++ {
		err := readLines(in.Path, func(lineNo int, line []byte) error {
			var err error
			fields, err = scanFields(line, fields)
			if err != nil {
				return fmt.Errorf("%s:%d: %v", in.Path, lineNo, err)
			}
			buf = idx.cloneLine(buf[:0], line, fields, k)
			buf = append(buf, '\n')
			if err := out.write(buf); err != nil {
				return err
			}
			if err := all.write(buf); err != nil {
				return err
			}
			st.Lines++
			st.Bytes += int64(len(buf))
			return nil
		})
		if err != nil {
			return st, err
		}
	}
	return st, out.close()
}

// inputFile is one input file and the resource type it holds.
type inputFile struct {
	Type string
	Path string
}

// listInputs finds the <Type>.ndjson[.gz] files of dir, in name order.
func listInputs(dir string) ([]inputFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var inputs []inputFile
	seen := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".ndjson") || strings.HasSuffix(name, ".ndjson.gz")) {
			continue
		}
		typ, _, _ := strings.Cut(name, ".")
		if typ == "all" {
			continue // this program's combined output, which repeats the type files
		}
		if !resourceTypeRE.MatchString(typ) {
			return nil, fmt.Errorf("%s: file name does not start with a resource type", filepath.Join(dir, name))
		}
		// One output file per type, so two inputs of a type would have to be merged; no
		// data set here needs that.
		if prev, ok := seen[typ]; ok {
			return nil, fmt.Errorf("%s and %s both hold %s", prev, name, typ)
		}
		seen[typ] = name
		inputs = append(inputs, inputFile{Type: typ, Path: filepath.Join(dir, name)})
	}
	if len(inputs) == 0 {
		return nil, fmt.Errorf("%s: no .ndjson or .ndjson.gz files", dir)
	}
	sort.Slice(inputs, func(i, j int) bool { return inputs[i].Type < inputs[j].Type })
	return inputs, nil
}

// maxLine bounds one NDJSON line; Synthea's longest (an ExplanationOfBenefit) is about 50 KB.
const maxLine = 64 << 20

// readLines calls fn for each non-empty line of the (possibly gzipped) file at path. The
// line is only valid during the call.
func readLines(path string, fn func(lineNo int, line []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 1<<16)
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		defer zr.Close()
		r = zr
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), maxLine)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		if len(sc.Bytes()) == 0 {
			continue
		}
		if err := fn(lineNo, sc.Bytes()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

var (
	// resourceTypeRE matches FHIR resource type names.
	resourceTypeRE = regexp.MustCompile(`^[A-Z][A-Za-z]*$`)
	// idRE matches a valid FHIR id (R4 "id" datatype).
	idRE = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)
)

// index knows every resource of the input, so that only references to resources of the
// set are rewritten.
type index struct {
	refs map[string]bool // "<Type>/<id>" of every input resource
	ids  map[string]bool // every input resource id, for "urn:uuid:<id>"

	// unresolved counts relative references (per input line, not per clone) that name no
	// resource of the set.
	unresolved int
}

// buildIndex reads every input once. It checks that each line is a JSON object of the
// file's type with a unique, valid id whose clone ids fit the FHIR id rules, and records
// the ids.
func buildIndex(inputs []inputFile, scale int) (*index, error) {
	idx := &index{refs: map[string]bool{}, ids: map[string]bool{}}
	var fields []field
	var refs []string // relative references, checked once all ids are known
	suffix := 0       // length of the longest clone suffix, "-<scale-1>"
	if scale > 1 {
		suffix = len(cloneID("", scale-1))
	}
	for _, in := range inputs {
		err := readLines(in.Path, func(lineNo int, line []byte) error {
			where := fmt.Sprintf("%s:%d", in.Path, lineNo)
			// The byte scanner trusts that its input is JSON; this is the one place that checks.
			if !json.Valid(line) {
				return fmt.Errorf("%s: not valid JSON", where)
			}
			var err error
			fields, err = scanFields(line, fields)
			if err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			var typ, id string
			var haveType, haveID bool
			for _, f := range fields {
				switch f.kind {
				case fieldType:
					typ, haveType = f.value, true
				case fieldID:
					id, haveID = f.value, true
				case fieldReference:
					if isRelativeRef(f.value) {
						refs = append(refs, f.value)
					}
				}
			}
			switch {
			case !haveType || typ != in.Type:
				return fmt.Errorf("%s: resourceType is %q, want %q", where, typ, in.Type)
			case !haveID:
				return fmt.Errorf("%s: resource has no id", where)
			case !idRE.MatchString(id):
				return fmt.Errorf("%s: id %q is not a valid FHIR id", where, id)
			case len(id)+suffix > 64:
				return fmt.Errorf("%s: id %q is too long to be cloned %d times (FHIR ids have at most 64 characters)", where, id, scale)
			case idx.refs[typ+"/"+id]:
				return fmt.Errorf("%s: duplicate resource %s/%s", where, typ, id)
			}
			idx.refs[typ+"/"+id] = true
			idx.ids[id] = true
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// Clone ids must not collide with input ids: X-k would if the input already had it.
	for ref := range idx.refs {
		typ, id, _ := strings.Cut(ref, "/")
		i := strings.LastIndexByte(id, '-')
		if i < 0 {
			continue
		}
		k, err := strconv.Atoi(id[i+1:])
		if err == nil && k >= 1 && k < scale && cloneID(id[:i], k) == id && idx.refs[typ+"/"+id[:i]] {
			return nil, fmt.Errorf("ids %s and %s are both in the input, so clone %d of the first would collide with the second", id[:i], id, k)
		}
	}
	for _, r := range refs {
		if !idx.refs[r] {
			idx.unresolved++
		}
	}
	return idx, nil
}

// isRelativeRef reports whether a reference has the shape of a literal relative reference
// "<Type>/<id>" (or a versioned one), rather than contained ("#x"), conditional ("?"),
// absolute or urn.
func isRelativeRef(ref string) bool {
	typ, _, ok := strings.Cut(ref, "/")
	return ok && resourceTypeRE.MatchString(typ) && !strings.Contains(ref, "?")
}

// cloneID is the id of clone k of the resource with id id.
func cloneID(id string, k int) string {
	if k == 0 {
		return id
	}
	return id + "-" + strconv.Itoa(k)
}

// cloneLine appends clone k of line to dst. fields are the line's fields from scanFields.
func (idx *index) cloneLine(dst, line []byte, fields []field, k int) []byte {
	prev := 0
	for _, f := range fields {
		v, ok := idx.rewrite(f, k)
		// Clone 0 changes nothing, and comparing keeps even an escaped original string
		// byte for byte.
		if !ok || v == f.value {
			continue
		}
		dst = append(dst, line[prev:f.start]...)
		// The new value is built from a resource type, a checked id and ASCII letters,
		// digits, '-', '.', ':' and '/', none of which JSON needs to escape.
		dst = append(dst, '"')
		dst = append(dst, v...)
		dst = append(dst, '"')
		prev = f.end
	}
	return append(dst, line[prev:]...)
}

// urnUUID is the prefix of Bundle-style references and fullUrls.
const urnUUID = "urn:uuid:"

// rewrite returns the value field f has in clone k, and false if f is never rewritten.
func (idx *index) rewrite(f field, k int) (string, bool) {
	switch f.kind {
	case fieldID:
		return cloneID(f.value, k), true
	case fieldReference:
		if idx.refs[f.value] {
			typ, id, _ := strings.Cut(f.value, "/")
			return typ + "/" + cloneID(id, k), true
		}
		fallthrough
	case fieldFullURL:
		if id, ok := strings.CutPrefix(f.value, urnUUID); ok && idx.ids[id] {
			return urnUUID + cloneID(id, k), true
		}
	}
	return "", false
}

// gzipFile is an output file being written through gzip.
type gzipFile struct {
	f  *os.File
	bw *bufio.Writer
	zw *gzip.Writer
}

// createGzip creates path and starts a gzip stream with a fixed header (no name, no
// modification time) so that equal content gives equal bytes.
func createGzip(path string) (*gzipFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	// flate emits many small writes; the bufio.Writer turns them into few syscalls.
	bw := bufio.NewWriterSize(f, 1<<20)
	zw, err := gzip.NewWriterLevel(bw, gzip.DefaultCompression)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &gzipFile{f: f, bw: bw, zw: zw}, nil
}

func (g *gzipFile) write(p []byte) error {
	_, err := g.zw.Write(p)
	return err
}

// close finishes the gzip stream and the file.
func (g *gzipFile) close() error {
	name := g.f.Name()
	err := g.zw.Close()
	if err == nil {
		err = g.bw.Flush()
	}
	if cerr := g.f.Close(); err == nil {
		err = cerr
	}
	g.f = nil
	if err != nil {
		return fmt.Errorf("writing %s: %v", name, err)
	}
	return nil
}

// abort closes the file if close was not reached, on an error path.
func (g *gzipFile) abort() {
	if g.f != nil {
		g.f.Close()
	}
}
