package proxy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-fhir/sluice/proxy"
)

// capabilityStatement is the part of a CapabilityStatement the tests read.
type capabilityStatement struct {
	ResourceType string   `json:"resourceType"`
	Status       string   `json:"status"`
	Kind         string   `json:"kind"`
	FHIRVersion  string   `json:"fhirVersion"`
	Format       []string `json:"format"`
	Instantiates []string `json:"instantiates"`
	Rest         []struct {
		Mode     string `json:"mode"`
		Security struct {
			Service []struct {
				Coding []struct{ System, Code string } `json:"coding"`
			} `json:"service"`
			Extension []struct {
				URL       string `json:"url"`
				Extension []struct {
					URL      string `json:"url"`
					ValueURI string `json:"valueUri"`
				} `json:"extension"`
			} `json:"extension"`
		} `json:"security"`
		Interaction []struct{ Code string } `json:"interaction"`
		Operation   []capabilityOperation   `json:"operation"`
		Resource    []struct {
			Type        string                  `json:"type"`
			Interaction []struct{ Code string } `json:"interaction"`
			Operation   []capabilityOperation   `json:"operation"`
		} `json:"resource"`
	} `json:"rest"`
}

type capabilityOperation struct{ Name, Definition string }

// The Bulk Data export operations, as the IG (v2) names them.
const (
	exportDefinition       = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"
	patientExportDefiniton = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"
	groupExportDefinition  = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export"
)

// GET /fhir/metadata answers without credentials a CapabilityStatement that is valid FHIR R4
// and says what a Bulk Data client (Inferno's test kit) looks for; every type it lists answers
// the interactions it lists for it.
func TestCapabilityStatement(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})

	resp, body := ts.do(request{method: "GET", path: "/fhir/metadata", auth: []string{}})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/fhir+json" {
		t.Fatalf("GET /fhir/metadata without credentials: %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	validateFHIR(t, "CapabilityStatement", body)
	var cs capabilityStatement
	if err := json.Unmarshal(body, &cs); err != nil {
		t.Fatal(err)
	}
	if cs.ResourceType != "CapabilityStatement" || cs.Status != "active" || cs.Kind != "instance" || cs.FHIRVersion != "4.0.1" {
		t.Errorf("resourceType %q status %q kind %q fhirVersion %q", cs.ResourceType, cs.Status, cs.Kind, cs.FHIRVersion)
	}
	if !slices.Contains(cs.Instantiates, "http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data") {
		t.Errorf("instantiates %v, want the Bulk Data CapabilityStatement", cs.Instantiates)
	}
	for _, format := range []string{"json", "application/fhir+json", "application/fhir+ndjson"} {
		if !slices.Contains(cs.Format, format) {
			t.Errorf("format %v lacks %s", cs.Format, format)
		}
	}
	if len(cs.Rest) != 1 || cs.Rest[0].Mode != "server" {
		t.Fatalf("rest: %+v", cs.Rest)
	}
	rest := cs.Rest[0]
	var services []string
	for _, service := range rest.Security.Service {
		for _, c := range service.Coding {
			if c.System == "http://terminology.hl7.org/CodeSystem/restful-security-service" {
				services = append(services, c.Code)
			}
		}
	}
	if !slices.Equal(services, []string{"SMART-on-FHIR", "Basic"}) {
		t.Errorf("rest.security services %v, want SMART-on-FHIR and Basic", services)
	}
	// SMART clients find the token endpoint here (oauth-uris) or in the discovery document:
	// both must name the same one.
	var discovery struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.Unmarshal(ts.expect(http.StatusOK, request{method: "GET", path: "/fhir/.well-known/smart-configuration", auth: []string{}}), &discovery); err != nil {
		t.Fatal(err)
	}
	if len(rest.Security.Extension) != 1 || rest.Security.Extension[0].URL != "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris" ||
		len(rest.Security.Extension[0].Extension) != 1 || rest.Security.Extension[0].Extension[0].URL != "token" ||
		rest.Security.Extension[0].Extension[0].ValueURI != discovery.TokenEndpoint || discovery.TokenEndpoint == "" {
		t.Errorf("rest.security extension %+v does not name the token endpoint %q", rest.Security.Extension, discovery.TokenEndpoint)
	}
	if !slices.Contains(rest.Operation, capabilityOperation{"export", exportDefinition}) {
		t.Errorf("system operations %v lack export", rest.Operation)
	}
	var system []string
	for _, i := range rest.Interaction {
		system = append(system, i.Code)
	}
	if !slices.Equal(system, []string{"transaction", "batch"}) {
		t.Errorf("system interactions %v, want transaction and batch", system)
	}

	// The types listed are the FHIR types the database has, each once, and only those.
	rows, err := ts.Pool.Query(context.Background(), "select name from sluice.resource_type where kind = 'fhir' order by name")
	if err != nil {
		t.Fatal(err)
	}
	var registered, listed []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		registered = append(registered, name)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	operations := map[string][]capabilityOperation{}
	for _, r := range rest.Resource {
		listed = append(listed, r.Type)
		operations[r.Type] = r.Operation
		var codes []string
		for _, i := range r.Interaction {
			codes = append(codes, i.Code)
		}
		slices.Sort(codes)
		if want := []string{"create", "delete", "history-instance", "read", "update", "vread"}; !slices.Equal(codes, want) {
			t.Errorf("%s interactions %v, want %v", r.Type, codes, want)
		}
	}
	if len(registered) < 140 || !slices.Equal(listed, registered) {
		t.Errorf("listed %d types, the database has %d FHIR types: %v vs %v", len(listed), len(registered), listed, registered)
	}
	if !slices.Equal(operations["Patient"], []capabilityOperation{{"export", patientExportDefiniton}}) ||
		!slices.Equal(operations["Group"], []capabilityOperation{{"export", groupExportDefinition}}) {
		t.Errorf("Patient operations %v, Group operations %v", operations["Patient"], operations["Group"])
	}
	for typ, ops := range operations {
		if len(ops) > 0 && typ != "Patient" && typ != "Group" {
			t.Errorf("%s lists operations %v", typ, ops)
		}
	}
	for _, name := range []string{"Client", "AccessPolicy", "Attribute", "BulkImportStatus"} {
		if slices.Contains(listed, name) {
			t.Errorf("the system type %s is listed", name)
		}
	}

	// Every listed type really serves what is listed: create (in one transaction Bundle),
	// read, update, vread of the first version, history, delete.
	var entries []string
	for _, typ := range listed {
		entries = append(entries, fmt.Sprintf(`{"request":{"method":"PUT","url":"%s/cap-1"},"resource":{"resourceType":"%s"}}`, typ, typ))
	}
	ts.expect(http.StatusOK, request{method: "POST", path: "/fhir", body: `{"resourceType":"Bundle","type":"transaction","entry":[` + strings.Join(entries, ",") + `]}`})
	for _, typ := range listed {
		path := "/fhir/" + typ + "/cap-1"
		first := decode(t, ts.expect(http.StatusOK, request{method: "GET", path: path}))
		if first["resourceType"] != typ || first["id"] != "cap-1" {
			t.Errorf("GET %s: %v", path, first)
			continue
		}
		ts.expect(http.StatusOK, request{method: "PUT", path: path, body: `{"resourceType":"` + typ + `","id":"cap-1"}`})
		version := first["meta"].(map[string]any)["versionId"].(string)
		ts.expect(http.StatusOK, request{method: "GET", path: path + "/_history/" + version})
		history := decode(t, ts.expect(http.StatusOK, request{method: "GET", path: path + "/_history"}))
		if n := len(history["entry"].([]any)); n != 2 {
			t.Errorf("GET %s/_history: %d entries, want 2", path, n)
		}
		ts.expect(http.StatusOK, request{method: "DELETE", path: path})
	}
}

