package proxy

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/sluice-fhir/sluice/internal/pgtest"
)

// The stager pre-checks ids and type names in Go for speed; SQL owns the rules. The same inputs
// through both must get the same verdict.
func TestGoRulesMatchSQL(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()

	for _, id := range []string{"pt-1", "a", "A.b-9", "", "a/b", "a b", "a_b", "é", "a#1", "a?x",
		"0123456789012345678901234567890123456789012345678901234567890123",
		"01234567890123456789012345678901234567890123456789012345678901234", "a\nb", "a\x00"} {
		var sqlVerdict bool
		// The text parameter cannot carry NUL: PostgreSQL refuses it before any rule runs.
		if id == "a\x00" {
			if isValidID(id) {
				t.Errorf("isValidID accepts an id with NUL")
			}
			continue
		}
		if err := pool.QueryRow(ctx, "select sluice.is_valid_id($1)", id).Scan(&sqlVerdict); err != nil {
			t.Fatal(err)
		}
		if got := isValidID(id); got != sqlVerdict {
			t.Errorf("id %q: Go says %v, sluice.is_valid_id says %v", id, got, sqlVerdict)
		}
	}

	// Every registered type passes the Go type-name rule (else it could not be dumped or loaded),
	// and the Go rule refuses what could not be a registered name written as a literal.
	rows, err := pool.Query(ctx, "select name from sluice.resource_type")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		n++
		if !isTypeName(name) {
			t.Errorf("registered type %q fails isTypeName", name)
		}
	}
	if rows.Err() != nil || n < 140 {
		t.Fatalf("%d registered types (%v)", n, rows.Err())
	}
	for _, bad := range []string{"", "Patient'", "Pat ient", "Patient;", "Patient1", "Ünicode"} {
		if isTypeName(bad) {
			t.Errorf("isTypeName(%q) = true", bad)
		}
	}
}

// The stager leaves in resource exactly the body the resource table stores (without id,
// resourceType and the meta fields the row's columns hold); sluice.resource_body is SQL's rule
// for it, which REST writes use. The same lines through both must give the same body.
func TestStagedBodyMatchesSQL(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	for _, line := range []string{
		`{"id":"a"}`,
		`{"id":"a","resourceType":"Patient","gender":"male"}`,
		`{"resourceType":"Patient","id":"a","name":[{"given":["x"]}],"active":true}`,
		`{"id":"a","meta":{"versionId":"1","lastUpdated":"2020-01-01T00:00:00Z"}}`,
		`{"id":"a","meta":{"createdAt":"2020-01-01T00:00:00Z","tag":[{"code":"x"}]}}`,
		`{"id":"a","meta":{}}`,
		`{"id":"a","meta":{"profile":["p"]},"b":{"id":"inner","meta":1}}`,
		`{"meta":{"source":"s","versionId":"7"},"id":"a"}`,
		`{"id":"a","meta":"text"}`,
		`{"id":"a","meta":null,"x":1}`,
		`{"id":"a","meta":[{"tag":1}]}`,
	} {
		st := newStager(strings.NewReader(line+"\n"), "Patient", false, loadLimits{maxBytes: 1 << 20, maxLines: 10})
		out, err := io.ReadAll(st)
		if failure := st.failure(); failure != nil || err != nil {
			t.Errorf("%s: the stager refused it: %v %v", line, failure, err)
			continue
		}
		fields := bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\x02"))
		if len(fields) != 5 {
			t.Fatalf("%s: staged %q", line, out)
		}
		var same bool
		var want string
		if err := pool.QueryRow(ctx, `select $1::jsonb = sluice.resource_body($2::jsonb), sluice.resource_body($2::jsonb)::text`,
			string(fields[4]), line).Scan(&same, &want); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if !same {
			t.Errorf("%s: the stager stores %s, sluice.resource_body %s", line, fields[4], want)
		}
	}
}
