package bulk

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sluice-fhir/sluice/internal/copyformat"
	"github.com/sluice-fhir/sluice/internal/rules"
)

// stageCopySQL is the COPY that fills the staging table sluice.load_stage() made (its name is
// an SQL identifier PostgreSQL quoted): the body into resource for the Aidbox format, the whole
// FHIR line into line, both as text, in the format of copyformat, which passes each line
// untouched. Blank lines stage no row; line_no keeps the source's numbering.
//
// skip adds the problem column: a line the stager refuses is staged as a bad line (no type, the
// reason in problem) instead of failing the COPY (sluice.load_merge's p_skip).
func stageCopySQL(table string, fhir, skip bool) string {
	column := "resource"
	if fhir {
		column = "line"
	}
	if skip {
		column += ", problem"
	}
	return "copy " + table + " (line_no, resource_type, id, cts, " + column + ") from stdin " +
		"with (" + copyformat.Options + ")"
}

// loadLimits bounds what one load may stage.
type loadLimits struct {
	maxBytes int64 // decompressed source bytes
	maxLines int64 // non-blank lines
}

// limitedSource fails a read once more than max bytes came from the source, so an endless or
// highly compressed source cannot grow a load without end.
type limitedSource struct {
	src  io.Reader
	left int64
	max  int64
}

func (l *limitedSource) Read(p []byte) (int, error) {
	if l.left >= 0 {
		if int64(len(p)) > l.left+1 {
			p = p[:l.left+1] // one byte more than allowed tells a source at the limit from a larger one
		}
		n, err := l.src.Read(p)
		if l.left -= int64(n); l.left >= 0 {
			return n, err
		}
	}
	return 0, errorf(http.StatusRequestEntityTooLarge,
		"the source is larger than the limit of %d bytes, decompressed (SLUICE_LOAD_MAX_BYTES)", l.max)
}

// maxLineBytes bounds one NDJSON line (one resource): the stager holds a line at a time.
const maxLineBytes = 64 << 20

// lineError is a bad line of a load's source; it fails the load with 422.
type lineError struct {
	line    int64
	message string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.message) }

// stager reads NDJSON from a source and yields the rows of the staging table's COPY, one per
// source line (so COPY's line numbers are the source's):
//
//	<line_no> \x02 <resourceType> \x02 <id> \x02 <meta.createdAt> \x02 <body> \n
//
// It takes each line apart once, at the top level only: it finds id, resourceType and meta,
// checks them, and for the Aidbox format writes the body without id, resourceType and the
// server's meta fields, so PostgreSQL parses the body into jsonb once and never rewrites it.
// FHIR lines go through whole (fhir.body_from_fhir needs resourceType). Blank lines become
// empty rows, which the COPY leaves out. A line that names id, resourceType or meta twice is
// refused: which one would count ("last key wins" in jsonb, the first here) must never be a
// question. It holds one line and one output buffer, whatever the source size.
type stager struct {
	src      *bufio.Reader
	typ      string // the route's type, or "" for /$load (then every line names its own)
	fhir     bool
	line     int64
	long     []byte // a line longer than src's buffer
	out      []byte
	outPos   int
	members  []member
	meta     []member
	err      error // io.EOF at the end; a *lineError, or the source's error
	types    map[string]int64
	resource int64 // non-blank lines staged
	maxLines int64
	skip     bool // a bad line is staged as one (problemRow), not an error
}

// member is one "key": value of an object, as offsets into the line.
type member struct {
	keyStart, keyEnd, valStart, valEnd int // the key includes its quotes
	name                               string
}

func newStager(src io.Reader, resourceType string, fhir, skip bool, limits loadLimits) *stager {
	return &stager{
		skip:     skip,
		src:      bufio.NewReaderSize(&limitedSource{src: src, left: limits.maxBytes, max: limits.maxBytes}, 256<<10),
		typ:      resourceType,
		fhir:     fhir,
		types:    map[string]int64{},
		out:      make([]byte, 0, 128<<10),
		maxLines: limits.maxLines,
	}
}

