package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// testdataDir is the real 100-patient set, relative to this package.
const testdataDir = "../../testdata/synthea-100"

// dataSet is the lines of an NDJSON set by resource type.
type dataSet map[string][][]byte

// loadSet reads every <Type>.ndjson[.gz] file of dir; listInputs skips all.ndjson.gz.
func loadSet(t *testing.T, dir string) dataSet {
	t.Helper()
	inputs, err := listInputs(dir)
	if err != nil {
		t.Fatal(err)
	}
	set := dataSet{}
	for _, in := range inputs {
		lines := [][]byte{}
		err := readLines(in.Path, func(_ int, line []byte) error {
			lines = append(lines, bytes.Clone(line))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		set[in.Type] = lines
	}
	return set
}

// types returns the set's types in the order the scaler writes them.
func (s dataSet) types() []string {
	return slices.Sorted(maps.Keys(s)) // listInputs sorts by type too
}

// decode parses one resource, keeping number literals as written.
func decode(t *testing.T, line []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(line))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%v in %.200s", err, line)
	}
	return v
}

// walkRefs calls fn for every string under a "reference" key in v.
func walkRefs(v any, key string, fn func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			walkRefs(x, k, fn)
		}
	case []any:
		for _, x := range v {
			walkRefs(x, key, fn)
		}
	case string:
		if key == "reference" {
			fn(v)
		}
	}
}

// checkIntegrity checks that ids are unique per type and that every literal "Type/id"
// reference resolves inside the set. It returns the number of references checked.
func checkIntegrity(t *testing.T, set dataSet) int {
	t.Helper()
	have := map[string]bool{}
	parsed := map[string][]map[string]any{}
	for typ, lines := range set {
		for _, line := range lines {
			r := decode(t, line)
			id, _ := r["id"].(string)
			if r["resourceType"] != typ || id == "" {
				t.Fatalf("%s line has resourceType %v and id %q", typ, r["resourceType"], id)
			}
			if !idRE.MatchString(id) {
				t.Errorf("%s/%s: not a valid FHIR id", typ, id)
			}
			if have[typ+"/"+id] {
				t.Errorf("duplicate id %s/%s", typ, id)
			}
			have[typ+"/"+id] = true
			parsed[typ] = append(parsed[typ], r)
		}
	}
	n := 0
	for typ, rs := range parsed {
		for _, r := range rs {
			walkRefs(r, "", func(ref string) {
				if strings.HasPrefix(ref, "#") {
					return // contained
				}
				n++
				if !have[ref] {
					t.Errorf("%s/%s: reference %q does not resolve", typ, r["id"], ref)
				}
			})
		}
	}
	return n
}

// scale runs the scaler and returns the output directory.
func scale(t *testing.T, in string, n int) string {
	t.Helper()
	out := t.TempDir()
	stats, err := run(in, out, n, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) == 0 {
		t.Fatal("no types written")
	}
	return out
}

// readGzip returns the decompressed content of a gzip file.
func readGzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// patientRefRE finds references to patients in a raw line.
var patientRefRE = regexp.MustCompile(`"reference":"Patient/([^"]+)"`)