// GET /fhir/metadata is the one request that needs no credentials: every other route and
// method without them is 401, as before; with wrong credentials it is 401 too; a client
// whose policies allow nothing still reads it; GET /metadata (Aidbox's own format) is no
// endpoint of sluice's.
func TestCapabilityStatementIsTheOnlyPublicRequest(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts) // bulk-client, whose policy allows bulk operations only

	for _, path := range []string{"/fhir/metadata", "/fhir/metadata/", "/fhir/metadata?_format=json&mode=full"} {
		ts.expect(http.StatusOK, request{method: "GET", path: path, auth: []string{}})
	}
	ts.expect(http.StatusOK, request{method: "GET", path: "/fhir/metadata", auth: []string{"bulk-client", "secret"}})
	ts.expect(http.StatusForbidden, request{method: "GET", path: "/fhir/Patient/pt-1", auth: []string{"bulk-client", "secret"}})
	ts.expect(http.StatusUnauthorized, request{method: "GET", path: "/fhir/metadata", auth: []string{"bulk-client", "wrong"}})

	for _, req := range []request{
		{method: "POST", path: "/fhir/metadata", body: `{}`},
		{method: "PUT", path: "/fhir/metadata", body: `{}`},
		{method: "DELETE", path: "/fhir/metadata"},
		{method: "HEAD", path: "/fhir/metadata"},
		{method: "GET", path: "/fhir/metadata/x"},
		{method: "GET", path: "/fhir/Patient/metadata"},
		{method: "GET", path: "/fhir/Patient/pt-1"},
		{method: "GET", path: "/fhir/Patient/pt-1/_history"},
		{method: "GET", path: "/fhir/Patient/pt-1/_history/1"},
		{method: "GET", path: "/Patient/pt-1"},
		{method: "GET", path: "/Patient/$dump"},
		{method: "GET", path: "/fhir"},
		{method: "GET", path: "/"},
		{method: "POST", path: "/fhir", body: `{"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"GET","url":"metadata"}}]}`},
		{method: "GET", path: "/BulkImportStatus/x"},
	} {
		req.auth = []string{}
		resp, body := ts.do(req)
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s without credentials: %d %q: %s", req.method, req.path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
		}
	}

	for _, auth := range [][]string{{}, nil} {
		resp, body := ts.do(request{method: "GET", path: "/metadata", auth: auth})
		if resp.StatusCode != http.StatusNotFound || decode(t, body)["resourceType"] != "OperationOutcome" {
			t.Errorf("GET /metadata (auth %v): %d %s", auth, resp.StatusCode, body)
		}
	}
}
