package rules

import (
	"context"
	"testing"

	"github.com/sluice-fhir/sluice/internal/pgtest"
)

// The stager pre-checks ids and type names in Go for speed; SQL owns the rules. The same inputs
// through both must get the same verdict.
func TestGoRulesMatchSQL(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	ctx := context.Background()

	for _, id := range []string{"pt-1", "a", "A.b-9", "", "a/b", "a b", "a_b", "é", "a#1", "a?x",
		"0123456789012345678901234567890123456789012345678901234567890123",
		"01234567890123456789012345678901234567890123456789012345678901234", "a\nb", "a\x00"} {
		var sqlVerdict bool
		// The text parameter cannot carry NUL: PostgreSQL refuses it before any rule runs.
		if id == "a\x00" {
			if IsValidID(id) {
				t.Errorf("IsValidID accepts an id with NUL")
			}
			continue
		}
		if err := pool.QueryRow(ctx, "select sluice.is_valid_id($1)", id).Scan(&sqlVerdict); err != nil {
			t.Fatal(err)
		}
		if got := IsValidID(id); got != sqlVerdict {
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
		if !IsTypeName(name) {
			t.Errorf("registered type %q fails IsTypeName", name)
		}
	}
	if rows.Err() != nil || n < 140 {
		t.Fatalf("%d registered types (%v)", n, rows.Err())
	}
	for _, bad := range []string{"", "Patient'", "Pat ient", "Patient;", "Patient1", "Ünicode"} {
		if IsTypeName(bad) {
			t.Errorf("IsTypeName(%q) = true", bad)
		}
	}
}
