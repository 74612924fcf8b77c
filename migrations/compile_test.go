package migrations_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-fhir/sluice/internal/pgtest"
)

// generated is every function compile() makes: identity -> oid and definition.
func generated(t *testing.T, conn *pgx.Conn) map[string][2]string {
	t.Helper()
	rows, err := conn.Query(context.Background(), `
		select p.oid::regprocedure::text, p.oid::text, pg_get_functiondef(p.oid)
		from pg_proc p
		where p.pronamespace = 'fhir_meta'::regnamespace
		  and p.proname not in ('compile', 'compile_array', 'compile_dispatch', 'function_name')`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][2]string{}
	for rows.Next() {
		var name, oid, def string
		if err := rows.Scan(&name, &oid, &def); err != nil {
			t.Fatal(err)
		}
		out[name] = [2]string{oid, def}
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	return out
}

func execSQL(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func toFHIR(t *testing.T, conn *pgx.Conn, resource string) string {
	t.Helper()
	var out string
	if err := conn.QueryRow(context.Background(), "select fhir.to_fhir($1::jsonb)::text", resource).Scan(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// The upgrade path of the conversion: after a metadata change, rerunning compile() regenerates
// the functions the change affects, drops those of removed owners, leaves every other one as
// it was (same object, same text), and the public functions keep working. Run twice,
// compile() changes nothing.
func TestCompileAfterMetadataChange(t *testing.T) {
	conn, err := pgx.Connect(context.Background(), pgtest.NewMigratedDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())

	before := generated(t, conn)
	if len(before) < 1000 {
		t.Fatalf("only %d generated functions", len(before))
	}
	execSQL(t, conn, "select fhir_meta.compile()")
	again := generated(t, conn)
	for name, f := range before {
		if again[name] != f {
			t.Errorf("compile() run again changed %s", name)
		}
	}
	if len(again) != len(before) {
		t.Errorf("compile() run again made %d functions, first %d", len(again), len(before))
	}

	patient := `{"resourceType": "Patient", "id": "p1",
		"managingOrganization": {"resourceType": "Organization", "id": "o1"},
		"contact": [{"organization": {"resourceType": "Organization", "id": "o2"}}]}`
	const converted = `{"id": "p1", "contact": [{"organization": {"reference": "Organization/o2"}}], "resourceType": "Patient", "managingOrganization": {"reference": "Organization/o1"}}`
	if got := toFHIR(t, conn, patient); got != converted {
		t.Fatalf("before the change:\n got  %s\n want %s", got, converted)
	}

	// Patient.contact is no longer known: its functions go, Patient's own are made anew (its
	// contact is then copied as it is), nothing else changes.
	execSQL(t, conn, "delete from fhir_meta.owner where name = 'Patient.contact'")
	execSQL(t, conn, "select fhir_meta.compile()")
	after := generated(t, conn)
	dropped := map[string]bool{
		`fhir_meta."to:Patient.contact"(jsonb)`: true, `fhir_meta."from:Patient.contact"(jsonb)`: true,
		`fhir_meta."to[]:Patient.contact"(jsonb)`: true, `fhir_meta."from[]:Patient.contact"(jsonb)`: true,
	}
	changed := map[string]bool{`fhir_meta."to:Patient"(jsonb,text)`: true, `fhir_meta."from:Patient"(jsonb,text)`: true}
	for name, f := range before {
		g, ok := after[name]
		switch {
		case dropped[name]:
			if ok {
				t.Errorf("%s was not dropped", name)
			}
		case changed[name]:
			if !ok || g[0] != f[0] || g[1] == f[1] {
				t.Errorf("%s was not replaced in place with a new body (present %v)", name, ok)
			}
		case g != f:
			t.Errorf("%s changed, though the change does not concern it", name)
		}
	}
	for name := range dropped {
		if _, ok := before[name]; !ok {
			t.Errorf("%s did not exist before the change", name)
		}
	}
	if len(after) != len(before)-len(dropped) {
		t.Errorf("%d functions after the change, want %d", len(after), len(before)-len(dropped))
	}
	const contactAsIs = `{"id": "p1", "contact": [{"organization": {"id": "o2", "resourceType": "Organization"}}], "resourceType": "Patient", "managingOrganization": {"reference": "Organization/o1"}}`
	if got := toFHIR(t, conn, patient); got != contactAsIs {
		t.Errorf("after the change:\n got  %s\n want %s", got, contactAsIs)
	}
}