// subset writes, as plain .ndjson into a temporary directory, the first n patients of the
// real set with every resource that refers only to them, plus all organizations and
// practitioners. Synthea resources refer to one patient's data only, so this is closed
// under references; the tests check that rather than trust it. It keeps the clone tests
// fast: the whole set at N=3 would be 150 MB to write and parse.
func subset(t *testing.T, n int) string {
	t.Helper()
	full := loadSet(t, testdataDir)
	keep := map[string]bool{}
	for _, line := range full["Patient"][:n] {
		keep[decode(t, line)["id"].(string)] = true
	}
	dir := t.TempDir()
	for typ, lines := range full {
		var buf bytes.Buffer
		for _, line := range lines {
			ok := true
			if typ == "Patient" {
				ok = keep[decode(t, line)["id"].(string)]
			}
			for _, m := range patientRefRE.FindAllSubmatch(line, -1) {
				ok = ok && keep[string(m[1])]
			}
			if ok {
				buf.Write(line)
				buf.WriteByte('\n')
			}
		}
		if err := os.WriteFile(filepath.Join(dir, typ+".ndjson"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestScaleOneIsIdentity scales the whole real set by 1: every output file must hold
// exactly the input's bytes, and all.ndjson.gz all of them in type order. (Reference
// integrity is checked on a subset by TestScaleClones; decoding all 49 MB here would
// double the test's time.)
func TestScaleOneIsIdentity(t *testing.T) {
	in := loadSet(t, testdataDir)
	if len(in) != 18 {
		t.Errorf("%d types in %s, want 18", len(in), testdataDir)
	}
	out := scale(t, testdataDir, 1)
	var all []byte
	for _, typ := range in.types() {
		want := append(bytes.Join(in[typ], []byte("\n")), '\n')
		got := readGzip(t, filepath.Join(out, typ+".ndjson.gz"))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: output differs from input (%d vs %d bytes)", typ, len(got), len(want))
		}
		all = append(all, want...)
	}
	if got := readGzip(t, filepath.Join(out, "all.ndjson.gz")); !bytes.Equal(got, all) {
		t.Errorf("all.ndjson.gz differs from the inputs joined (%d vs %d bytes)", len(got), len(all))
	}
}

// TestScaleClones scales a closed subset by 3 and checks counts, ids, references and that
// every clone is its original with only the id and references changed.
func TestScaleClones(t *testing.T) {
	const n = 3
	in := subset(t, 10)
	inSet := loadSet(t, in)
	inRefs := checkIntegrity(t, inSet)
	if inRefs == 0 {
		t.Fatal("subset has no references")
	}
	out := scale(t, in, n)
	outSet := loadSet(t, out)
	if got := checkIntegrity(t, outSet); got != n*inRefs {
		t.Errorf("output has %d references, want %d", got, n*inRefs)
	}

	inputIDs := map[string]bool{}
	for typ, lines := range inSet {
		for _, line := range lines {
			inputIDs[typ+"/"+decode(t, line)["id"].(string)] = true
		}
	}
	var all [][]byte
	for _, typ := range inSet.types() {
		orig, clones := inSet[typ], outSet[typ]
		if len(clones) != n*len(orig) {
			t.Errorf("%s: %d lines, want %d", typ, len(clones), n*len(orig))
			continue
		}
		all = append(all, clones...)
		for k := 0; k < n; k++ {
			for i, o := range orig {
				// Clone k of line i is line k*len(orig)+i: clone is the outer loop.
				c := clones[k*len(orig)+i]
				if k == 0 && !bytes.Equal(c, o) {
					t.Fatalf("%s line %d: clone 0 differs from the input", typ, i)
				}
				if err := sameExceptIDs(decode(t, o), decode(t, c), k, inputIDs); err != nil {
					t.Fatalf("%s line %d, clone %d: %v", typ, i, k, err)
				}
			}
		}
	}
	if got := readGzip(t, filepath.Join(out, "all.ndjson.gz")); !bytes.Equal(got, append(bytes.Join(all, []byte("\n")), '\n')) {
		t.Error("all.ndjson.gz is not the type files joined in type order")
	}
}

// sameExceptIDs checks that clone is clone k of orig: equal JSON, except that the
// top-level id and each reference to an input resource carry the clone suffix.
func sameExceptIDs(orig, clone map[string]any, k int, inputIDs map[string]bool) error {
	typ := orig["resourceType"].(string)
	// Spelled out rather than calling cloneID, so that the test pins the id scheme.
	suffix := ""
	if k > 0 {
		suffix = "-" + strconv.Itoa(k)
	}
	return sameValue(orig, clone, "", 0, func(path, key string, depth int, o, c string) error {
		want := o
		switch {
		case depth == 1 && key == "id", key == "reference" && inputIDs[o]:
			want = o + suffix
		}
		if c != want {
			return fmt.Errorf("%s%s: got %q, want %q", typ, path, c, want)
		}
		return nil
	})
}

// sameValue compares two decoded JSON values; checkString decides about each pair of strings.
func sameValue(o, c any, path string, depth int, checkString func(path, key string, depth int, o, c string) error) error {
	key := path[strings.LastIndexByte(path, '.')+1:]
	switch o := o.(type) {
	case map[string]any:
		cm, ok := c.(map[string]any)
		if !ok || len(cm) != len(o) {
			return fmt.Errorf("%s: object differs", path)
		}
		for k, ov := range o {
			cv, ok := cm[k]
			if !ok {
				return fmt.Errorf("%s: %s missing", path, k)
			}
			if err := sameValue(ov, cv, path+"."+k, depth+1, checkString); err != nil {
				return err
			}
		}
	case []any:
		ca, ok := c.([]any)
		if !ok || len(ca) != len(o) {
			return fmt.Errorf("%s: array differs", path)
		}
		for i := range o {
			// Array elements keep their member's key, so a reference array would still count.
			if err := sameValue(o[i], ca[i], path, depth+1, checkString); err != nil {
				return err
			}
		}
	case string:
		cs, ok := c.(string)
		if !ok {
			return fmt.Errorf("%s: not a string", path)
		}
		return checkString(path, key, depth, o, cs)
	default:
		// json.Number compares as its literal text, so "0.0" must stay "0.0".
		if o != c {
			return fmt.Errorf("%s: %v != %v", path, o, c)
		}
	}
	return nil
}

// TestDeterministic runs the scaler twice at N=2: the outputs must be the same bytes, and
// the gzip headers must carry no name and no time.
func TestDeterministic(t *testing.T) {
	in := subset(t, 5)
	a, b := scale(t, in, 2), scale(t, in, 2)
	entries, err := os.ReadDir(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 19 {
		t.Errorf("%d output files, want 18 types and all.ndjson.gz", len(entries))
	}
	for _, e := range entries {
		x, err := os.ReadFile(filepath.Join(a, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs", e.Name())
		}
		// RFC 1952: byte 3 is FLG (FNAME is 0x08), bytes 4-7 are MTIME.
		if len(x) < 10 || x[3]&0x08 != 0 || !bytes.Equal(x[4:8], []byte{0, 0, 0, 0}) {
			t.Errorf("%s: gzip header % x has a name or a time", e.Name(), x[:min(10, len(x))])
		}
	}
}

// TestCloneLine covers what the real data lacks: escapes, whitespace, urn:uuid
// references and fullUrls, and references that must stay as they are.
func TestCloneLine(t *testing.T) {
	idx := &index{
		refs: map[string]bool{"Patient/p1": true, "Encounter/e1": true},
		ids:  map[string]bool{"p1": true, "e1": true},
	}
	line := `{ "resourceType" : "Encounter", "id":"e1", "x":0.0, "text":"a \"reference\": \"Patient/p1\"",` +
		`"subject":{"reference":"Patient\/p1"}, "contained":[{"resourceType":"Patient","id":"p1"}],` +
		`"a":[{"reference":"#p1"},{"reference":"Patient?identifier=x|p1"},{"reference":"http://h/Patient/p1"},` +
		`{"reference":"urn:uuid:p1"},{"reference":"Encounter/p1"},{"reference":"Patient/p2"}],` +
		`"entry":[{"fullUrl":"urn:uuid:e1"},{"fullUrl":"urn:uuid:zz"}], "identifier":[{"value":"urn:uuid:p1"}], "n":[1e5,true,null,-2]}`
	want := `{ "resourceType" : "Encounter", "id":"e1-7", "x":0.0, "text":"a \"reference\": \"Patient/p1\"",` +
		`"subject":{"reference":"Patient/p1-7"}, "contained":[{"resourceType":"Patient","id":"p1"}],` +
		`"a":[{"reference":"#p1"},{"reference":"Patient?identifier=x|p1"},{"reference":"http://h/Patient/p1"},` +
		`{"reference":"urn:uuid:p1-7"},{"reference":"Encounter/p1"},{"reference":"Patient/p2"}],` +
		`"entry":[{"fullUrl":"urn:uuid:e1-7"},{"fullUrl":"urn:uuid:zz"}], "identifier":[{"value":"urn:uuid:p1"}], "n":[1e5,true,null,-2]}`
	if !json.Valid([]byte(line)) {
		t.Fatal("test line is not JSON")
	}
	fields, err := scanFields([]byte(line), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(idx.cloneLine(nil, []byte(line), fields, 0)); got != line {
		t.Errorf("clone 0:\n got %s\nwant %s", got, line)
	}
	if got := string(idx.cloneLine(nil, []byte(line), fields, 7)); got != want {
		t.Errorf("clone 7:\n got %s\nwant %s", got, want)
	}

	for _, bad := range []string{`[]`, `{"a":1} x`, `{"a":"b`, `{"a" 1}`, `{"a":1,}`} {
		if _, err := scanFields([]byte(bad), nil); err == nil {
			t.Errorf("scanFields(%s) gave no error", bad)
		}
	}
}

// TestRefusesCollidingIDs checks that clone ids cannot meet input ids: with ids X and X-1
// in the input, clone 1 of X would be a second X-1.
func TestRefusesCollidingIDs(t *testing.T) {
	in := t.TempDir()
	data := `{"resourceType":"Patient","id":"x"}` + "\n" + `{"resourceType":"Patient","id":"x-1"}` + "\n"
	if err := os.WriteFile(filepath.Join(in, "Patient.ndjson"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := run(in, t.TempDir(), 1, io.Discard); err != nil {
		t.Errorf("scale 1: %v", err)
	}
	if _, err := run(in, t.TempDir(), 2, io.Discard); err == nil || !strings.Contains(err.Error(), "collide") {
		t.Errorf("scale 2: got error %v, want a collision", err)
	}
	long := strings.Repeat("a", 63)
	data = `{"resourceType":"Patient","id":"` + long + `"}` + "\n"
	if err := os.WriteFile(filepath.Join(in, "Patient.ndjson"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := run(in, t.TempDir(), 2, io.Discard); err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("63-character id at scale 2: got error %v, want too long", err)
	}
}
