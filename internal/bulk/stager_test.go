package bulk

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sluice-fhir/sluice/internal/config"
	"github.com/sluice-fhir/sluice/internal/rules"
	"github.com/sluice-fhir/sluice/internal/status"
)

// stagedRow is one row the stager makes for the staging table's COPY.
type stagedRow struct {
	lineNo, resourceType, id, cts, body string
}

// stageAll runs a whole source through a stager and returns its rows, or the error that
// stopped it (a *lineError for a bad line).
func stageAll(t testing.TB, source, resourceType string, fhir bool, limits loadLimits) ([]stagedRow, error) {
	t.Helper()
	if limits == (loadLimits{}) {
		d := config.Default().Server
		limits = loadLimits{maxBytes: d.LoadMaxBytes, maxLines: d.LoadMaxLines}
	}
	out, err := io.ReadAll(newStager(strings.NewReader(source), resourceType, fhir, false, limits))
	if err != nil {
		return nil, err
	}
	var rows []stagedRow
	for _, row := range strings.SplitAfter(string(out), "\n") {
		if row == "" {
			continue
		}
		if !strings.HasSuffix(row, "\n") {
			t.Fatalf("a row without its newline: %q", row)
		}
		fields := strings.Split(strings.TrimSuffix(row, "\n"), "\x02")
		if len(fields) != 5 {
			t.Fatalf("a row of %d fields, want 5: %q", len(fields), row)
		}
		rows = append(rows, stagedRow{fields[0], fields[1], fields[2], fields[3], fields[4]})
	}
	return rows, nil
}

// TestStagerAccepts: what each accepted line becomes in the staging table.
func TestStagerAccepts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, source, resourceType string
		fhir                       bool
		want                       []stagedRow
	}{
		{"id, resourceType and meta's server fields leave the body", `{"resourceType":"Patient","id":"p1","meta":{"versionId":"3","lastUpdated":"2024-01-01T00:00:00Z"},"active":true}`, "", false,
			[]stagedRow{{"1", "Patient", "p1", "", `{"active":true}`}}},
		{"createdAt becomes cts; other meta stays", `{"id":"p1","meta":{"createdAt":"2020-05-06T07:08:09Z","tag":[{"code":"x"}]},"resourceType":"Patient"}`, "", false,
			[]stagedRow{{"1", "Patient", "p1", "2020-05-06T07:08:09Z", `{"meta":{"tag":[{"code":"x"}]}}`}}},
		{"a meta that is not an object is dropped, as sluice.resource_body drops it", `{"id":"p1","resourceType":"Patient","meta":[1]}`, "", false,
			[]stagedRow{{"1", "Patient", "p1", "", `{}`}}},
		{"members are copied verbatim, spacing and all", `{ "id" : "p1" , "resourceType":"Patient", "name" : [ {"given": ["A"]} ] }`, "", false,
			[]stagedRow{{"1", "Patient", "p1", "", `{"name" : [ {"given": ["A"]} ]}`}}},
		{"the route's type is the type of a line without one", `{"id":"p1"}`, "Patient", false,
			[]stagedRow{{"1", "Patient", "p1", "", `{}`}}},
		{"escaped keys and ids are decoded", `{"i\u0064":"p\u002d1","resourceType":"Patient"}`, "", false,
			[]stagedRow{{"1", "Patient", "p-1", "", `{}`}}},
		{"blank lines stage nothing and keep the numbering", "\n  \t\r\n" + `{"id":"p1","resourceType":"Patient"}` + "\n\n", "", false,
			[]stagedRow{{"3", "Patient", "p1", "", `{}`}}},
		{"a byte order mark before the first line, CRLF line ends", "\xef\xbb\xbf" + `{"id":"a","resourceType":"Patient"}` + "\r\n" + `{"id":"b","resourceType":"Patient"}` + "\r\n", "", false,
			[]stagedRow{{"1", "Patient", "a", "", `{}`}, {"2", "Patient", "b", "", `{}`}}},
		{"no newline after the last line", `{"id":"a","resourceType":"Patient"}`, "", false,
			[]stagedRow{{"1", "Patient", "a", "", `{}`}}},
		{"FHIR lines go through whole", `{"resourceType":"Patient","id":"p1","meta":{"versionId":"1"},"deceasedBoolean":false}`, "", true,
			[]stagedRow{{"1", "Patient", "p1", "", `{"resourceType":"Patient","id":"p1","meta":{"versionId":"1"},"deceasedBoolean":false}`}}},
		{"a typed FHIR load adds the type the conversion needs", `{"id":"p1","active":true}`, "Patient", true,
			[]stagedRow{{"1", "Patient", "p1", "", `{"resourceType":"Patient","id":"p1","active":true}`}}},
		{"the JSON inside values is left to PostgreSQL", `{"id":"p1","resourceType":"Patient","x":tru}`, "", false,
			[]stagedRow{{"1", "Patient", "p1", "", `{"x":tru}`}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := stageAll(t, c.source, c.resourceType, c.fhir, loadLimits{})
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("staged\n %q\nwant\n %q", got, c.want)
			}
		})
	}
}