// Read implements io.Reader for pgconn's CopyFrom.
func (s *stager) Read(p []byte) (int, error) {
	for s.outPos == len(s.out) {
		if s.err != nil {
			return 0, s.err
		}
		s.out, s.outPos = s.out[:0], 0
		for len(s.out) < 64<<10 && s.err == nil {
			line, err := s.readLine()
			if err != nil {
				s.err = err
				break
			}
			rowStart := len(s.out)
			err = s.stage(line)
			var bad *lineError
			switch {
			case err == nil && s.skip && len(s.out) > rowStart:
				// An empty problem column (null) before the row's newline.
				s.out = append(s.out[:len(s.out)-1], copyformat.Delimiter, '\n')
			case err != nil && s.skip && errors.As(err, &bad):
				s.out = s.problemRow(s.out[:rowStart], bad)
			case err != nil:
				s.out = s.out[:rowStart] // no partial row: the COPY fails with err instead
				s.err = err
			}
		}
	}
	n := copy(p, s.out[s.outPos:])
	s.outPos += n
	return n, nil
}

// problemRow appends the staging row of a bad line: its number and reason, no type (so nothing
// reads it but sluice.load_merge's list of problems). The reason quotes the line, so it is made
// safe for the COPY row: valid UTF-8, no control characters.
func (s *stager) problemRow(out []byte, bad *lineError) []byte {
	out = strconv.AppendInt(out, bad.line, 10)
	out = append(out, copyformat.Delimiter, copyformat.Delimiter, copyformat.Delimiter, copyformat.Delimiter, copyformat.Delimiter)
	for _, r := range strings.ToValidUTF8(bad.message, "\uFFFD") {
		if r < 0x20 || r == 0x7f {
			r = '?'
		}
		out = utf8.AppendRune(out, r)
	}
	return append(out, '\n')
}

// failure is what stopped the stager early (a bad line or the source), or nil.
func (s *stager) failure() error {
	if s.err == io.EOF {
		return nil
	}
	return s.err
}

// typeList is the sorted list of types seen.
func (s *stager) typeList() []string {
	list := make([]string, 0, len(s.types))
	for t := range s.types {
		list = append(list, t)
	}
	sort.Strings(list)
	return list
}

