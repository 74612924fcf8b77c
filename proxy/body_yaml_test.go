package proxy

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestYAMLToJSON: YAML 1.2 bodies and the JSON they become.
func TestYAMLToJSON(t *testing.T) {
	t.Parallel()
	cases := []struct{ yaml, json string }{
		{"id: synthea\ncontentEncoding: gzip\n", `{"id":"synthea","contentEncoding":"gzip"}`},
		{"inputs:\n- {resourceType: Patient, url: \"http://x/p.ndjson\"}\n- resourceType: Encounter\n", `{"inputs":[{"resourceType":"Patient","url":"http://x/p.ndjson"},{"resourceType":"Encounter"}]}`},
		{"query: select id, resource#>>'{name,0,given,0}' from patient", `{"query":"select id, resource#\u003e\u003e'{name,0,given,0}' from patient"}`},
		// YAML 1.2 core schema: yes/no/on are strings, true/false/null/~ are not.
		{"a: yes\nb: no\nc: on\nd: true\ne: False\nf: null\ng: ~\nh:\n", `{"a":"yes","b":"no","c":"on","d":true,"e":false,"f":null,"g":null,"h":null}`},
		// Numbers keep their literal when JSON can hold it; other forms become their value.
		{"a: 1\nb: -2.50\nc: 1e3\nd: 0x1F\ne: 0o17\nf: +3\ng: .5\n", `{"a":1,"b":-2.50,"c":1e3,"d":31,"e":15,"f":3,"g":0.5}`},
		{"a: \"1\"\nb: '007'\n", `{"a":"1","b":"007"}`},
		// Timestamps and tagged values are the text written.
		{"ts: 2024-01-01T00:00:00Z\nd: 2024-01-01\nbin: !!binary aGk=\n", `{"ts":"2024-01-01T00:00:00Z","d":"2024-01-01","bin":"aGk="}`},
		{"text: |\n  line 1\n  line 2\n", `{"text":"line 1\nline 2\n"}`},
		{"uri: \"#/.*/\\\\$dump$\"\n", `{"uri":"#/.*/\\$dump$"}`},
		// JSON as encoding/json writes it: <, > and & escaped, so the text is safe in HTML too.
		{"s: \"\\u00e9\\t<>&\"\n", `{"s":"é\t\u003c\u003e\u0026"}`},
		// Keys are strings whatever they look like.
		{"1: a\ntrue: b\nnull: c\n", `{"1":"a","true":"b","null":"c"}`},
		// Anchors and aliases are written out.
		{"base: &b {x: 1}\ncopy: *b\n", `{"base":{"x":1},"copy":{"x":1}}`},
		{"[1, [2, [3]]]", `[1,[2,[3]]]`},
		{"plain", `"plain"`},
	}
	for _, c := range cases {
		got, err := yamlToJSON([]byte(c.yaml), 1<<20)
		if err != nil {
			t.Errorf("yamlToJSON(%q): %v", c.yaml, err)
			continue
		}
		if string(got) != c.json {
			t.Errorf("yamlToJSON(%q)\n got  %s\n want %s", c.yaml, got, c.json)
		}
	}
}

// TestYAMLToJSONRefuses: bodies refused, with the status and a message that says why.
func TestYAMLToJSONRefuses(t *testing.T) {
	t.Parallel()
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 'b', 'a'; i <= 'h'; i, prev = i+1, i {
		bomb += fmt.Sprintf("%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", i, i, prev, prev, prev, prev, prev, prev, prev, prev, prev, prev)
	}
	cases := []struct {
		name, yaml string
		limit      int64
		status     int
		message    string
	}{
		{"malformed", "a: [1, 2", 1 << 20, 400, "malformed YAML"},
		{"empty", "", 1 << 20, 400, "malformed YAML: EOF"},
		{"only a comment", "# nothing\n", 1 << 20, 400, "malformed YAML: EOF"},
		{"two documents", "a: 1\n---\nb: 2\n", 1 << 20, 400, "more than one YAML document"},
		{"a mapping as a key", "? {a: 1}\n: x\n", 1 << 20, 400, "a mapping key must be a plain value"},
		{"an alias as a key", "a: &k x\n*k : y\n", 1 << 20, 400, "a mapping key must be a plain value"},
		{"not a boolean", "a: !!bool maybe\n", 1 << 20, 400, `"maybe" is not a boolean`},
		{"infinity", "a: .inf\n", 1 << 20, 400, `".inf" is not a number JSON can hold`},
		{"not a number", "a: !!int x\n", 1 << 20, 400, `"x" is not a number JSON can hold`},
		{"too deep", strings.Repeat("[", 250) + strings.Repeat("]", 250), 1 << 20, 400, "nested deeper than 200 levels"},
		{"an alias bomb", bomb, 1 << 30, 400, "aliases expand to more than 100000 nodes"},
		{"larger than the limit", "a: " + strings.Repeat("x", 200) + "\nb: " + strings.Repeat("y", 200) + "\n", 100, 413, "larger than the limit of 100 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			out, err := yamlToJSON([]byte(c.yaml), c.limit)
			if err == nil {
				t.Fatalf("accepted as %.80s", out)
			}
			if status, message := statusOf(err); status != c.status || !strings.Contains(message, c.message) {
				t.Errorf("%d %s; want %d with %q", status, message, c.status, c.message)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	// Within the budget, aliases are fine: 10 x 10 x 10 nodes.
	small := "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	if _, err := yamlToJSON([]byte(small), 1<<20); err != nil {
		t.Errorf("a thousand aliased nodes: %v", err)
	}
}

// FuzzYAMLToJSON: no panic and bounded time on any body, and what it returns is valid JSON
// within the limit (plus the one value being written when the limit was reached).
func FuzzYAMLToJSON(f *testing.F) {
	for _, seed := range []string{
		"id: synthea\ncontentEncoding: gzip\ninputs:\n- {resourceType: Patient, url: \"http://x/p.ndjson.gz\"}\n",
		"query: select 1",
		"a: &a [1, 2]\nb: *a\n",
		"a: &a [*a]\n",
		"? [1]\n: 2\n",
		"a: !!binary aGk=\nb: !custom x\nc: 2024-01-01\n",
		"a: 0x1F\nb: 1e400\nc: -.inf\nd: .nan\ne: 1_000\n",
		"a: !!float 1\nb: !!int 1.5\nc: !!bool yes\nd: !!null x\n",
		"- [[[[[[[[[[]]]]]]]]]]\n",
		"a: |\n  text\n",
		"%YAML 1.2\n---\na: 1\n",
		"<<: {a: 1}\n",
		"'\\u0000': \"\\x00\"\n",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		// A body that never ends its conversion crashes the fuzzing process, which then keeps
		// the input (a t.Fatal after the call would never run).
		watchdog := time.AfterFunc(5*time.Second, func() { panic(fmt.Sprintf("yamlToJSON still running after 5s on %q", body)) })
		defer watchdog.Stop()
		start := time.Now()
		out, err := yamlToJSON([]byte(body), 1<<16)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%v for %d bytes", d, len(body))
		}
		if err != nil {
			if status, _ := statusOf(err); status != 400 && status != 413 {
				t.Fatalf("status %d for a bad body: %v", status, err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("not valid JSON: %q", out)
		}
	})
}
