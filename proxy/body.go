package proxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// readBody reads a JSON or YAML request body (at most limit bytes) and returns it as JSON.
// JSON passes through byte for byte, so number literals such as 0.0 reach the database as
// written; YAML is converted by yamlToJSON, whose JSON may not be larger than limit either.
// Either way the JSON is one that jsonb accepts (checkStorableJSON): a body PostgreSQL would
// refuse is refused here, so its text (a Client's secret, say) never appears in the
// database's error log, which quotes the input of a failed jsonb conversion.
func readBody(r *http.Request, w http.ResponseWriter, limit int64) ([]byte, error) {
	// A body that trickles would hold its goroutine and up to limit bytes for as long as its
	// client likes. Not http.Server.ReadTimeout: its deadline would also end the background
	// read that notices a client leaving, and so cancel every long export at that age.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(bodyReadTimeout))
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	rc.SetReadDeadline(time.Time{})
	if err != nil {
		return nil, bodyReadError(err)
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
		if data, err = yamlToJSON(data, limit); err != nil {
			return nil, err
		}
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
	default:
		return nil, errorf(http.StatusUnsupportedMediaType, "unsupported Content-Type %q: send application/json, application/fhir+json or application/yaml", mediaType)
	}
	if err := checkStorableJSON(data); err != nil {
		return nil, err
	}
	return data, nil
}

// bodyReadTimeout bounds the reading of a request body (REST bodies are at most
// SLUICE_MAX_BODY_BYTES; bulk data comes by URL).
const bodyReadTimeout = 2 * time.Minute

// bodyReadError is what a failed body read means: over the limit (413, statusOf), the client
// gone mid-body (errClientGone), too slow for the server's read timeout (408), or unreadable
// (400, e.g. malformed chunked encoding).
func bodyReadError(err error) error {
	var tooBig *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooBig):
		return err
	case errors.As(err, &netErr) && netErr.Timeout():
		return errorf(http.StatusRequestTimeout, "the request body did not arrive in time")
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET):
		return fmt.Errorf("%w: reading the request body: %v", errClientGone, err)
	default:
		return errorf(http.StatusBadRequest, "unreadable request body: %v", err)
	}
}

// checkStorableJSON refuses (400) valid JSON that jsonb does not take: invalid UTF-8, the
// escape \u0000 (jsonb cannot hold NUL in text) and a \u escape of half a surrogate pair.
// The message names the byte offset, never the text around it. data must be valid JSON.
func checkStorableJSON(data []byte) error {
	if !utf8.Valid(data) {
		return errorf(http.StatusBadRequest, "the body is not valid UTF-8")
	}
	inString := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString:
			i++ // the escaped character
			if data[i] != 'u' {
				continue
			}
			code, _ := strconv.ParseUint(string(data[i+1:i+5]), 16, 16)
			switch {
			case code == 0:
				return errorf(http.StatusBadRequest, "the body holds \\u0000 at byte %d: PostgreSQL cannot store a NUL character", i-1)
			case code >= 0xD800 && code < 0xDC00: // the high half must be followed by a low one
				if !bytes.HasPrefix(data[i+5:], []byte(`\u`)) || len(data) < i+11 {
					return errorf(http.StatusBadRequest, "the body holds an unpaired surrogate \\u escape at byte %d", i-1)
				}
				low, _ := strconv.ParseUint(string(data[i+7:i+11]), 16, 16)
				if low < 0xDC00 || low > 0xDFFF {
					return errorf(http.StatusBadRequest, "the body holds an unpaired surrogate \\u escape at byte %d", i-1)
				}
				i += 10
			case code >= 0xDC00 && code <= 0xDFFF:
				return errorf(http.StatusBadRequest, "the body holds an unpaired surrogate \\u escape at byte %d", i-1)
			default:
				i += 4
			}
		}
	}
	return nil
}

// yamlToJSON converts one YAML document to JSON of at most limit bytes. YAML 1.2 rules apply
// (yes/no/on stay strings), dates stay strings, and integer and float literals that are valid
// JSON numbers are kept exactly as written. Aliases are expanded within a budget
// (maxYAMLAliasNodes), checked while expanding, so a few hundred bytes of nested aliases (a
// "billion laughs") fail at once instead of growing to gigabytes.
func yamlToJSON(data []byte, limit int64) ([]byte, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, errorf(http.StatusBadRequest, "malformed YAML: %v", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, errorf(http.StatusBadRequest, "the body holds more than one YAML document")
	}
	w := yamlWriter{limit: limit}
	if err := w.node(&doc, 0, false); err != nil {
		var he *httpError
		if errors.As(err, &he) {
			return nil, err
		}
		return nil, errorf(http.StatusBadRequest, "YAML body: %v", err)
	}
	return w.b.Bytes(), nil
}

// maxYAMLDepth bounds nesting (and alias expansion) so a hostile body cannot exhaust the stack.
const maxYAMLDepth = 200

// maxYAMLAliasNodes bounds the nodes written through aliases in one YAML body: enough for any
// sensible reuse of an anchor, far too few for an alias bomb.
const maxYAMLAliasNodes = 100_000

// yamlWriter writes a YAML node tree as JSON, within limit bytes and the alias budget.
type yamlWriter struct {
	b          bytes.Buffer
	limit      int64
	aliasNodes int
}

// node writes n; viaAlias tells that n is reached through an alias, so it counts against
// the budget.
func (w *yamlWriter) node(n *yaml.Node, depth int, viaAlias bool) error {
	if depth > maxYAMLDepth {
		return fmt.Errorf("nested deeper than %d levels", maxYAMLDepth)
	}
	if viaAlias {
		if w.aliasNodes++; w.aliasNodes > maxYAMLAliasNodes {
			return errorf(http.StatusBadRequest, "the YAML body's aliases expand to more than %d nodes: write the values out", maxYAMLAliasNodes)
		}
	}
	if int64(w.b.Len()) > w.limit {
		return errorf(http.StatusRequestEntityTooLarge, "the JSON of the YAML body is larger than the limit of %d bytes (SLUICE_MAX_BODY_BYTES)", w.limit)
	}
	b := &w.b
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			b.WriteString("null")
			return nil
		}
		return w.node(n.Content[0], depth+1, viaAlias)
	case yaml.AliasNode:
		return w.node(n.Alias, depth+1, true)
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := w.node(item, depth+1, viaAlias); err != nil {
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
			if err := w.node(n.Content[i+1], depth+1, viaAlias); err != nil {
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
