package sql_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/internal/pgtest"
)

// readNDJSON returns the lines of an .ndjson or .ndjson.gz file.
func readNDJSON(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var lines []string
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestFHIRRoundTripTestdata: every resource of the test data survives FHIR -> fhir.from_fhir ->
// sluice.resource_write -> fhir.row_to_fhir (and fhir.to_fhir of the stored resource) unchanged
// as a JSON value, apart from the server-assigned meta.versionId, meta.lastUpdated and createdAt
// extension; and the stored Aidbox form has no literal "reference": "Type/id" left.
func TestFHIRRoundTripTestdata(t *testing.T) {
	t.Parallel()
	sets := map[string]string{
		"bulk-data-server-10-patients": "../testdata/fhir-r4/bulk-data-server-10-patients",
		"sample-bulk-10-patients":      "../testdata/fhir-r4/sample-bulk-10-patients",
		"synthea-100":                  "../testdata/synthea-100",
	}
	for name, dir := range sets {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files, err := filepath.Glob(filepath.Join(dir, "*.ndjson*"))
			if err != nil || len(files) == 0 {
				t.Fatalf("no test data in %s: %v", dir, err)
			}
			pool := pgtest.NewPool(t)
			ctx := context.Background()
			conn, err := pool.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Release()
			if _, err := conn.Exec(ctx, `create temp table src (file text, line int, r jsonb)`); err != nil {
				t.Fatal(err)
			}
			total := 0
			for _, f := range files {
				lines := readNDJSON(t, f)
				rows := make([][]any, len(lines))
				for i, l := range lines {
					rows[i] = []any{filepath.Base(f), i + 1, l}
				}
				if _, err := conn.CopyFrom(ctx, pgx.Identifier{"src"}, []string{"file", "line", "r"}, pgx.CopyFromRows(rows)); err != nil {
					t.Fatal(err)
				}
				total += len(lines)
			}
			// Store every resource through the same path as the REST API.
			if _, err := conn.Exec(ctx, `select sluice.resource_write(r ->> 'resourceType', null, fhir.from_fhir(r), 'update') from src`); err != nil {
				t.Fatal(err)
			}
			// Compare, dropping the server-assigned meta parts (and meta when nothing is left).
			if _, err := conn.Exec(ctx, `
				create function pg_temp.norm(p jsonb) returns jsonb language plpgsql as $$
				declare
				  v_meta jsonb := coalesce(p -> 'meta', '{}') - 'versionId' - 'lastUpdated';
				  v_ext  jsonb;
				begin
				  select jsonb_agg(e) into v_ext from jsonb_array_elements(v_meta -> 'extension') e
				  where e ->> 'url' <> 'ex:createdAt';
				  v_meta := v_meta - 'extension' || coalesce(jsonb_build_object('extension', v_ext), '{}');
				  return p - 'meta' || case when v_meta <> '{}' then jsonb_build_object('meta', v_meta) else '{}' end;
				end $$`); err != nil {
				t.Fatal(err)
			}
			rows, err := conn.Query(ctx, `
				with conv as (
				  select s.file, s.line, s.r as want, t.resource as aidbox,
				         fhir.row_to_fhir(t.resource_type, t.id, t.txid, t.cts, t.ts, t.resource)::jsonb as got,
				         fhir.to_fhir(sluice.resource_full(t.resource_type, t.id, t.txid, t.cts, t.ts, t.resource)) as got2
				  from src s
				  join sluice.resource_type rt on rt.name = s.r ->> 'resourceType'
				  cross join lateral sluice.resource_read(s.r ->> 'resourceType', s.r ->> 'id') full_resource
				  cross join lateral (select full_resource ->> 'resourceType' as resource_type,
				                             full_resource ->> 'id' as id,
				                             (full_resource #>> '{meta,versionId}')::bigint as txid,
				                             (full_resource #>> '{meta,createdAt}')::timestamptz as cts,
				                             (full_resource #>> '{meta,lastUpdated}')::timestamptz as ts,
				                             sluice.resource_body(full_resource) as resource) t
				)
				select file, line, want::text, got::text, got2 = got,
				       aidbox::text ~ '"reference": "[A-Z][A-Za-z0-9]*/[^/"?#]+"'
				from conv
				where pg_temp.norm(want) <> pg_temp.norm(got) or got2 <> got
				   or aidbox::text ~ '"reference": "[A-Z][A-Za-z0-9]*/[^/"?#]+"'
				limit 5`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			bad := 0
			for rows.Next() {
				var file, want, got string
				var line int
				var same, leftRef bool
				if err := rows.Scan(&file, &line, &want, &got, &same, &leftRef); err != nil {
					t.Fatal(err)
				}
				bad++
				t.Errorf("%s line %d: round trip differs (to_fhir agrees with row_to_fhir: %v, literal reference left in Aidbox form: %v)\nwant %s\ngot  %s", file, line, same, leftRef, want, got)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			// Both conversions write JSON text member by member: every object in it must have
			// each key once (casting to jsonb would hide a repeated key: the last one wins).
			texts, err := conn.Query(ctx, `
				select s.file, s.line, fhir.row_to_fhir(t.resource_type, t.id, t.txid, t.cts, t.ts, t.resource),
				       fhir_meta.resource_from_fhir(s.r ->> 'resourceType', s.r, fhir.resource_head_from_fhir(s.r))
				from src s
				join sluice.resource_type rt on rt.name = s.r ->> 'resourceType'
				cross join lateral sluice.resource_read(s.r ->> 'resourceType', s.r ->> 'id') full_resource
				cross join lateral (select full_resource ->> 'resourceType' as resource_type,
				                           full_resource ->> 'id' as id,
				                           (full_resource #>> '{meta,versionId}')::bigint as txid,
				                           (full_resource #>> '{meta,createdAt}')::timestamptz as cts,
				                           (full_resource #>> '{meta,lastUpdated}')::timestamptz as ts,
				                           sluice.resource_body(full_resource) as resource) t`)
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for texts.Next() {
				var file, toText, fromText string
				var line int
				if err := texts.Scan(&file, &line, &toText, &fromText); err != nil {
					t.Fatal(err)
				}
				checked++
				if key, err := repeatedKey(toText); err != nil || key != "" {
					t.Errorf("%s line %d: fhir.row_to_fhir wrote %q twice in one object (%v): %s", file, line, key, err, toText)
				}
				if key, err := repeatedKey(fromText); err != nil || key != "" {
					t.Errorf("%s line %d: the conversion from FHIR wrote %q twice in one object (%v): %s", file, line, key, err, fromText)
				}
			}
			if err := texts.Err(); err != nil {
				t.Fatal(err)
			}
			var stored int
			if err := conn.QueryRow(ctx, `select count(*) from src`).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if stored != total || checked != total || total == 0 {
				t.Fatalf("loaded %d and checked %d of %d lines", stored, checked, total)
			}
			t.Logf("%d resources from %d files round-tripped", total, len(files))
		})
	}
}

// repeatedKey returns the first key that appears twice in one object of a JSON text ("" when
// none does), or an error when the text is not one JSON value.
func repeatedKey(text string) (string, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	// One entry per open container: the keys seen so far (nil for an array).
	var open []map[string]bool
	expectKey := func() bool { return len(open) > 0 && open[len(open)-1] != nil }
	for afterKey := false; ; {
		tok, err := dec.Token()
		if err == io.EOF {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		switch tok {
		case json.Delim('{'):
			open = append(open, map[string]bool{})
			afterKey = false
			continue
		case json.Delim('['):
			open = append(open, nil)
			afterKey = false
			continue
		case json.Delim('}'), json.Delim(']'):
			open = open[:len(open)-1]
			afterKey = false
			continue
		}
		if expectKey() && !afterKey {
			key := tok.(string)
			if open[len(open)-1][key] {
				return key, nil
			}
			open[len(open)-1][key] = true
			afterKey = true
			continue
		}
		afterKey = false
	}
}

// jsonEqual compares two JSON texts as values.
func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return reflect.DeepEqual(x, y)
}

// queryJSON runs a query returning one jsonb value and gives its text.
func queryJSON(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) string {
	t.Helper()
	var s string
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

// TestFHIRConversionRules: the table of docs/formats.md ("The rules"), one case each, in both directions.
func TestFHIRConversionRules(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	cases := []struct{ name, fhir, aidbox string }{
		{"literal reference keeps display",
			`{"resourceType":"Observation","id":"o1","subject":{"reference":"Patient/pt-1","display":"Alice"}}`,
			`{"resourceType":"Observation","id":"o1","subject":{"resourceType":"Patient","id":"pt-1","display":"Alice"}}`},
		{"absolute, local, conditional and versioned references",
			`{"resourceType":"Observation","id":"o1","hasMember":[{"reference":"http://x/fhir/Patient/1"},{"reference":"#p1"},{"reference":"Practitioner?identifier=sys|1"},{"reference":"Observation/1/_history/2"},{"reference":"urn:uuid:a-b"},{"display":"only a display"}],"contained":[{"resourceType":"Patient","id":"p1"}]}`,
			`{"resourceType":"Observation","id":"o1","hasMember":[{"uri":"http://x/fhir/Patient/1"},{"localRef":"p1"},{"reference":"Practitioner?identifier=sys|1"},{"reference":"Observation/1/_history/2"},{"uri":"urn:uuid:a-b"},{"display":"only a display"}],"contained":[{"resourceType":"Patient","id":"p1"}]}`},
		{"reference with type and identifier (assigner converted too)",
			`{"resourceType":"Observation","id":"o1","subject":{"reference":"Patient/1","type":"Patient","identifier":{"value":"x","assigner":{"reference":"Organization/o"}}}}`,
			`{"resourceType":"Observation","id":"o1","subject":{"resourceType":"Patient","id":"1","type":"Patient","identifier":{"value":"x","assigner":{"resourceType":"Organization","id":"o"}}}}`},
		{"choice types and a primitive's extension",
			`{"resourceType":"Observation","id":"o1","valueString":"x","_valueString":{"extension":[{"url":"u","valueCode":"c"}]},"effectivePeriod":{"start":"2020"},"component":[{"valueQuantity":{"value":1.0}},{"valueBoolean":false}]}`,
			`{"resourceType":"Observation","id":"o1","value":{"string":"x","_string":{"extension":[{"url":"u","valueCode":"c"}]}},"effective":{"Period":{"start":"2020"}},"component":[{"value":{"Quantity":{"value":1.0}}},{"value":{"boolean":false}}]}`},
		{"choice holding a reference",
			`{"resourceType":"MedicationRequest","id":"m1","medicationReference":{"reference":"Medication/x"}}`,
			`{"resourceType":"MedicationRequest","id":"m1","medication":{"Reference":{"resourceType":"Medication","id":"x"}}}`},
		{"not choice types: valueSet and valueCode where there is no value[x]",
			`{"resourceType":"Questionnaire","id":"q","status":"active","item":[{"linkId":"1","type":"choice","answerValueSet":"http://vs","valueSet":"x","valueCode":"y"}]}`,
			`{"resourceType":"Questionnaire","id":"q","status":"active","item":[{"linkId":"1","type":"choice","answerValueSet":"http://vs","valueSet":"x","valueCode":"y"}]}`},
		{"meta: createdAt and other keys",
			`{"resourceType":"Patient","id":"p","meta":{"versionId":"3","profile":["http://p"],"extension":[{"url":"other","valueString":"x"},{"url":"ex:createdAt","valueInstant":"2021-06-09T11:07:23.022196Z"}]}}`,
			`{"resourceType":"Patient","id":"p","meta":{"versionId":"3","profile":["http://p"],"extension":[{"url":"other","valueString":"x"}],"createdAt":"2021-06-09T11:07:23.022196Z"}}`},
		{"contained resources converted recursively",
			`{"resourceType":"Claim","id":"c","contained":[{"resourceType":"Coverage","id":"cov","beneficiary":{"reference":"Patient/p"},"meta":{"extension":[{"url":"ex:createdAt","valueInstant":"2020"}]}}],"insurance":[{"sequence":1,"focal":true,"coverage":{"reference":"#cov"}}]}`,
			`{"resourceType":"Claim","id":"c","contained":[{"resourceType":"Coverage","id":"cov","beneficiary":{"resourceType":"Patient","id":"p"},"meta":{"createdAt":"2020"}}],"insurance":[{"sequence":1,"focal":true,"coverage":{"localRef":"cov"}}]}`},
		{"Bundle entries converted",
			`{"resourceType":"Bundle","id":"b","type":"collection","entry":[{"fullUrl":"http://x/Observation/o","resource":{"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"valueInteger":5}}]}`,
			`{"resourceType":"Bundle","id":"b","type":"collection","entry":[{"fullUrl":"http://x/Observation/o","resource":{"resourceType":"Observation","id":"o","subject":{"resourceType":"Patient","id":"p"},"value":{"integer":5}}}]}`},
		{"unknown keys and extensions pass through",
			`{"resourceType":"Patient","id":"p","foo":{"reference":"Patient/x"},"extension":[{"url":"http://unknown","valueReference":{"reference":"Patient/y"}}],"_birthDate":{"extension":[{"url":"u","valueString":"s"}]},"birthDate":"2000"}`,
			`{"resourceType":"Patient","id":"p","foo":{"reference":"Patient/x"},"extension":[{"url":"http://unknown","valueReference":{"reference":"Patient/y"}}],"_birthDate":{"extension":[{"url":"u","valueString":"s"}]},"birthDate":"2000"}`},
		{"resource type without definitions: meta only",
			`{"resourceType":"Foo","id":"f","subject":{"reference":"Patient/x"},"valueString":"v","meta":{"extension":[{"url":"ex:createdAt","valueInstant":"2020"}]}}`,
			`{"resourceType":"Foo","id":"f","subject":{"reference":"Patient/x"},"valueString":"v","meta":{"createdAt":"2020"}}`},
		{"numbers and strings kept",
			`{"resourceType":"Observation","id":"o","valueQuantity":{"value":0.0},"component":[{"valueInteger":12345678901234567890},{"valueQuantity":{"value":1e2}},{"valueString":"q\"b\\n\nü ✓ 𝄞"}]}`,
			`{"resourceType":"Observation","id":"o","value":{"Quantity":{"value":0.0}},"component":[{"value":{"integer":12345678901234567890}},{"value":{"Quantity":{"value":1e2}}},{"value":{"string":"q\"b\\n\nü ✓ 𝄞"}}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gotA := queryJSON(t, pool, `select fhir.from_fhir($1::jsonb)::text`, c.fhir)
			if !jsonEqual(t, gotA, c.aidbox) {
				t.Errorf("from_fhir:\n got  %s\n want %s", gotA, c.aidbox)
			}
			gotF := queryJSON(t, pool, `select fhir.to_fhir($1::jsonb)::text`, c.aidbox)
			if !jsonEqual(t, gotF, c.fhir) {
				t.Errorf("to_fhir:\n got  %s\n want %s", gotF, c.fhir)
			}
			var same bool
			if err := pool.QueryRow(context.Background(),
				`select fhir.to_fhir(fhir.from_fhir($1::jsonb)) = $1::jsonb and fhir.from_fhir(fhir.to_fhir($2::jsonb)) = $2::jsonb`,
				c.fhir, c.aidbox).Scan(&same); err != nil || !same {
				t.Errorf("round trip: %v %v", same, err)
			}
		})
	}
}

// TestFHIRNumbersAndStringsExact: numbers keep their value and written form where jsonb keeps
// one (0.0 stays 0.0, 1e2 is 100, large integers exact), and strings are byte-exact.
func TestFHIRNumbersAndStringsExact(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	in := `{"resourceType":"Observation","id":"o","valueQuantity":{"value":0.0},"component":[{"valueInteger":123456789012345678901234567890},{"valueQuantity":{"value":1e2}},{"valueString":"quote \" backslash \\ newline \n tab \t non-ASCII é 日本 𝄞"}]}`
	got := queryJSON(t, pool, `select fhir.to_fhir(fhir.from_fhir($1::jsonb))::text`, in)
	for _, want := range []string{`"value": 0.0`, `123456789012345678901234567890`, `"value": 100`,
		`"quote \" backslash \\ newline \n tab \t non-ASCII é 日本 𝄞"`} {
		if !strings.Contains(got, want) {
			t.Errorf("%s not in %s", want, got)
		}
	}
}

// TestFHIRAttributes: the seed's first-class extension (docs/formats.md), nested and collection, and
// that an Attribute takes effect as soon as it is written.
func TestFHIRAttributes(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`select sluice.resource_write('Patient', null, '{"resourceType":"Patient","id":"pt-3","name":[{"given":["Charles"]}],"citizenship":[{"code":{"text":"ru"}}]}', 'update')`)
	before := queryJSON(t, pool, `select fhir.row_to_fhir(resource_type, id, txid, cts, ts, resource)::text from patient where id = 'pt-3'`)
	if !strings.Contains(before, `"citizenship"`) {
		t.Fatalf("without Attributes citizenship should pass through: %s", before)
	}
	exec(`select sluice.resource_write('Attribute', null, '{"resourceType":"Attribute","id":"Patient.citizenship","resource":{"resourceType":"Entity","id":"Patient"},"path":["citizenship"],"isCollection":true,"extensionUrl":"http://hl7.org/fhir/StructureDefinition/patient-citizenship"}', 'update')`)
	exec(`select sluice.resource_write('Attribute', null, '{"resourceType":"Attribute","id":"Patient.citizenship.code","resource":{"resourceType":"Entity","id":"Patient"},"path":["citizenship","code"],"type":{"resourceType":"Entity","id":"CodeableConcept"},"extensionUrl":"code"}', 'update')`)

	wantExt := `[{"url":"http://hl7.org/fhir/StructureDefinition/patient-citizenship","extension":[{"url":"code","valueCodeableConcept":{"text":"ru"}}]}]`
	for _, q := range []string{
		`select (fhir.row_to_fhir(resource_type, id, txid, cts, ts, resource)::jsonb -> 'extension')::text from patient where id = 'pt-3'`,
		`select (fhir.to_fhir(sluice.resource_read('Patient', 'pt-3')) -> 'extension')::text`,
		`select (fhir.row_to_fhir(t.resource_type, t.id, t.txid, t.cts, t.ts, t.resource, a.attrs)::jsonb -> 'extension')::text from patient t, (select fhir.attributes('Patient') attrs) a where t.id = 'pt-3'`,
	} {
		if got := queryJSON(t, pool, q); !jsonEqual(t, got, wantExt) {
			t.Errorf("%s:\n got  %s\n want %s", q, got, wantExt)
		}
	}
	var hasKey bool
	if err := pool.QueryRow(ctx, `select fhir.to_fhir(sluice.resource_read('Patient', 'pt-3')) ? 'citizenship'`).Scan(&hasKey); err != nil || hasKey {
		t.Errorf("citizenship should have moved into extension: %v %v", hasKey, err)
	}
	fhirIn := `{"resourceType":"Patient","id":"pt-3","name":[{"given":["Charles"]}],"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-citizenship","extension":[{"url":"code","valueCodeableConcept":{"text":"ru"}}]},{"url":"http://other","valueString":"x"}]}`
	got := queryJSON(t, pool, `select fhir.from_fhir($1::jsonb)::text`, fhirIn)
	want := `{"resourceType":"Patient","id":"pt-3","name":[{"given":["Charles"]}],"citizenship":[{"code":{"text":"ru"}}],"extension":[{"url":"http://other","valueString":"x"}]}`
	if !jsonEqual(t, got, want) {
		t.Errorf("from_fhir:\n got  %s\n want %s", got, want)
	}
	// Two citizenships (collection), a reference-typed leaf, and a non-collection nested one.
	exec(`select sluice.resource_write('Attribute', null, '{"resourceType":"Attribute","id":"Patient.citizenship.since","resource":{"resourceType":"Entity","id":"Patient"},"path":["citizenship","since"],"type":{"resourceType":"Entity","id":"dateTime"},"extensionUrl":"period-start"}', 'update')`)
	exec(`select sluice.resource_write('Attribute', null, '{"resourceType":"Attribute","id":"Patient.clinic","resource":{"resourceType":"Entity","id":"Patient"},"path":["clinic"],"type":{"resourceType":"Entity","id":"Reference"},"extensionUrl":"http://x/clinic"}', 'update')`)
	aidbox := `{"resourceType":"Patient","id":"p9","citizenship":[{"code":{"text":"ru"},"since":"2001"},{"code":{"text":"fr"}}],"clinic":{"resourceType":"Organization","id":"o1"}}`
	fhirWant := `{"resourceType":"Patient","id":"p9","extension":[
	  {"url":"http://hl7.org/fhir/StructureDefinition/patient-citizenship","extension":[{"url":"code","valueCodeableConcept":{"text":"ru"}},{"url":"period-start","valueDateTime":"2001"}]},
	  {"url":"http://hl7.org/fhir/StructureDefinition/patient-citizenship","extension":[{"url":"code","valueCodeableConcept":{"text":"fr"}}]},
	  {"url":"http://x/clinic","valueReference":{"reference":"Organization/o1"}}]}`
	gotF := queryJSON(t, pool, `select fhir.to_fhir($1::jsonb)::text`, aidbox)
	if !jsonEqual(t, gotF, fhirWant) {
		t.Errorf("to_fhir with nested/collection Attributes:\n got  %s\n want %s", gotF, fhirWant)
	}
	if gotA := queryJSON(t, pool, `select fhir.from_fhir($1::jsonb)::text`, gotF); !jsonEqual(t, gotA, aidbox) {
		t.Errorf("from_fhir back:\n got  %s\n want %s", gotA, aidbox)
	}
}

// TestFHIRBadInput: from_fhir and to_fhir reject what is not a resource with SL422.
func TestFHIRBadInput(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	for _, c := range []struct{ in, msg string }{
		{`[]`, "must be a JSON object, got array"},
		{`"x"`, "must be a JSON object, got string"},
		{`{"id":"x"}`, "has no resourceType"},
		{`{"resourceType":1}`, "resourceType must be a string, got number"},
		{`{"resourceType":null}`, "resourceType must be a string, got null"},
	} {
		for _, f := range []string{"from_fhir", "to_fhir"} {
			var out string
			err := pool.QueryRow(context.Background(), `select fhir.`+f+`($1::jsonb)::text`, c.in).Scan(&out)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "SL422" || !strings.Contains(pgErr.Message, c.msg) || !strings.Contains(pgErr.Message, f) {
				t.Errorf("%s(%s): got %v, want SL422 %q", f, c.in, err, c.msg)
			}
		}
	}
}

// TestFHIRRowToFHIRMeta: fhir.row_to_fhir builds meta from the row's columns whether or not the
// stored body has a meta of its own, the same in the 6-argument form and in the 7-argument form
// with the Attributes as a subquery (what $dump runs), and converts contained resources (through
// the dispatcher for nested resources) inside the resource being converted.
func TestFHIRRowToFHIRMeta(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	const contained = `"contained":[{"resourceType":"Patient","id":"p1","link":[{"other":{"resourceType":"Patient","id":"p2"},"type":"seealso"}]}],` +
		`"subject":{"localRef":"p1"},"encounter":{"resourceType":"Encounter","id":"e1"}`
	const containedFHIR = `"contained":[{"resourceType":"Patient","id":"p1","link":[{"other":{"reference":"Patient/p2"},"type":"seealso"}]}],` +
		`"subject":{"reference":"#p1"},"encounter":{"reference":"Encounter/e1"}`
	cases := []struct{ name, body, want string }{
		{"no meta in the body",
			`{"status":"final",` + contained + `}`,
			`{"resourceType":"Observation","id":"o1","status":"final",` + containedFHIR + `,"meta":{"versionId":"7","lastUpdated":"2021-01-02T03:04:05.000000Z","extension":[{"url":"ex:createdAt","valueInstant":"2020-01-02T03:04:05.123456Z"}]}}`},
		{"meta with other keys in the body",
			`{"status":"final","meta":{"profile":["http://p"],"extension":[{"url":"other","valueString":"x"}]},` + contained + `}`,
			`{"resourceType":"Observation","id":"o1","status":"final",` + containedFHIR + `,"meta":{"profile":["http://p"],"versionId":"7","lastUpdated":"2021-01-02T03:04:05.000000Z","extension":[{"url":"other","valueString":"x"},{"url":"ex:createdAt","valueInstant":"2020-01-02T03:04:05.123456Z"}]}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, sql := range []string{
				`select fhir.row_to_fhir('Observation', 'o1', 7, '2020-01-02T03:04:05.123456Z', '2021-01-02T03:04:05Z', $1::jsonb)::text`,
				`select fhir.row_to_fhir('Observation', 'o1', 7, '2020-01-02T03:04:05.123456Z', '2021-01-02T03:04:05Z', $1::jsonb, (select fhir.attributes('Observation')))::text`,
				`select fhir.row_to_fhir(t.resource_type, t.id, t.txid, t.cts, t.ts, t.resource, (select fhir.attributes('Observation')))::text
				 from (values ('Observation', 'o1', 7::bigint, '2020-01-02T03:04:05.123456Z'::timestamptz, '2021-01-02T03:04:05Z'::timestamptz, $1::jsonb))
				      as t (resource_type, id, txid, cts, ts, resource)`,
			} {
				if got := queryJSON(t, pool, sql, c.body); !jsonEqual(t, got, c.want) {
					t.Errorf("%s:\n got  %s\n want %s", sql, got, c.want)
				}
			}
		})
	}
}

// TestRepeatedKey: the check above finds a key repeated in any object, and only there.
func TestRepeatedKey(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		`{"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 1}]}`: "",
		`{"a": 1, "b": 2, "a": 3}`:                           "a",
		`{"b": {"x": [1, {"y": 1, "y": 2}]}}`:                "y",
		`{"b": {"x": {}}, "x": 1}`:                           "",
	} {
		if got, err := repeatedKey(text); err != nil || got != want {
			t.Errorf("repeatedKey(%s) = %q, %v; want %q", text, got, err, want)
		}
	}
}