// readLine returns the next line without its newline; io.EOF after the last.
func (s *stager) readLine() ([]byte, error) {
	frag, err := s.src.ReadSlice('\n')
	switch {
	case err == nil:
		return frag[:len(frag)-1], nil
	case err == io.EOF && len(frag) > 0:
		return frag, nil
	case err != bufio.ErrBufferFull:
		return nil, err
	}
	s.long = append(s.long[:0], frag...)
	for {
		frag, err = s.src.ReadSlice('\n')
		s.long = append(s.long, frag...)
		if len(s.long) > maxLineBytes {
			return nil, &lineError{s.line + 1, fmt.Sprintf("longer than %d bytes", maxLineBytes)}
		}
		switch {
		case err == nil:
			return s.long[:len(s.long)-1], nil
		case err == io.EOF:
			return s.long, nil
		case err != bufio.ErrBufferFull:
			return nil, err
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// stage appends the COPY row of one line.
func (s *stager) stage(line []byte) error {
	s.line++
	if s.line == 1 {
		line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	}
	for len(line) > 0 && isSpace(line[0]) {
		line = line[1:]
	}
	for len(line) > 0 && isSpace(line[len(line)-1]) {
		line = line[:len(line)-1]
	}
	if len(line) == 0 {
		return nil
	}
	if s.resource >= s.maxLines {
		return errorf(http.StatusUnprocessableEntity,
			"the source has more than %d lines, the limit of one load (SLUICE_LOAD_MAX_LINES)", s.maxLines)
	}
	s.out = strconv.AppendInt(s.out, s.line, 10)
	fail := func(format string, args ...any) error {
		return &lineError{s.line, fmt.Sprintf(format, args...)}
	}
	// The one thing a COPY of text could still refuse: what PostgreSQL's UTF-8 check and
	// Go's agree on (TestStagerUTF8MatchesSQL).
	if !utf8.Valid(line) {
		return fail("not UTF-8: %s", invalidUTF8(line))
	}
	if line[0] != '{' {
		if json.Valid(line) {
			return fail("not a JSON object")
		}
		return fail("not JSON")
	}
	var err error
	if s.members, err = scanObject(line, 0, s.members[:0]); err != nil {
		return fail("not JSON: %v", err)
	}
	idIndex, typeIndex, metaIndex := -1, -1, -1
	for i, m := range s.members {
		var index *int
		switch m.name {
		case "id":
			index = &idIndex
		case "resourceType":
			index = &typeIndex
		case "meta":
			index = &metaIndex
		default:
			continue
		}
		if *index >= 0 {
			return fail("%s appears twice", m.name)
		}
		*index = i
	}

	resourceType := s.typ
	if typeIndex >= 0 {
		m := s.members[typeIndex]
		value, ok := jsonString(line[m.valStart:m.valEnd])
		switch {
		case !ok:
			return fail("resourceType must be a string, got %s", clip(line[m.valStart:m.valEnd]))
		case s.typ != "" && value != s.typ:
			return fail("resourceType %q does not match %s", value, s.typ)
		case !rules.IsTypeName(value):
			return fail("unknown resourceType %q", value)
		}
		resourceType = value
	} else if s.typ == "" {
		return fail("no resourceType")
	}
	if idIndex < 0 {
		return fail("no id")
	}
	m := s.members[idIndex]
	id, ok := jsonString(line[m.valStart:m.valEnd])
	if !ok || !rules.IsValidID(id) {
		return fail(`invalid id %s: an id is a string of 1 to 64 letters, digits, "-" and "."`, clip(line[m.valStart:m.valEnd]))
	}

	s.out = append(s.out, copyformat.Delimiter)
	s.out = append(s.out, resourceType...)
	s.out = append(s.out, copyformat.Delimiter)
	s.out = append(s.out, id...)
	s.out = append(s.out, copyformat.Delimiter)

	if s.fhir {
		s.out = append(s.out, copyformat.Delimiter)
		if typeIndex < 0 { // a typed FHIR load: fhir.body_from_fhir needs the type on the line
			s.out = append(s.out, `{"resourceType":`...)
			s.out = strconv.AppendQuote(s.out, resourceType)
			if len(s.members) > 0 {
				s.out = append(s.out, ',')
			}
			line = line[1:]
		}
		s.out = append(s.out, line...)
		s.out = append(s.out, '\n')
		s.staged(resourceType)
		return nil
	}

	// meta: without versionId, lastUpdated and createdAt (the row's columns); createdAt is cts.
	// A meta that is not an object is dropped, as sluice.resource_body drops it.
	keepMeta := false
	if metaIndex >= 0 {
		mm := s.members[metaIndex]
		value := line[mm.valStart:mm.valEnd]
		if value[0] == '{' {
			if s.meta, err = scanObject(value, 0, s.meta[:0]); err != nil {
				return fail("not JSON: meta: %v", err)
			}
			createdAt := false
			for _, f := range s.meta {
				switch f.name {
				case "createdAt":
					if createdAt {
						return fail("meta.createdAt appears twice") // both would go into cts
					}
					createdAt = true
					if ts, ok := jsonString(value[f.valStart:f.valEnd]); ok && isCopySafe(ts) {
						s.out = append(s.out, ts...)
					} else {
						return fail("meta.createdAt must be a date-time string, got %s", clip(value[f.valStart:f.valEnd]))
					}
				case "versionId", "lastUpdated":
					// Dropped here, so PostgreSQL never parses them: check them instead, or a
					// line that is not JSON would load.
					if !json.Valid(value[f.valStart:f.valEnd]) {
						return fail("not JSON: meta.%s is %s", f.name, clip(value[f.valStart:f.valEnd]))
					}
				default:
					keepMeta = true
				}
			}
		} else if !json.Valid(value) {
			// Dropped too, unparsed by PostgreSQL: a line that is not JSON must not load.
			return fail("not JSON: meta is %s", clip(value))
		}
	}
	s.out = append(s.out, copyformat.Delimiter, '{')
	first := true
	for i, f := range s.members {
		if i == idIndex || i == typeIndex {
			continue
		}
		if i == metaIndex && !keepMeta {
			continue
		}
		if !first {
			s.out = append(s.out, ',')
		}
		first = false
		if i != metaIndex {
			s.out = append(s.out, line[f.keyStart:f.valEnd]...)
			continue
		}
		s.out = append(s.out, `"meta":{`...)
		value := line[f.valStart:f.valEnd]
		firstMeta := true
		for _, g := range s.meta {
			if g.name == "createdAt" || g.name == "versionId" || g.name == "lastUpdated" {
				continue
			}
			if !firstMeta {
				s.out = append(s.out, ',')
			}
			firstMeta = false
			s.out = append(s.out, value[g.keyStart:g.valEnd]...)
		}
		s.out = append(s.out, '}')
	}
	s.out = append(s.out, '}', '\n')
	s.staged(resourceType)
	return nil
}

// staged counts a line staged whole; a bad line (with skip) is not counted, so its type does
// not reach the merge unless a good line has it.
func (s *stager) staged(resourceType string) {
	s.types[resourceType]++
	s.resource++
}

// scanObject finds the members of the object at b[start:], which must end the slice (trailing
// space aside). It checks the structure only as far as it needs to find member boundaries:
// what it lets through unparsed stays in the row verbatim, and the jsonb input rejects it.
func scanObject(b []byte, start int, members []member) ([]member, error) {
	i := skipSpace(b, start)
	if i >= len(b) || b[i] != '{' {
		return members, errors.New("not an object")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		i = skipSpace(b, i+1)
		if i != len(b) {
			return members, fmt.Errorf("unexpected %s after the object", clip(b[i:]))
		}
		return members, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return members, fmt.Errorf("expected a key at byte %d", i+1)
		}
		var m member
		m.keyStart = i
		end, err := skipString(b, i)
		if err != nil {
			return members, err
		}
		m.keyEnd = end
		if name, ok := jsonString(b[m.keyStart:m.keyEnd]); ok {
			m.name = name
		} else {
			return members, fmt.Errorf("bad key at byte %d", i+1)
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return members, fmt.Errorf("expected ':' at byte %d", i+1)
		}
		i = skipSpace(b, i+1)
		m.valStart = i
		if i, err = skipValue(b, i); err != nil {
			return members, err
		}
		m.valEnd = i
		members = append(members, m)
		i = skipSpace(b, i)
		if i >= len(b) {
			return members, errors.New("unterminated object")
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			i = skipSpace(b, i+1)
			if i != len(b) {
				return members, fmt.Errorf("unexpected %s after the object", clip(b[i:]))
			}
			return members, nil
		default:
			return members, fmt.Errorf("expected ',' or '}' at byte %d", i+1)
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the offset after the string starting at b[i] (a '"').
func skipString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1, nil
		case c == '\\':
			j++
		case c < 0x20:
			return 0, fmt.Errorf("control character in a string at byte %d", j+1)
		}
	}
	return 0, errors.New("unterminated string")
}

// skipValue returns the offset after the value starting at b[i].
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errors.New("missing value")
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch c := b[j]; {
			case c == '"':
				end, err := skipString(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			case c < 0x20 && !isSpace(c):
				return 0, fmt.Errorf("control character at byte %d", j+1)
			}
		}
		return 0, errors.New("unterminated object or array")
	}
	j := i
	for j < len(b) {
		c := b[j]
		if c == ',' || c == '}' || c == ']' || isSpace(c) {
			break
		}
		if c < 0x20 || c == '"' || c == '{' || c == '[' {
			return 0, fmt.Errorf("unexpected character at byte %d", j+1)
		}
		j++
	}
	if j == i {
		return 0, fmt.Errorf("missing value at byte %d", i+1)
	}
	return j, nil
}

// jsonString decodes a JSON string token; ok is false when raw is not one.
func jsonString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// isCopySafe: no byte that would break the COPY row (quote, delimiter, newline).
func isCopySafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			return false
		}
	}
	return true
}

// invalidUTF8 says where the first byte sequence that is not UTF-8 is in b.
func invalidUTF8(b []byte) string {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return fmt.Sprintf("invalid byte 0x%02x at byte %d", b[i], i+1)
		}
		i += size
	}
	return "valid"
}

// clip shortens a piece of a line for an error message.
func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