// TestStagerRefuses: each bad line fails the load with a message naming its line.
func TestStagerRefuses(t *testing.T) {
	t.Parallel()
	long := `{"id":"p1","resourceType":"Patient","x":"` + strings.Repeat("a", maxLineBytes) + `"}`
	cases := []struct {
		name, source, resourceType string
		want                       string
	}{
		{"not JSON", `hello`, "", `line 1: not JSON`},
		{"not UTF-8", "{\"id\":\"p1\",\"resourceType\":\"Patient\",\"x\":\"\xe9t\xe9\"}", "", `line 1: not UTF-8: invalid byte 0xe9 at byte 42`},
		{"JSON but not an object", `[{"id":"p1"}]`, "", `line 1: not a JSON object`},
		{"a string", `"p1"`, "", `line 1: not a JSON object`},
		{"cut short", `{"id":"p1","resourceType":"Patient"`, "", `line 1: not JSON: unterminated object`},
		{"an unterminated string", `{"id":"p1`, "", `line 1: not JSON: unterminated string`},
		{"a trailing comma", `{"id":"p1",}`, "", `line 1: not JSON: expected a key at byte 12`},
		{"a control character in a string", "{\"id\":\"p\x011\"}", "", `line 1: not JSON: control character in a string at byte 9`},
		{"text after the object", `{"id":"p1"} x`, "", `line 1: not JSON: unexpected x after the object`},
		{"no resourceType", `{"id":"p1"}`, "", `line 1: no resourceType`},
		{"resourceType not a string", `{"id":"p1","resourceType":7}`, "", `line 1: resourceType must be a string, got 7`},
		{"resourceType not the route's", `{"id":"p1","resourceType":"Observation"}`, "Patient", `line 1: resourceType "Observation" does not match Patient`},
		{"resourceType not a type name", `{"id":"p1","resourceType":"Pa tient"}`, "", `line 1: unknown resourceType "Pa tient"`},
		{"no id", `{"resourceType":"Patient"}`, "", `line 1: no id`},
		{"id not a string", `{"id":12,"resourceType":"Patient"}`, "", `line 1: invalid id 12: an id is a string of 1 to 64 letters, digits, "-" and "."`},
		{"id with a space", `{"id":"p 1","resourceType":"Patient"}`, "", `line 1: invalid id "p 1": an id is a string of 1 to 64 letters, digits, "-" and "."`},
		{"id too long", `{"id":"` + strings.Repeat("a", 65) + `","resourceType":"Patient"}`, "", `line 1: invalid id "` + strings.Repeat("a", 39) + `...: an id is a string of 1 to 64 letters, digits, "-" and "."`},
		{"id twice", `{"id":"a","resourceType":"Patient","id":"b"}`, "", `line 1: id appears twice`},
		{"id twice, once escaped", `{"id":"a","resourceType":"Patient","\u0069d":"b"}`, "", `line 1: id appears twice`},
		{"resourceType twice", `{"resourceType":"Patient","id":"a","resourceType":"Patient"}`, "", `line 1: resourceType appears twice`},
		{"meta twice", `{"resourceType":"Patient","id":"a","meta":{},"meta":{}}`, "", `line 1: meta appears twice`},
		{"createdAt not a string", `{"resourceType":"Patient","id":"a","meta":{"createdAt":1}}`, "", `line 1: meta.createdAt must be a date-time string, got 1`},
		{"createdAt twice", `{"resourceType":"Patient","id":"a","meta":{"createdAt":"2020-01-01","createdAt":"T00:00:00Z"}}`, "", `line 1: meta.createdAt appears twice`},
		{"a versionId that is not JSON", `{"resourceType":"Patient","id":"a","meta":{"versionId":tru}}`, "", `line 1: not JSON: meta.versionId is tru`},
		{"a bad meta object", `{"resourceType":"Patient","id":"a","meta":{"x" 1}}`, "", `line 1: not JSON: meta: expected ':' at byte 6`},
		{"the line number counts blank lines", "\n\n" + `{"id":"a","resourceType":"Patient"}` + "\n" + `{"id":"a"}`, "", `line 4: no resourceType`},
		{"a line too long", long, "", `line 1: longer than 67108864 bytes`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := stageAll(t, c.source, c.resourceType, false, loadLimits{})
			var le *lineError
			if !errors.As(err, &le) {
				t.Fatalf("got %v, want a line error %q", err, c.want)
			}
			if err.Error() != c.want {
				t.Errorf("got  %s\nwant %s", err, c.want)
			}
		})
	}
}

