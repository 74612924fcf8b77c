package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Every answer that is not a stream (resources, bundles, $load results, BulkImportStatus,
// OperationOutcomes of any status) is written by writeAnswer, which turns the JSON into YAML
// when the request asked for it. Aidbox's documentation sends Accept: text/yaml in every
// example, and its scripts read YAML back.

// yamlMediaTypes are the media types of YAML an Accept header or _format may name.
var yamlMediaTypes = map[string]bool{"text/yaml": true, "application/yaml": true, "application/x-yaml": true, "text/x-yaml": true}

// wantsYAML tells whether r asks for YAML answers: _format=yaml (or a YAML media type), or an
// Accept header whose most preferred type sluice serves is YAML (the first listed among
// equals). Anything unreadable in Accept is skipped: the answer is then JSON, as without it.
func wantsYAML(r *http.Request) bool {
	if f := r.URL.Query().Get("_format"); f == "yaml" || yamlMediaTypes[f] {
		return true
	}
	bestQ, best := 0.0, false
	for _, part := range strings.Split(strings.Join(r.Header.Values("Accept"), ","), ",") {
		mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				continue
			}
		}
		if q > bestQ {
			bestQ, best = q, yamlMediaTypes[mediaType]
		}
	}
	return best
}

// answerFormat is carried by the response writer of a request (statusRecorder): the handlers
// write JSON, and writeAnswer asks the writer whether to turn it into YAML.
type answerFormat interface{ answersYAML() bool }

// writeAnswer answers with body, a JSON document of media type contentType, as it is or, when
// the request asked for YAML, as YAML.
func writeAnswer(w http.ResponseWriter, status int, contentType string, body []byte) {
	if f, ok := w.(answerFormat); ok && f.answersYAML() {
		if converted, err := jsonToYAML(body); err == nil {
			body, contentType = converted, "text/yaml; charset=utf-8"
		} else {
			// Every answer is JSON sluice made: a body that does not convert is a bug, answered as is.
			slog.Error("an answer is not JSON, sent without YAML conversion", "err", err)
		}
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	w.Write(body)
}

// writeJSON answers with a JSON body (YAML when asked: writeAnswer).
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	writeAnswer(w, status, "application/json", body)
}

// writeJSONOnly answers with a JSON body whatever the request asked for: the token endpoint
// and SMART discovery, whose answers OAuth 2.0 (RFC 6749 section 5.1) and SMART App Launch
// define as application/json, which their clients parse as such.
func writeJSONOnly(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// jsonToYAML converts one JSON document to YAML 1.2 in block style. The node tree is built
// from the JSON token stream, so keys keep their order; number literals are kept as written
// and strings are quoted where a plain scalar would read as something else (true, 1, null).
func jsonToYAML(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	root, err := yamlNode(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("more than one JSON value")
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// yamlNode reads the next JSON value of dec as a YAML node.
func yamlNode(dec *json.Decoder, depth int) (*yaml.Node, error) {
	if depth > maxYAMLDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxYAMLDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		node := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if v == '{' {
			node.Kind, node.Tag = yaml.MappingNode, "!!map"
		}
		for dec.More() {
			if node.Kind == yaml.MappingNode {
				key, err := dec.Token()
				if err != nil {
					return nil, err
				}
				node.Content = append(node.Content, stringNode(key.(string)))
			}
			item, err := yamlNode(dec, depth+1)
			if err != nil {
				return nil, err
			}
			node.Content = append(node.Content, item)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		if len(node.Content) == 0 {
			node.Style = yaml.FlowStyle // {} and []: block style has no empty collections
		}
		return node, nil
	case string:
		return stringNode(v), nil
	case json.Number:
		return numberNode(string(v)), nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

// stringNode is a string scalar; the encoder quotes it when a plain one would not read back as
// a string under YAML 1.2 (true, 1, null), and writes multi-line strings as literal blocks.
// Strings that only a YAML 1.1 reader would take for something else (yes, off, 1_000, 1:20)
// are quoted too: many YAML libraries (PyYAML among them) still read 1.1.
func stringNode(s string) *yaml.Node {
	node := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if yaml11NotString(s) {
		node.Style = yaml.DoubleQuotedStyle
	}
	return node
}

// yaml11NotString tells whether YAML 1.1 resolves the plain scalar s to a boolean or a number
// where YAML 1.2 keeps a string: its boolean words, and digits with _ or : (1_000, 1:20:30).
func yaml11NotString(s string) bool {
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off":
		return true
	}
	if s == "" || !strings.ContainsAny(s, "_:") || strings.Trim(s, "0123456789_:.+-") != "" {
		return false
	}
	return strings.ContainsAny(s, "0123456789")
}

// numberNode is a JSON number literal as a YAML scalar, written as is. Every JSON number is a
// number of YAML 1.2's core schema, so the plain literal reads back as one; no tag is given,
// which writes none (the encoder's own resolution differs for literals beyond float64).
func numberNode(literal string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: literal}
}
