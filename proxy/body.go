package proxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// readBody reads a JSON or YAML request body (at most limit bytes) and returns it as JSON.
// JSON passes through byte for byte, so number literals such as 0.0 reach the database as
// written; YAML is converted by yamlToJSON.
func readBody(r *http.Request, w http.ResponseWriter, limit int64) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errorf(http.StatusBadRequest, "the request needs a body")
	}
	mediaType := "application/json"
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mediaType, _, err = mime.ParseMediaType(ct); err != nil {
			return nil, errorf(http.StatusUnsupportedMediaType, "unreadable Content-Type %q", ct)
		}
	}
	switch mediaType {
	case "application/yaml", "text/yaml", "application/x-yaml", "text/x-yaml":
		return yamlToJSON(data)
	case "application/json", "application/fhir+json", "text/json", "application/x-www-form-urlencoded", "text/plain":
		// curl sends form-urlencoded by default with -d: treat it as the JSON it almost always is.
		var raw json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			var syntax *json.SyntaxError
			if errors.As(err, &syntax) {
				return nil, errorf(http.StatusBadRequest, "malformed JSON at byte %d: %v", syntax.Offset, err)
			}
			return nil, errorf(http.StatusBadRequest, "malformed JSON: %v", err)
		}
		return data, nil
	default:
		return nil, errorf(http.StatusUnsupportedMediaType, "unsupported Content-Type %q: send application/json, application/fhir+json or application/yaml", mediaType)
	}
}

// yamlToJSON converts one YAML document to JSON. YAML 1.2 rules apply (yes/no/on stay
// strings), dates stay strings, and integer and float literals that are valid JSON numbers
// are kept exactly as written.
func yamlToJSON(data []byte) ([]byte, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, errorf(http.StatusBadRequest, "malformed YAML: %v", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, errorf(http.StatusBadRequest, "the body holds more than one YAML document")
	}
	var b bytes.Buffer
	if err := writeYAMLNode(&b, &doc, 0); err != nil {
		return nil, errorf(http.StatusBadRequest, "YAML body: %v", err)
	}
	return b.Bytes(), nil
}

// maxYAMLDepth bounds nesting (and alias expansion) so a hostile body cannot exhaust the stack.
const maxYAMLDepth = 200

func writeYAMLNode(b *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > maxYAMLDepth {
		return fmt.Errorf("nested deeper than %d levels", maxYAMLDepth)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			b.WriteString("null")
			return nil
		}
		return writeYAMLNode(b, n.Content[0], depth+1)
	case yaml.AliasNode:
		return writeYAMLNode(b, n.Alias, depth+1)
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeYAMLNode(b, item, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i]
			if key.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a mapping key must be a plain value", key.Line)
			}
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, key.Value)
			b.WriteByte(':')
			if err := writeYAMLNode(b, n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	case yaml.ScalarNode:
		return writeYAMLScalar(b, n)
	}
	return fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

func writeYAMLScalar(b *bytes.Buffer, n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!null":
		b.WriteString("null")
	case "!!bool":
		v, err := strconv.ParseBool(n.Value)
		if err != nil {
			return fmt.Errorf("line %d: %q is not a boolean", n.Line, n.Value)
		}
		b.WriteString(strconv.FormatBool(v))
	case "!!int", "!!float":
		if json.Valid([]byte(n.Value)) {
			b.WriteString(n.Value) // already a JSON number: keep the literal
			return nil
		}
		var v float64
		if err := n.Decode(&v); err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return fmt.Errorf("line %d: %q is not a number JSON can hold", n.Line, n.Value)
		}
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	default: // strings, and timestamps, binary and custom tags as the text written
		writeJSONString(b, n.Value)
	}
	return nil
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}
