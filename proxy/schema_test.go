package proxy_test

import (
	"bytes"
	"os"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// fhirSchemaFile is the official FHIR R4 JSON schema, in the definitions package the Makefile
// pins (make test fetches it).
const fhirSchemaFile = "../.tools/fhir/package/dist/fhir/r4/fhir.schema.json"

// fhirSchemas compiles definitions of fhir.schema.json on demand; the file (3.6 MB) is read
// and parsed once per test binary.
var fhirSchemas = struct {
	once     sync.Once
	err      error
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}{compiled: map[string]*jsonschema.Schema{}}

// fhirSchema is the schema of one FHIR R4 definition, such as CapabilityStatement or Bundle.
func fhirSchema(t testing.TB, definition string) *jsonschema.Schema {
	t.Helper()
	s := &fhirSchemas
	s.once.Do(func() {
		f, err := os.Open(fhirSchemaFile)
		if err != nil {
			s.err = err
			return
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			s.err = err
			return
		}
		// The packaged schema refers to two definitions it lacks: Resource (what contained
		// holds; HL7's R4 schema says ResourceList there) and integer64 (of a non-R4 type the
		// package adds). They are supplied here as HL7 defines them (R5 for integer64: a
		// string of digits), so that the rest of the schema can be compiled at all.
		definitions := doc.(map[string]any)["definitions"].(map[string]any)
		definitions["Resource"] = map[string]any{"$ref": "#/definitions/ResourceList"}
		definitions["integer64"] = map[string]any{"type": "string", "pattern": "^[0]|[-+]?[1-9][0-9]*$"}
		s.compiler = jsonschema.NewCompiler()
		s.err = s.compiler.AddResource("http://hl7.org/fhir/json-schema/4.0", doc)
	})
	if s.err != nil {
		t.Fatalf("the FHIR R4 JSON schema (make test fetches the definitions): %v", s.err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if schema, ok := s.compiled[definition]; ok {
		return schema
	}
	schema, err := s.compiler.Compile("http://hl7.org/fhir/json-schema/4.0#/definitions/" + definition)
	if err != nil {
		t.Fatalf("compiling the FHIR schema of %s: %v", definition, err)
	}
	s.compiled[definition] = schema
	return schema
}

// validateFHIR fails the test unless body is valid against the R4 schema of definition.
func validateFHIR(t testing.TB, definition string, body []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not JSON: %v: %s", err, body)
	}
	if err := fhirSchema(t, definition).Validate(doc); err != nil {
		t.Errorf("not a valid FHIR R4 %s: %v", definition, err)
	}
}

// The validator does fail: a resource that breaks the schema is caught (so a passing
// validation means something).
func TestFHIRSchemaRefuses(t *testing.T) {
	t.Parallel()
	schema := fhirSchema(t, "CapabilityStatement")
	for _, body := range []string{
		`{"resourceType":"CapabilityStatement","status":"bogus","date":"2020","kind":"instance","fhirVersion":"4.0.1","format":["json"]}`,
		`{"resourceType":"CapabilityStatement","status":"active","date":"2020","kind":"instance","fhirVersion":"4.0.1","format":["json"],"rest":[{"mode":"server","unknownKey":1}]}`,
	} {
		doc, _ := jsonschema.UnmarshalJSON(bytes.NewBufferString(body))
		if schema.Validate(doc) == nil {
			t.Errorf("the schema accepted %s", body)
		}
	}
	good := `{"resourceType":"CapabilityStatement","status":"active","date":"2020","kind":"instance","fhirVersion":"4.0.1","format":["json"]}`
	doc, _ := jsonschema.UnmarshalJSON(bytes.NewBufferString(good))
	if err := schema.Validate(doc); err != nil {
		t.Errorf("the schema refused a minimal CapabilityStatement: %v", err)
	}
}
