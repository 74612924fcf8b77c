package proxy

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"reflect"
	"testing"
)

// TestJSONToYAML: answers as YAML, exactly as written, and read back (by the body reader,
// yamlToJSON) as the same JSON: the same keys in the same order, the same literals.
func TestJSONToYAML(t *testing.T) {
	t.Parallel()
	cases := []struct{ json, yaml string }{
		// Key order is the JSON's, not sorted.
		{`{"resourceType":"Patient","id":"pt-1","birthDate":"1990-01-01","active":true}`,
			"resourceType: Patient\nid: pt-1\nbirthDate: \"1990-01-01\"\nactive: true\n"},
		{`{"z":1,"a":2,"m":{"y":1,"b":2}}`, "z: 1\na: 2\nm:\n  \"y\": 1\n  b: 2\n"},
		// Strings that would read as something else are quoted, under YAML 1.2 and 1.1 alike.
		{`{"a":"1","b":"1.5","c":"true","d":"null","e":"","f":"~","g":"0x1F","h":"yes","i":"Off","j":"1_000","k":"1:20"}`,
			"a: \"1\"\nb: \"1.5\"\nc: \"true\"\nd: \"null\"\ne: \"\"\nf: \"~\"\ng: \"0x1F\"\nh: \"yes\"\ni: \"Off\"\nj: \"1_000\"\nk: \"1:20\"\n"},
		{`{"k":"- x","l":"a: b","m":"#c","n2":"10:30 am"}`, "k: '- x'\nl: 'a: b'\nm: '#c'\nn2: 10:30 am\n"},
		// Numbers keep their literal, beyond float64's range too.
		{`{"a":1,"b":-2.50,"c":1e3,"d":12345678901234567890123,"e":0,"f":1E+2}`,
			"a: 1\nb: -2.50\nc: 1e3\nd: 12345678901234567890123\ne: 0\nf: 1E+2\n"},
		{`{"t":true,"f":false,"n":null}`, "t: true\nf: false\n\"n\": null\n"},
		// Empty collections are {} and [], the only way YAML writes them.
		{`{"o":{},"a":[],"l":[{},[],[1,[2]]]}`, "o: {}\na: []\nl:\n  - {}\n  - []\n  - - 1\n    - - 2\n"},
		// Multi-line strings are literal blocks; other special characters are escaped.
		{`{"a":"line 1\nline 2\n","b":"line 1\nline 2","c":"tab\there","d":"  lead"}`,
			"a: |\n  line 1\n  line 2\nb: |-\n  line 1\n  line 2\nc: \"tab\\there\"\nd: '  lead'\n"},
		// Unicode is written as is where YAML prints it (outside the BMP it is escaped).
		{`{"a":"é 日本","b":"\u00e9","c":"😀","d":"\u0007"}`, "a: é 日本\nb: é\nc: \"\\U0001F600\"\nd: \"\\a\"\n"},
		{`{"2":"x","true":"y","":"empty key","key: colon":1}`, "\"2\": x\n\"true\": \"y\"\n\"\": empty key\n'key: colon': 1\n"},
		{`[1,"a",{"b":[]}]`, "- 1\n- a\n- b: []\n"},
		{`"str"`, "str\n"}, {`3`, "3\n"}, {`null`, "null\n"},
		// An OperationOutcome as writeError makes it.
		{string(outcome(404, "no Patient/x")),
			"issue:\n  - code: not-found\n    diagnostics: no Patient/x\n    severity: error\nresourceType: OperationOutcome\n"},
	}
	for _, c := range cases {
		got, err := jsonToYAML([]byte(c.json))
		if err != nil {
			t.Errorf("jsonToYAML(%s): %v", c.json, err)
			continue
		}
		if string(got) != c.yaml {
			t.Errorf("jsonToYAML(%s)\n got  %q\n want %q", c.json, got, c.yaml)
		}
		back, err := yamlToJSON(got, 1<<20)
		if err != nil {
			t.Errorf("the YAML of %s does not read back: %v", c.json, err)
			continue
		}
		if a, b := jsonTokens(t, []byte(c.json)), jsonTokens(t, back); !reflect.DeepEqual(a, b) {
			t.Errorf("%s read back as %s", c.json, back)
		}
	}
	for _, bad := range []string{``, `{`, `{"a":1}{"b":2}`, `{"a":}`} {
		if _, err := jsonToYAML([]byte(bad)); err == nil {
			t.Errorf("jsonToYAML(%q) converted", bad)
		}
	}
}

// jsonTokens is a JSON document as its token stream, numbers as written.
func jsonTokens(t *testing.T, data []byte) []any {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tokens []any
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return tokens
		}
		if err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		tokens = append(tokens, tok)
	}
}

// TestWantsYAML: which requests get YAML answers.
func TestWantsYAML(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		query, accept string
		want          bool
	}{
		{"", "", false},
		{"", "*/*", false},
		{"", "application/json", false},
		{"", "text/yaml", true},
		{"", "application/yaml", true},
		{"", "application/x-yaml", true},
		{"", "text/yaml; charset=utf-8", true},
		{"", "application/json, text/yaml", false}, // equals: the first listed
		{"", "text/yaml, application/json", true},
		{"", "application/json;q=0.5, text/yaml", true},
		{"", "text/yaml;q=0.1, */*", false},
		{"", "text/yaml;q=0", false},
		{"", "nonsense/;;, text/yaml", true},
		{"?_format=yaml", "", true},
		{"?_format=application/yaml", "application/json", true},
		{"?_format=json", "", false},
	} {
		r := httptest.NewRequest("GET", "/Patient/pt-1"+c.query, nil)
		if c.accept != "" {
			r.Header.Set("Accept", c.accept)
		}
		if got := wantsYAML(r); got != c.want {
			t.Errorf("%q Accept %q: YAML %v, want %v", c.query, c.accept, got, c.want)
		}
	}
}