// TestStagerLimits: the byte and line limits of one load fail it with 413 and 422.
func TestStagerLimits(t *testing.T) {
	t.Parallel()
	source := strings.Repeat(`{"id":"a","resourceType":"Patient"}`+"\n", 3)
	if _, err := stageAll(t, source, "", false, loadLimits{maxBytes: int64(len(source)), maxLines: 3}); err != nil {
		t.Fatalf("at both limits: %v", err)
	}
	_, err := stageAll(t, source, "", false, loadLimits{maxBytes: int64(len(source)) - 1, maxLines: 3})
	if code, _ := status.Of(err); code != 413 {
		t.Errorf("a byte over the limit: %v (status %d), want 413", err, code)
	}
	_, err = stageAll(t, source+"\n\n", "", false, loadLimits{maxBytes: 1 << 20, maxLines: 2})
	if code, msg := status.Of(err); code != 422 || !strings.Contains(msg, "more than 2 lines") {
		t.Errorf("a line over the limit: %v (status %d), want 422", err, code)
	}
	// Blank lines do not count.
	if _, err := stageAll(t, "\n\n\n"+source, "", false, loadLimits{maxBytes: 1 << 20, maxLines: 3}); err != nil {
		t.Errorf("blank lines counted against the line limit: %v", err)
	}
}

