package proxy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sluice-fhir/sluice/proxy"
)

// medplumCore is where `make medplum` (a prerequisite of `make test`) installs the pinned
// @medplum/core.
const medplumCore = "../.tools/medplum/node_modules/@medplum/core"

// A real third-party client, unmodified: @medplum/core's MedplumClient.bulkExport with Basic
// credentials of a Client whose policy allows $export, in node, for system, Patient and Group
// exports of the Synthea set. Every resource it downloads equals what $dump?fhir=true gives for
// it, and each export has what it should.
func TestExportMedplumClient(t *testing.T) {
	t.Parallel()
	core, err := filepath.Abs(medplumCore)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(core, "package.json")); err != nil {
		t.Fatalf("@medplum/core is not installed (make medplum): %v", err)
	}
	ts, _ := newExportServer(t, proxy.Config{ExportMaxLines: 1000})
	ts.expect(http.StatusOK, request{method: "PUT", path: "/", body: `[
		{"resourceType": "Client", "id": "medplum", "secret": "medplum-secret", "grant_types": ["basic"]},
		{"resourceType": "AccessPolicy", "id": "medplum-export", "engine": "matcho",
		 "matcho": {"uri": "#^/fhir/(Patient/|Group/[^/]+/)?\\$export"}, "link": [{"id": "medplum", "resourceType": "Client"}]}]`})

	var patients []string
	for _, line := range ts.dumpFHIR("Patient") {
		var p struct{ ID string }
		json.Unmarshal([]byte(line), &p)
		patients = append(patients, p.ID)
	}
	ts.expect(http.StatusCreated, request{method: "POST", path: "/fhir/Group", body: fmt.Sprintf(
		`{"resourceType": "Group", "id": "two", "type": "person", "actual": true, "member": [{"entity": {"reference": "Patient/%s"}}, {"entity": {"reference": "Patient/%s"}}]}`,
		patients[0], patients[1])})

	// What $dump?fhir=true gives, by type and id.
	dumped := map[string]map[string]any{}
	for _, typ := range append(sortedTypes(loadSet(t)), "Group") {
		dumped[typ] = map[string]any{}
		for _, line := range ts.dumpFHIR(typ) {
			var r map[string]any
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			dumped[typ][r["id"].(string)] = r
		}
	}

	cmd := exec.Command("node", "testdata/medplum-bulk-export.cjs")
	cmd.Env = append(os.Environ(), "MEDPLUM_CORE="+core, "SLUICE_URL="+ts.URL, "CLIENT_ID=medplum", "CLIENT_SECRET=medplum-secret", "GROUP_ID=two")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var got map[string]map[string][]map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("node's output: %v", err)
	}
	for level, byType := range got {
		for typ, resources := range byType {
			for _, r := range resources {
				want, ok := dumped[typ][r["id"].(string)]
				if !ok {
					t.Errorf("%s export: %s/%v is not in $dump", level, typ, r["id"])
					continue
				}
				a, _ := json.Marshal(r)
				b, _ := json.Marshal(want)
				if !bytes.Equal(a, b) {
					t.Errorf("%s export: %s/%v differs from $dump?fhir=true:\n%s\n%s", level, typ, r["id"], a, b)
				}
			}
		}
	}
	for typ, byID := range dumped {
		if len(got["system"][typ]) != len(byID) {
			t.Errorf("system export: %d %s, $dump has %d", len(got["system"][typ]), typ, len(byID))
		}
	}
	if len(got["patient"]["Patient"]) != len(patients) || len(got["patient"]["Observation"]) != len(dumped["Observation"]) {
		t.Errorf("Patient export: %d patients, %d observations", len(got["patient"]["Patient"]), len(got["patient"]["Observation"]))
	}
	if len(got["patient"]["Organization"]) != 0 {
		t.Errorf("Patient export: Organization is not in the Patient compartment")
	}
	if len(got["group"]["Patient"]) != 2 || len(got["group"]["Observation"]) == 0 || len(got["group"]["Observation"]) >= len(dumped["Observation"]) {
		t.Errorf("Group export: %d patients, %d observations", len(got["group"]["Patient"]), len(got["group"]["Observation"]))
	}
}
