package sql_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-fhir/sluice/internal/pgtest"
)

// sluice.entry_run answers with the HTTP status of what each write did, as a number: in one
// transaction a POST answers 201 and a PUT of the same id 200 (both share current_timestamp,
// so the timestamps cannot tell them apart); a DELETE answers 200 and the next PUT 201, its
// row recreated. sluice.bundle_entry writes the same statuses as FHIR's text.
func TestEntryRunStatus(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		run := func(method, url, body string, want int) {
			t.Helper()
			var resource any // no resource for DELETE and GET
			if body != "" {
				resource = body
			}
			var status int
			var location string
			if err := tx.QueryRow(ctx, `select r.http_status, r.location from sluice.entry_run(jsonb_build_object(
				'request', jsonb_build_object('method', $1::text, 'url', $2::text), 'resource', $3::jsonb)) r`,
				method, url, resource).Scan(&status, &location); err != nil {
				t.Fatalf("%s %s: %v", method, url, err)
			}
			if status != want {
				t.Errorf("%s %s: status %d, want %d", method, url, status, want)
			}
			if location == "" {
				t.Errorf("%s %s: no location", method, url)
			}
		}
		run("POST", "/Patient", `{"id":"ws-1"}`, 201)
		run("PUT", "/Patient/ws-1", `{"gender":"male"}`, 200)
		run("DELETE", "/Patient/ws-1", ``, 200)
		run("PUT", "/Patient/ws-1", `{"gender":"female"}`, 201)
		run("GET", "/Patient/ws-1", ``, 200)
		var rowStatus, text string
		if err := tx.QueryRow(ctx, `select status::text from public.patient where id = 'ws-1'`).Scan(&rowStatus); err != nil {
			t.Fatal(err)
		}
		if rowStatus != "recreated" {
			t.Errorf("row status %q after delete and PUT, want recreated", rowStatus)
		}
		if err := tx.QueryRow(ctx, `select sluice.bundle_entry('{"request":{"method":"PUT","url":"/Patient/ws-1"},"resource":{}}') #>> '{response,status}'`).Scan(&text); err != nil {
			t.Fatal(err)
		}
		if text != "200 OK" {
			t.Errorf("bundle_entry status %q, want 200 OK", text)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A load after a delete records the new row as recreated, as a REST write does
// (sluice.new_row_status is the one rule for both).
func TestLoadAfterDeleteRecreated(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	if _, err := pool.Exec(ctx, `select sluice.resource_write('Patient', 'ld-1', '{}', 'update'),
	                                    sluice.resource_delete('Patient', 'ld-1')`); err != nil {
		t.Fatal(err)
	}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var stage string
		if err := tx.QueryRow(ctx, `select sluice.load_stage()`).Scan(&stage); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `insert into `+stage+` (line_no, resource_type, id, resource)
		                             values (1, 'Patient', 'ld-1', '{"gender":"male"}'), (2, 'Patient', 'ld-2', '{}')`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `select sluice.load_merge(null, false, false, false, null, false)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query(ctx, `select id, status::text from public.patient where id in ('ld-1', 'ld-2') order by id`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ ID, Status string }])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Status != "recreated" || got[1].Status != "created" {
		t.Errorf("rows %v, want ld-1 recreated and ld-2 created", got)
	}
}
