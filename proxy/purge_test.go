package proxy_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/sluice-fhir/sluice/proxy"
)

// TestPatientPurge: $purge on a Synthea patient removes exactly the resources that reference
// it (counted here independently: any Patient reference to it anywhere in a body, current or
// history), with all their versions, leaves every other row, and a second purge removes
// nothing.
func TestPatientPurge(t *testing.T) {
	t.Parallel()
	ts, _ := newExportServer(t, proxy.Config{})
	ctx := context.Background()
	var victim, other string
	if err := ts.Pool.QueryRow(ctx, `select min(id), max(id) from patient`).Scan(&victim, &other); err != nil || victim == other {
		t.Fatalf("patients: %v %q %q", err, victim, other)
	}
	// One of its Observations gets a second version, so its history has rows to remove.
	var obsID string
	var obs []byte
	if err := ts.Pool.QueryRow(ctx, `select id, resource from observation where resource->'subject'->>'id' = $1 limit 1`, victim).Scan(&obsID, &obs); err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	json.Unmarshal(obs, &o)
	o["status"], o["resourceType"] = "amended", "Observation"
	obs, _ = json.Marshal(o)
	ts.expect(http.StatusOK, request{method: "PUT", path: "/Observation/" + obsID, body: string(obs)})

	// references counts, per type, the ids whose current or past body references Patient/<p>
	// anywhere, and the rows (current and history) of those ids; total counts every row.
	type counts struct{ ids, rows map[string]int64 }
	references := func(p string) counts {
		c := counts{ids: map[string]int64{}, rows: map[string]int64{}}
		rows, err := ts.Pool.Query(ctx, `select name, table_name from sluice.resource_type`)
		if err != nil {
			t.Fatal(err)
		}
		tables := map[string]string{}
		for rows.Next() {
			var name, table string
			rows.Scan(&name, &table)
			tables[name] = table
		}
		rows.Close()
		for name, table := range tables {
			current, history := `"`+table+`"`, `"`+table+`_history"`
			var ids, n int64
			q := `with hit as (
			        select id from ` + current + ` as t where (t.resource_type = 'Patient' and t.id = $1) or jsonb_path_exists(t.resource, 'strict $.** ? (@.resourceType == "Patient" && @.id == $p)', jsonb_build_object('p', $1::text))
			        union
			        select id from ` + history + ` as t where (t.resource_type = 'Patient' and t.id = $1) or jsonb_path_exists(t.resource, 'strict $.** ? (@.resourceType == "Patient" && @.id == $p)', jsonb_build_object('p', $1::text)))
			      select (select count(*) from hit),
			             (select count(*) from ` + current + ` where id in (select id from hit)) + (select count(*) from ` + history + ` where id in (select id from hit))`
			if err := ts.Pool.QueryRow(ctx, q, p).Scan(&ids, &n); err != nil {
				t.Fatal(err)
			}
			if ids > 0 {
				c.ids[name], c.rows[name] = ids, n
			}
		}
		return c
	}
	total := func() int64 {
		var n int64
		if err := ts.Pool.QueryRow(ctx, `select sum((xpath('/row/n/text()', query_to_xml(format('select count(*) as n from public.%I', t), false, true, '')))[1]::text::bigint)
		  from (select table_name from sluice.resource_type union all select table_name || '_history' from sluice.resource_type) as r(t)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	want := references(victim)
	if want.ids["Patient"] != 1 || want.ids["Observation"] == 0 || want.ids["Encounter"] == 0 {
		t.Fatalf("the Synthea patient %s has too little to purge: %v", victim, want.ids)
	}
	otherBefore := references(other)
	before := total()

	for _, path := range []string{"/fhir/Patient/" + victim + "/$purge", "/Patient/" + victim + "/$purge"} {
		var got map[string]int64
		if err := json.Unmarshal(ts.expect(http.StatusOK, request{method: "POST", path: path}), &got); err != nil {
			t.Fatal(err)
		}
		if path[1] == 'f' { // the first purge removes the compartment
			if len(got) != len(want.ids) {
				t.Errorf("purge removed %v, want %v", got, want.ids)
			}
			for typ, n := range want.ids {
				if got[typ] != n {
					t.Errorf("purge removed %d %s, want %d", got[typ], typ, n)
				}
			}
		} else if len(got) != 0 { // the second one finds nothing
			t.Errorf("second purge removed %v", got)
		}
	}
	var removedRows int64
	for _, n := range want.rows {
		removedRows += n
	}
	if after := total(); after != before-removedRows {
		t.Errorf("rows after purge %d, want %d - %d", after, before, removedRows)
	}
	if left := references(victim); len(left.ids) != 0 {
		t.Errorf("left after purge: %v", left.ids)
	}
	if otherAfter := references(other); len(otherAfter.ids) != len(otherBefore.ids) || otherAfter.ids["Observation"] != otherBefore.ids["Observation"] {
		t.Errorf("the other patient's resources %v, were %v", otherAfter.ids, otherBefore.ids)
	}
	ts.expect(http.StatusNotFound, request{method: "GET", path: "/Patient/" + victim})
	ts.expect(http.StatusOK, request{method: "POST", path: "/fhir/Patient/no-such-patient/$purge"})
	ts.expect(http.StatusMethodNotAllowed, request{method: "GET", path: "/fhir/Patient/" + victim + "/$purge"})
	ts.expect(http.StatusMethodNotAllowed, request{method: "POST", path: "/fhir/Observation/x/$purge"})
	// A client without a policy for it is refused.
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Client/reader", body: `{"secret":"s","grant_types":["basic"]}`})
	resp, _ := ts.do(request{method: "POST", path: "/fhir/Patient/" + other + "/$purge", auth: []string{"reader", "s"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("purge without a policy: %d", resp.StatusCode)
	}
}
