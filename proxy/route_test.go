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
		// One trailing slash does not count.
		{"/Patient/pt-1/", route{resourceType: "Patient", id: "pt-1"}},
		// Versions: the history of a resource and one version of it.
		{"/Patient/pt-1/_history", route{resourceType: "Patient", id: "pt-1", history: true}},
		{"/Patient/pt-1/_history/", route{resourceType: "Patient", id: "pt-1", history: true}},
		{"/Patient/pt-1/_history/7", route{resourceType: "Patient", id: "pt-1", history: true, version: "7"}},
		{"/fhir/Patient/pt-1/_history", route{fhir: true, resourceType: "Patient", id: "pt-1", history: true}},
		{"/fhir/Patient/pt-1/_history/7", route{fhir: true, resourceType: "Patient", id: "pt-1", history: true, version: "7"}},
		// The handler judges the version id (an unknown one is 404).
		{"/Patient/pt-1/_history/x", route{resourceType: "Patient", id: "pt-1", history: true, version: "x"}},
		// The CapabilityStatement, under /fhir only.
		{"/fhir/metadata", route{fhir: true, metadata: true}},
		{"/fhir/metadata/", route{fhir: true, metadata: true}},
		{"/fhir/metadata/x", route{fhir: true, resourceType: "metadata", id: "x"}},
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
		"/Patient//pt-1",             // an empty segment
		"/fhir//Patient",             //
		"//Patient",                  // more than one leading slash
		"//fhir/Patient",             //
		"Patient",                    // no leading slash
		"/Patient/pt-1//",            // more than one trailing slash
		"/Patient//",                 //
		"/fhir/Patient/pt-1/x",       //
		"/Patient/pt-1/history",      //
		"/Patient/pt-1/_history/1/x", // more than four segments
		"/Patient/pt-1/_history/$x",  // an operation as the version
		"/Patient/$dump/_history",    // an operation before _history
		"/$load/_history/1",          //
		"/Patient/pt-1/x/1",          // four segments other than _history/<vid>
		"/Patient/pt-1//_history",    // an empty segment
		"/$load/Patient",             // an operation is the last segment
		"/fhir/$import/x",            //
		"/metadata",                  // the CapabilityStatement is under /fhir only
		"/metadata/",                 //
		"/$export-status/$x",         // an operation as the job
		"/fhir/$export-file/j/$x",    // an operation as the file
		"/to-format/xml",             // only fhir and aidbox
		"/to-format/fhir/x",          //
	} {
		if got, ok := parseRoute(path); ok {
			t.Errorf("parseRoute(%q) = %+v, want refused", path, got)
		}
	}
}
