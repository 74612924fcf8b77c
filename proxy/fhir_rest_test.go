package proxy_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sluice-fhir/sluice/proxy"
)

// jsonOf re-encodes a decoded value, so a test compares JSON values whatever their key order.
func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestFHIRRead(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)

	resp, body := ts.do(request{method: "GET", path: "/fhir/Patient/pt-3"})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/fhir+json" {
		t.Fatalf("GET /fhir/Patient/pt-3: %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	pt3 := decode(t, body)
	want := `[{"extension":[{"url":"code","valueCodeableConcept":{"text":"ru"}}],"url":"http://hl7.org/fhir/StructureDefinition/patient-citizenship"}]`
	if got := jsonOf(pt3["extension"]); got != want {
		t.Errorf("pt-3 extension:\n got %s\nwant %s", got, want)
	}
	if _, ok := pt3["citizenship"]; ok {
		t.Error("pt-3 in FHIR format still has the Aidbox citizenship field")
	}
	meta := pt3["meta"].(map[string]any)
	if got := jsonOf(meta["extension"]); !strings.Contains(got, `"url":"ex:createdAt","valueInstant":`) || meta["createdAt"] != nil {
		t.Errorf("pt-3 meta: %s", jsonOf(meta))
	}

	ap1 := decode(t, ts.expect(http.StatusOK, request{method: "GET", path: "/fhir/Appointment/ap-1"}))
	if got := jsonOf(ap1["participant"]); got != `[{"actor":{"reference":"Patient/pt-1"},"status":"accepted"}]` {
		t.Errorf("ap-1 participant in FHIR format: %s", got)
	}
}

func TestFHIRWrite(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts) // the citizenship Attributes

	fhirPatient := `{"resourceType":"Patient","id":"pt-9","deceasedBoolean":false,
		"generalPractitioner":[{"reference":"Practitioner/pr-1","display":"Dr X"}],
		"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-citizenship",
		              "extension":[{"url":"code","valueCodeableConcept":{"text":"fr"}}]}]}`
	resp, body := ts.do(request{method: "POST", path: "/fhir/Patient", body: fhirPatient, contentType: "application/fhir+json"})
	if resp.StatusCode != http.StatusCreated || !strings.HasPrefix(resp.Header.Get("Location"), "/fhir/Patient/pt-9/_history/") {
		t.Fatalf("POST /fhir/Patient: %d %q: %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	// Stored in Aidbox format...
	stored := decode(t, ts.expect(http.StatusOK, request{method: "GET", path: "/Patient/pt-9"}))
	for key, want := range map[string]string{
		"citizenship":         `[{"code":{"text":"fr"}}]`,
		"generalPractitioner": `[{"display":"Dr X","id":"pr-1","resourceType":"Practitioner"}]`,
		"deceased":            `{"boolean":false}`,
	} {
		if got := jsonOf(stored[key]); got != want {
			t.Errorf("stored %s: %s, want %s", key, got, want)
		}
	}
	// ...and answered in FHIR format, the same as was sent.
	answered := decode(t, body)
	var sent map[string]any
	json.Unmarshal([]byte(fhirPatient), &sent)
	delete(answered, "meta")
	if jsonOf(answered) != jsonOf(sent) {
		t.Errorf("POST /fhir/Patient answered\n%s\nfor\n%s", jsonOf(answered), jsonOf(sent))
	}

	// PUT without resourceType (the URL names it), then DELETE.
	ts.expect(http.StatusOK, request{method: "PUT", path: "/fhir/Patient/pt-9", body: `{"deceasedDateTime":"2020-01-01"}`})
	if got := jsonOf(decode(t, ts.expect(http.StatusOK, request{method: "GET", path: "/Patient/pt-9"}))["deceased"]); got != `{"dateTime":"2020-01-01"}` {
		t.Errorf("after PUT /fhir: deceased %s", got)
	}
	ts.expect(http.StatusOK, request{method: "DELETE", path: "/fhir/Patient/pt-9"})
	ts.expect(http.StatusNotFound, request{method: "GET", path: "/fhir/Patient/pt-9"})

	// A FHIR transaction bundle.
	body = ts.expect(http.StatusOK, request{method: "POST", path: "/fhir", body: `{"resourceType":"Bundle","type":"transaction","entry":[
		{"request":{"method":"PUT","url":"Observation/obs-1"},
		 "resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},
		             "subject":{"reference":"Patient/pt-1"},"valueQuantity":{"value":0.0,"unit":"mg"}}}]}`})
	if !strings.Contains(string(body), `"valueQuantity": {"unit": "mg", "value": 0.0}`) {
		t.Errorf("FHIR bundle answer: %s", body)
	}
	obs := decode(t, ts.expect(http.StatusOK, request{method: "GET", path: "/Observation/obs-1"}))
	if jsonOf(obs["subject"]) != `{"id":"pt-1","resourceType":"Patient"}` || jsonOf(obs["value"]) != `{"Quantity":{"unit":"mg","value":0}}` {
		t.Errorf("stored observation: %s", jsonOf(obs))
	}

	// Bad input: a clear 422, nothing written.
	for _, b := range []string{`[1]`, `{"resourceType":7}`, `"x"`} {
		ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/fhir/Patient", body: b})
	}
	ts.expect(http.StatusMethodNotAllowed, request{method: "PUT", path: "/fhir", body: `[]`})
	if n := ts.count("select count(*) from patient"); n != 3 {
		t.Errorf("%d patients, want the seed's 3", n)
	}
}
