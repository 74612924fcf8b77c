package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// fieldKind says why scanFields reported a string.
type fieldKind int

const (
	fieldType      fieldKind = iota // the resource's top-level "resourceType"
	fieldID                         // the resource's top-level "id" (not a contained resource's)
	fieldReference                  // a "reference" string at any depth
	fieldFullURL                    // a "fullUrl" string at any depth
)

// field is a JSON string in a line that cloning may replace.
type field struct {
	kind       fieldKind
	start, end int    // the string token, quotes included, is line[start:end]
	value      string // the decoded string
}

// scanFields appends to fields[:0] the strings of line that cloning cares about, in line
// order, and returns them. line must be one JSON object (buildIndex checks that with
// json.Valid). The scanner only finds where tokens start and end; encoding/json cannot
// report byte offsets, and decoding and re-encoding a resource would not keep its bytes.
func scanFields(line []byte, fields []field) ([]field, error) {
	s := scanner{buf: line, fields: fields[:0]}
	s.skipSpace()
	if s.pos >= len(s.buf) || s.buf[s.pos] != '{' {
		return nil, errors.New("line is not a JSON object")
	}
	if err := s.value(0, nil); err != nil {
		return nil, err
	}
	s.skipSpace()
	if s.pos != len(s.buf) {
		return nil, fmt.Errorf("unexpected data after the JSON object at byte %d", s.pos)
	}
	return s.fields, nil
}

// scanner walks one line of JSON.
type scanner struct {
	buf    []byte
	pos    int
	fields []field
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("byte %d: "+format, append([]any{s.pos}, args...)...)
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.buf) {
		switch s.buf[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// expect consumes the byte c, after optional whitespace.
func (s *scanner) expect(c byte) error {
	s.skipSpace()
	if s.pos >= len(s.buf) || s.buf[s.pos] != c {
		return s.errorf("expected %q", c)
	}
	s.pos++
	return nil
}

// value scans the JSON value at s.pos. depth is 0 for the root object, 1 for its members'
// values and so on; key is the member name the value belongs to (nil in arrays and for the
// root).
func (s *scanner) value(depth int, key []byte) error {
	s.skipSpace()
	if s.pos >= len(s.buf) {
		return s.errorf("unexpected end of line")
	}
	switch s.buf[s.pos] {
	case '{':
		s.pos++
		s.skipSpace()
		if s.pos < len(s.buf) && s.buf[s.pos] == '}' {
			s.pos++
			return nil
		}
		for {
			s.skipSpace()
			start := s.pos
			if err := s.skipString(); err != nil {
				return err
			}
			name, err := unquote(s.buf[start:s.pos])
			if err != nil {
				return err
			}
			if err := s.expect(':'); err != nil {
				return err
			}
			if err := s.value(depth+1, name); err != nil {
				return err
			}
			s.skipSpace()
			if s.pos < len(s.buf) && s.buf[s.pos] == ',' {
				s.pos++
				continue
			}
			return s.expect('}')
		}
	case '[':
		s.pos++
		s.skipSpace()
		if s.pos < len(s.buf) && s.buf[s.pos] == ']' {
			s.pos++
			return nil
		}
		for {
			if err := s.value(depth+1, nil); err != nil {
				return err
			}
			s.skipSpace()
			if s.pos < len(s.buf) && s.buf[s.pos] == ',' {
				s.pos++
				continue
			}
			return s.expect(']')
		}
	case '"':
		start := s.pos
		if err := s.skipString(); err != nil {
			return err
		}
		kind, ok := classify(depth, key)
		if !ok {
			return nil
		}
		v, err := unquote(s.buf[start:s.pos])
		if err != nil {
			return err
		}
		s.fields = append(s.fields, field{kind: kind, start: start, end: s.pos, value: string(v)})
		return nil
	default:
		// A number, true, false or null: json.Valid has vetted it, so only its end matters.
		start := s.pos
		for s.pos < len(s.buf) && !isDelimiter(s.buf[s.pos]) {
			s.pos++
		}
		if s.pos == start {
			return s.errorf("unexpected %q", s.buf[s.pos])
		}
		return nil
	}
}

// classify says whether a string value with this depth and member name is a field.
func classify(depth int, key []byte) (fieldKind, bool) {
	switch {
	case depth == 1 && string(key) == "resourceType":
		return fieldType, true
	case depth == 1 && string(key) == "id":
		return fieldID, true
	case string(key) == "reference":
		return fieldReference, true
	case string(key) == "fullUrl":
		return fieldFullURL, true
	}
	return 0, false
}

func isDelimiter(c byte) bool {
	switch c {
	case ',', '}', ']', ':', ' ', '\t', '\n', '\r', '"', '{', '[':
		return true
	}
	return false
}

// skipString moves past the string token at s.pos.
func (s *scanner) skipString() error {
	if s.pos >= len(s.buf) || s.buf[s.pos] != '"' {
		return s.errorf("expected a string")
	}
	for i := s.pos + 1; i < len(s.buf); i++ {
		switch s.buf[i] {
		case '\\':
			i++ // the escaped byte cannot end the string; \uXXXX's hex digits cannot either
		case '"':
			s.pos = i + 1
			return nil
		}
	}
	return s.errorf("unterminated string")
}

// unquote decodes a JSON string token. Member names and field values rarely hold escapes,
// so the common case costs no decoding.
func unquote(tok []byte) ([]byte, error) {
	inner := tok[1 : len(tok)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner, nil
	}
	var v string
	if err := json.Unmarshal(tok, &v); err != nil {
		return nil, err
	}
	return []byte(v), nil
}