// FuzzStagerLine checks the stager against encoding/json on one line of the Aidbox format:
// an object encoding/json reads is accepted exactly when its resourceType, id and meta pass
// the rules, with the same type and id, and a body that means the object less what the row's
// columns hold; a line encoding/json refuses is refused, or its body is not valid JSON either
// (PostgreSQL's jsonb input then refuses it, as the stager leaves values to it). No panic,
// and a line takes at most a second.
func FuzzStagerLine(f *testing.F) {
	for _, seed := range []string{
		`{"resourceType":"Patient","id":"p1"}`,
		`{"resourceType":"Patient","id":"p1","meta":{"versionId":"1","createdAt":"2020-01-01T00:00:00Z","tag":[]},"name":[{"given":["A"]}]}`,
		`{"id":"p1","resourceType":"Patient","meta":{}}`,
		`{"id":"p1","resourceType":"Patient","meta":null}`,
		`{"id":"p\u002d1","resourceType":"Pati\u0065nt","x":"\"}"}`,
		`{"id":"a","resourceType":"Patient","id":"b"}`,
		`{"id":"a","resourceType":"Patient","x":1,"x":2}`,
		`{"id":"a","resourceType":"Patient","x":tru}`,
		`{"id":"a","resourceType":"Patient","x":[}`,
		`{"id":"a","resourceType":"Patient","meta":{"versionId":tru}}`,
		`{"id":"a","resourceType":"Patient","meta":{"createdAt":"2020-01-01","createdAt":"T00:00:00Z"}}`,
		`{"id":"a","resourceType":"Patient","x":01}`,
		`{"id":"a","resourceType":"Patient","meta":tru}`,
		`{"id":1,"resourceType":"Patient"}`,
		`{"resourceType":"Patient"}`,
		`[1,2]`,
		`"x"`,
		`{`,
		`{}`,
		``,
		" \t\r",
		` { "id" : "a" , "resourceType" : "Patient" } `,
		"\xef\xbb\xbf{\"id\":\"a\",\"resourceType\":\"Patient\"}",
		`{"id":"a","resourceType":"Patient","x":{"y":[1,{"z":"\u00e9"}]}}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsAny(line, "\n") {
			return // one line at a time; the splitting is not what is checked here
		}
		start := time.Now()
		rows, err := stageAll(t, line, "", false, loadLimits{})
		if d := time.Since(start); d > time.Second {
			t.Fatalf("%v for one line", d)
		}
		var le *lineError
		if err != nil && !errors.As(err, &le) {
			t.Fatalf("not a line error: %v", err)
		}
		// What remains of a blank line is no row; the stager trims the spaces JSON allows
		// but a newline, and a byte order mark on the first line.
		if line == "" {
			if err != nil || len(rows) != 0 {
				t.Fatalf("an empty source: %q, %v", rows, err)
			}
			return
		}
		text := strings.TrimPrefix(line, "\xef\xbb\xbf")
		if strings.Trim(text, " \t\r") == "" {
			if err != nil || len(rows) != 0 {
				t.Fatalf("a blank line: %q, %v", rows, err)
			}
			return
		}
		if !json.Valid([]byte(text)) {
			if err == nil && json.Valid([]byte(rows[0].body)) {
				t.Fatalf("encoding/json refuses the line, the stager made a valid body of it: %q", rows[0].body)
			}
			return
		}
		want, wantErr := referenceStage([]byte(text))
		if (err == nil) != (wantErr == "") {
			t.Fatalf("stager: %v; encoding/json reference: %q", err, wantErr)
		}
		if err != nil {
			return
		}
		got := rows[0]
		if got.lineNo != "1" || got.resourceType != want.resourceType || got.id != want.id || got.cts != want.cts {
			t.Fatalf("staged %q, want %q", got, want)
		}
		var gotBody, wantBody any
		if err := unmarshalNumbers([]byte(got.body), &gotBody); err != nil {
			t.Fatalf("the body of a valid line is not JSON: %v: %q", err, got.body)
		}
		if err := unmarshalNumbers([]byte(want.body), &wantBody); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotBody, wantBody) {
			t.Fatalf("body %s, want %s", got.body, want.body)
		}
	})
}

// referenceStage is the stager's rule for one valid JSON line, written with encoding/json:
// the row it should stage, or why it should refuse the line.
func referenceStage(line []byte) (stagedRow, string) {
	if bytes.TrimLeft(line, " \t\r")[0] != '{' {
		return stagedRow{}, "not an object"
	}
	keys, err := topLevelKeys(line)
	if err != nil {
		return stagedRow{}, err.Error()
	}
	for _, k := range []string{"id", "resourceType", "meta"} {
		if keys[k] > 1 {
			return stagedRow{}, k + " twice"
		}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return stagedRow{}, err.Error()
	}
	if meta := bytes.TrimLeft(raw["meta"], " \t\r"); len(meta) > 0 && meta[0] == '{' {
		if metaKeys, err := topLevelKeys(meta); err != nil || metaKeys["createdAt"] > 1 {
			return stagedRow{}, "createdAt twice"
		}
	}
	var object map[string]any
	if err := unmarshalNumbers(line, &object); err != nil {
		return stagedRow{}, err.Error()
	}
	row := stagedRow{lineNo: "1"}
	var ok bool
	if row.resourceType, ok = object["resourceType"].(string); !ok || !rules.IsTypeName(row.resourceType) {
		return stagedRow{}, "bad resourceType"
	}
	if row.id, ok = object["id"].(string); !ok || !rules.IsValidID(row.id) {
		return stagedRow{}, "bad id"
	}
	delete(object, "resourceType")
	delete(object, "id")
	if _, isObject := object["meta"].(map[string]any); !isObject {
		delete(object, "meta") // sluice.resource_body drops a meta that is not an object
	}
	if meta, isObject := object["meta"].(map[string]any); isObject {
		if created, present := meta["createdAt"]; present {
			s, isString := created.(string)
			if !isString || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
				return stagedRow{}, "bad createdAt"
			}
			row.cts = s
		}
		delete(meta, "createdAt")
		delete(meta, "versionId")
		delete(meta, "lastUpdated")
		if len(meta) == 0 {
			delete(object, "meta")
		}
	}
	body, err := json.Marshal(object)
	if err != nil {
		return stagedRow{}, err.Error()
	}
	row.body = string(body)
	return row, ""
}

// topLevelKeys counts how often each key of the object in line appears (encoding/json keeps
// the last of duplicates silently).
func topLevelKeys(line []byte) (map[string]int, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	keys := map[string]int{}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys[key.(string)]++
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// unmarshalNumbers is json.Unmarshal keeping numbers as their text, so 1 and 1.0 stay apart.
func unmarshalNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// With skip, a bad line is staged as a row with its line number and reason only (no type, so
// nothing writes it), made safe for the COPY row, and it is not counted; good rows get an empty
// (null) problem column.
func TestStagerSkipRows(t *testing.T) {
	src := "{\"id\":\"a\"}\n{\"id\":\"x\x7fy\"}\n\n{\"id\":\"b\",\"meta\":{\"createdAt\":1}}\n{\"id\":\"c\"}\n"
	st := newStager(strings.NewReader(src), "Patient", false, true, loadLimits{maxBytes: 1 << 20, maxLines: 10})
	out, err := io.ReadAll(st)
	if err != nil || st.failure() != nil {
		t.Fatal(err, st.failure())
	}
	rows := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	want := []string{
		"1\x02Patient\x02a\x02\x02{}\x02",
		"2\x02\x02\x02\x02\x02invalid id \"x?y\": an id is a string of 1 to 64 letters, digits, \"-\" and \".\"",
		"4\x02\x02\x02\x02\x02meta.createdAt must be a date-time string, got 1",
		"5\x02Patient\x02c\x02\x02{}\x02",
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %q", rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d: %q, want %q", i, rows[i], want[i])
		}
	}
	if st.resource != 2 || st.types["Patient"] != 2 {
		t.Errorf("counted %d lines, %v", st.resource, st.types)
	}
}
