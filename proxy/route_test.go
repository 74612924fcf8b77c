package proxy

import "testing"

// TestParseRoute: the paths sluice serves and what each names; every other shape is refused
// (404 before authentication).
func TestParseRoute(t *testing.T) {
	t.Parallel()
	cases := []struct {
		path string
		want route
	}{
		{"/", route{}},
		{"", route{}},
		{"/Patient", route{resourceType: "Patient"}},
		{"/Patient/", route{resourceType: "Patient"}},
		{"/Patient/pt-1", route{resourceType: "Patient", id: "pt-1"}},
		{"/Patient/$dump", route{resourceType: "Patient", operation: "$dump"}},
		{"/Patient/$dump-csv", route{resourceType: "Patient", operation: "$dump-csv"}},
		{"/$dump-sql", route{operation: "$dump-sql"}},
		{"/$load", route{operation: "$load"}},
		{"/fhir", route{fhir: true}},
		{"/fhir/", route{fhir: true}},
		{"/fhir/Patient", route{fhir: true, resourceType: "Patient"}},
		{"/fhir/Patient/pt-1", route{fhir: true, resourceType: "Patient", id: "pt-1"}},
		{"/fhir/Patient/$load", route{fhir: true, resourceType: "Patient", operation: "$load"}},
		{"/fhir/$import", route{fhir: true, operation: "$import"}},
		{"/BulkImportStatus/synthea", route{resourceType: "BulkImportStatus", id: "synthea"}},
		{"/fhir/Group/g1/$export", route{fhir: true, resourceType: "Group", id: "g1", operation: "$export"}},
		{"/Patient/pt-1/$dump", route{resourceType: "Patient", id: "pt-1", operation: "$dump"}}, // the handler refuses it
		{"/fhir/$export-status/j1", route{fhir: true, operation: "$export-status", id: "j1"}},
		{"/fhir/$export-file/j1/Patient-1.ndjson", route{fhir: true, operation: "$export-file", id: "j1", file: "Patient-1.ndjson"}},
		// The parser does not judge names: an unknown type or a bad id is the handler's 404/422.
		{"/NoSuchType/x y", route{resourceType: "NoSuchType", id: "x y"}},
		{"/$nope", route{operation: "$nope"}},
		// Slashes around the path do not count.
		{"//Patient", route{resourceType: "Patient"}},
		{"/Patient/pt-1//", route{resourceType: "Patient", id: "pt-1"}},
		// Only the first segment can say fhir.
		{"/fhir/fhir", route{fhir: true, resourceType: "fhir"}},
		{"/Patient/fhir", route{resourceType: "Patient", id: "fhir"}},
	}
	for _, c := range cases {
		got, ok := parseRoute(c.path)
		if !ok || got != c.want {
			t.Errorf("parseRoute(%q) = %+v, %v; want %+v, true", c.path, got, ok, c.want)
		}
	}
	for _, path := range []string{
		"/Patient//pt-1",           // an empty segment
		"/fhir//Patient",           //
		"/Patient/pt-1/_history/1", // more than two segments
		"/$export-status/$x",       //
		"/fhir/$export-file/j/$x",  //
		"/fhir/Patient/pt-1/x",     //
		"/$load/Patient",           // an operation is the last segment
		"/fhir/$import/x",          //
	} {
		if got, ok := parseRoute(path); ok {
			t.Errorf("parseRoute(%q) = %+v, want refused", path, got)
		}
	}
}
