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
		// The parser does not judge names: an unknown type or a bad id is the handler's 404/422.
		{"/NoSuchType/x y", route{resourceType: "NoSuchType", id: "x y"}},
		{"/$nope", route{operation: "$nope"}},
		// Slashes around the path do not count.
		{"//Patient", route{resourceType: "Patient"}},
		{"/Patient/pt-1//", route{resourceType: "Patient", id: "pt-1"}},
		// Only the first segment can say fhir.
		{"/fhir/fhir", route{fhir: true, resourceType: "fhir"}},
		{"/Patient/fhir", route{resourceType: "Patient", id: "fhir"}},
		// Aidbox's conversion endpoints; under /fhir the path is a type and an id as any other.
		{"/to-format/fhir", route{operation: "to-format/fhir"}},
		{"/to-format/aidbox", route{operation: "to-format/aidbox"}},
		{"/fhir/to-format/fhir", route{fhir: true, resourceType: "to-format", id: "fhir"}},
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
		"/Patient/pt-1/$dump",      //
		"/fhir/Patient/pt-1/x",     //
		"/$load/Patient",           // an operation is the last segment
		"/fhir/$import/x",          //
		"/to-format/xml",           // only fhir and aidbox
		"/to-format/fhir/x",        //
	} {
		if got, ok := parseRoute(path); ok {
			t.Errorf("parseRoute(%q) = %+v, want refused", path, got)
		}
	}
}
