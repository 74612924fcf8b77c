package proxy_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/sluice-fhir/sluice/proxy"
)

// TestToFormat: POST /to-format/fhir and /to-format/aidbox convert the body with the SQL
// functions (the seed's first-class extension included), JSON or YAML in and out, and store
// nothing.
func TestToFormat(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	before := ts.count("select count(*) from patient") + ts.count("select count(*) from patient_history")

	aidbox := `{"resourceType":"Patient","id":"pt-9","citizenship":[{"code":{"text":"ru"}}],` +
		`"deceased":{"boolean":false},"managingOrganization":{"resourceType":"Organization","id":"org-1"}}`
	resp, body := ts.do(request{method: "POST", path: "/to-format/fhir", body: aidbox})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/fhir+json" {
		t.Fatalf("/to-format/fhir: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	fhir := decode(t, body)
	if fhir["deceasedBoolean"] != false || fhir["managingOrganization"].(map[string]any)["reference"] != "Organization/org-1" {
		t.Errorf("/to-format/fhir: %s", body)
	}
	ext, _ := json.Marshal(fhir["extension"])
	if !strings.Contains(string(ext), `"url":"http://hl7.org/fhir/StructureDefinition/patient-citizenship"`) || fhir["citizenship"] != nil {
		t.Errorf("the Attribute's extension: %s", body)
	}
	// The answer is what the SQL function makes of the body.
	var want map[string]any
	if err := ts.Pool.QueryRow(context.Background(), "select fhir.to_fhir($1::jsonb)", aidbox).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fhir, want) {
		t.Errorf("/to-format/fhir %v, fhir.to_fhir %v", fhir, want)
	}

	// And back: the FHIR resource in YAML, to Aidbox format, as YAML.
	resp, back := ts.do(request{method: "POST", path: "/to-format/aidbox", body: string(body), accept: "text/yaml"})
	got := yamlAnswer(t, "/to-format/aidbox", resp, back)
	var original any
	json.Unmarshal([]byte(aidbox), &original)
	if resp.StatusCode != http.StatusOK || !reflect.DeepEqual(got, original) {
		t.Errorf("/to-format/aidbox: %d %s, want %s", resp.StatusCode, back, aidbox)
	}
	yamlIn := "resourceType: Observation\nid: o1\nvalueQuantity: {value: 1.50, unit: mg}\nsubject: {reference: Patient/pt-1}\n"
	converted := decode(t, ts.expect(http.StatusOK, request{method: "POST", path: "/to-format/aidbox", body: yamlIn, contentType: yamlType}))
	if q, _ := json.Marshal(converted["value"]); string(q) != `{"Quantity":{"unit":"mg","value":1.5}}` ||
		converted["subject"].(map[string]any)["id"] != "pt-1" {
		t.Errorf("YAML in: %v", converted)
	}

	for _, c := range []struct {
		req    request
		status int
		says   string
	}{
		{request{method: "POST", path: "/to-format/fhir", body: `[]`}, http.StatusUnprocessableEntity, "resourceType"},
		{request{method: "POST", path: "/to-format/fhir", body: `"Patient"`}, http.StatusUnprocessableEntity, "resourceType"},
		{request{method: "POST", path: "/to-format/aidbox", body: `{"id":"x"}`}, http.StatusUnprocessableEntity, "resourceType"},
		{request{method: "POST", path: "/to-format/aidbox", body: `{"resourceType":1}`}, http.StatusUnprocessableEntity, "resourceType"},
		{request{method: "POST", path: "/to-format/fhir", body: `{"resourceType":"Nonsense"}`}, http.StatusNotFound, "unknown resource type Nonsense"},
		{request{method: "POST", path: "/to-format/fhir", body: `{"resourceType":`}, http.StatusBadRequest, "malformed JSON"},
		{request{method: "POST", path: "/to-format/fhir"}, http.StatusBadRequest, "needs a body"},
		{request{method: "GET", path: "/to-format/fhir"}, http.StatusMethodNotAllowed, "not supported"},
		{request{method: "POST", path: "/to-format/xml", body: aidbox}, http.StatusNotFound, "no such endpoint"},
		{request{method: "POST", path: "/to-format/fhir/x", body: aidbox}, http.StatusNotFound, "no such endpoint"},
		{request{method: "POST", path: "/fhir/to-format/fhir", body: aidbox}, http.StatusMethodNotAllowed, "not supported"}, // no /fhir twin
	} {
		body := ts.expect(c.status, c.req)
		if oo := decode(t, body); oo["resourceType"] != "OperationOutcome" || !strings.Contains(string(body), c.says) {
			t.Errorf("%s %s %s: %s, want it to say %q", c.req.method, c.req.path, c.req.body, body, c.says)
		}
	}
	if after := ts.count("select count(*) from patient") + ts.count("select count(*) from patient_history"); after != before {
		t.Errorf("rows %d before, %d after: /to-format stored something", before, after)
	}

	// Access policies apply as to any endpoint: the seed's policy does not list /to-format; one
	// that lists /to-format/fhir lets that one through and not the other.
	bulkClient := []string{"bulk-client", "secret"}
	ts.expect(http.StatusForbidden, request{method: "POST", path: "/to-format/fhir", body: aidbox, auth: bulkClient})
	ts.expect(http.StatusUnauthorized, request{method: "POST", path: "/to-format/fhir", body: aidbox, auth: []string{}})
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/AccessPolicy/to-fhir", body: `{"engine":"matcho",` +
		`"matcho":{"uri":"/to-format/fhir","request-method":"post"},"link":[{"id":"bulk-client","resourceType":"Client"}]}`})
	ts.expect(http.StatusOK, request{method: "POST", path: "/to-format/fhir", body: aidbox, auth: bulkClient})
	ts.expect(http.StatusForbidden, request{method: "POST", path: "/to-format/aidbox", body: string(body), auth: bulkClient})
}
