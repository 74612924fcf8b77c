package proxy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/sluice-fhir/sluice/proxy"
)

// TestBulkImportStatusStored: a job's BulkImportStatus is a stored resource, a version per
// change of the job tables (created, each input ended), with meta; the stored body is the
// status as the job tables have it, readable by GET, $dump and $dump-sql, and policies apply.
func TestBulkImportStatusStored(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	good := src.add("/good.ndjson", lines(`{"id":"a"}`))
	bad := src.add("/bad.ndjson", lines(`{"id":"b"}`, `{"id":"c"`))
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", body: fmt.Sprintf(
		`{"id":"stored","inputs":[{"resourceType":"Patient","url":%q},{"resourceType":"Organization","url":%q},{"resourceType":"Practitioner","url":%q}]}`,
		good, bad, src.URL+"/missing")})
	status := waitImport(t, ts, "stored")
	meta, _ := status["meta"].(map[string]any)
	if meta["versionId"] == nil || meta["lastUpdated"] == nil || meta["createdAt"] == nil {
		t.Fatalf("no meta: %v", status)
	}

	ctx := context.Background()
	// The stored body is the status without its meta (nothing runs any more, so no running
	// count differs), and the version GET shows is the stored one.
	var stored []byte
	var versionID string
	var versions int
	if err := ts.Pool.QueryRow(ctx, `select resource, txid::text, (select count(*) from bulkimportstatus_history where id = 'stored')
	    from bulkimportstatus where id = 'stored'`).Scan(&stored, &versionID, &versions); err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	json.Unmarshal(stored, &body)
	want := map[string]any{}
	for k, v := range status {
		if k != "meta" && k != "id" && k != "resourceType" {
			want[k] = v
		}
	}
	if !reflect.DeepEqual(body, want) || meta["versionId"] != versionID {
		t.Errorf("stored %v (version %s), GET %v", body, versionID, status)
	}
	// Created, then three inputs ended, each in its own transaction: four versions.
	if versions != 3 {
		t.Errorf("%d history rows, want 3 (created, then three inputs ended)", versions)
	}
	var firstStatus string
	if err := ts.Pool.QueryRow(ctx, `select resource->>'status' from bulkimportstatus_history where id = 'stored' order by txid limit 1`).Scan(&firstStatus); err != nil || firstStatus != "active" {
		t.Errorf("the first version's status %q, want active: %v", firstStatus, err)
	}

	// $dump and $dump-sql read it as any resource.
	dumped := ndjsonLines(t, ts.expectStream(http.StatusOK, request{method: "GET", path: "/BulkImportStatus/$dump"}, nil).body)
	if len(dumped) != 1 || dumped[0]["id"] != "stored" || dumped[0]["status"] != "failed" {
		t.Errorf("$dump: %v", dumped)
	}
	tsv := ts.expectStream(http.StatusOK, request{method: "POST", path: "/$dump-sql", body: `{"query": "select id, resource->>'status' from bulkimportstatus"}`}, nil)
	if string(tsv.body) != "stored\tfailed\n" {
		t.Errorf("$dump-sql: %q", tsv.body)
	}
	// A client without a policy for it may not dump it.
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Client/nobody", body: `{"secret":"s","grant_types":["basic"]}`})
	resp, _ := ts.do(request{method: "GET", path: "/BulkImportStatus/$dump", auth: []string{"nobody", "s"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("$dump without a policy: %d", resp.StatusCode)
	}

	// A cancel is a version too, and what GET answers.
	slow := src.add("/one.ndjson", lines(`{"id":"z"}`))
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", body: fmt.Sprintf(`{"id":"c1","inputs":[{"resourceType":"Patient","url":%q}]}`, slow)})
	resp, got := ts.do(request{method: "DELETE", path: "/BulkImportStatus/c1"})
	if resp.StatusCode == http.StatusOK {
		var storedStatus string
		ts.Pool.QueryRow(ctx, `select resource->>'status' from bulkimportstatus where id = 'c1'`).Scan(&storedStatus)
		if storedStatus != "cancelled" || !strings.Contains(string(got), "cancelled") {
			t.Errorf("cancelled: stored %q, answered %s", storedStatus, got)
		}
	}
}
