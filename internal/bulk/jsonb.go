package bulk

import (
	"fmt"
)

// checkJSONB refuses what PostgreSQL's jsonb input refuses in JSON text that is otherwise valid
// (encoding/json's json.Valid checks that): a \u0000 escape, a UTF-16 surrogate escape that is
// not a high one followed by a low one, and a number outside numeric's range. (Nesting needs no
// check: json.Valid stops at 10,000 levels, which PostgreSQL's parser takes.) The stager runs it on every Aidbox-format line, so that
// the COPY into jsonb cannot fail on a line the stager let through: a COPY error names its row
// only in its CONTEXT text. TestJSONBRuleMatchesSQL holds it to PostgreSQL's verdicts.
func checkJSONB(b []byte) error {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			end, err := checkString(b, i)
			if err != nil {
				return err
			}
			i = end - 1
		case c == '-' || c >= '0' && c <= '9':
			end, err := checkNumber(b, i)
			if err != nil {
				return err
			}
			i = end - 1
		}
	}
	return nil
}

// checkString checks the escapes of the valid JSON string at b[i] and returns the offset after it.
func checkString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '"':
			return j + 1, nil
		case '\\':
			if j+1 < len(b) && b[j+1] == 'u' {
				r := hex4(b[j+2:])
				switch {
				case r == 0:
					return 0, fmt.Errorf("\\u0000 at byte %d: PostgreSQL's jsonb cannot hold it", j+1)
				case r >= 0xdc00 && r <= 0xdfff:
					return 0, fmt.Errorf("a low surrogate \\u%04x without a high one before it at byte %d", r, j+1)
				case r >= 0xd800 && r <= 0xdbff:
					if j+11 < len(b) && b[j+6] == '\\' && b[j+7] == 'u' {
						if low := hex4(b[j+8:]); low >= 0xdc00 && low <= 0xdfff {
							j += 11
							continue
						}
					}
					return 0, fmt.Errorf("a high surrogate \\u%04x without a low one after it at byte %d", r, j+1)
				}
				j += 5
			} else {
				j++
			}
		}
	}
	return len(b), nil
}

// hex4 is the value of the four hex digits at the start of b (json.Valid checked them).
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		default:
			r |= rune(c-'A') + 10
		}
	}
	return r
}

// numeric's limits (PostgreSQL's numeric.c): at most this many decimal digits before the point
// and after it.
const (
	numericMaxWeightDigits = 131072
	numericMaxScale        = 16383
	numericMaxExponent     = (1<<31 - 1) / 2 // refused from here on, whatever the digits
)

// checkNumber checks that the valid JSON number at b[i] fits numeric and returns the offset
// after it.
func checkNumber(b []byte, i int) (int, error) {
	start := i
	if b[i] == '-' {
		i++
	}
	intStart := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	intDigits := i - intStart
	intZero := intDigits == 1 && b[intStart] == '0'
	fracDigits, fracZeros, fracNonZero := 0, 0, false
	if i < len(b) && b[i] == '.' {
		i++
		fracStart := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if b[i] != '0' {
				fracNonZero = true
			} else if !fracNonZero {
				fracZeros++
			}
			i++
		}
		fracDigits = i - fracStart
	}
	exp := int64(0)
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		neg := false
		if b[i] == '+' || b[i] == '-' {
			neg = b[i] == '-'
			i++
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if exp < 1<<40 {
				exp = exp*10 + int64(b[i]-'0')
			}
			i++
		}
		if neg {
			exp = -exp
		}
	}
	// The decimal digits before the point of the value (its leading digit's position + 1),
	// and after it as written.
	var before int64
	switch {
	case !intZero:
		before = int64(intDigits) + exp
	case fracNonZero:
		before = -int64(fracZeros) + exp
	}
	if before > numericMaxWeightDigits || exp >= numericMaxExponent || exp <= -numericMaxExponent || int64(fracDigits)-exp > numericMaxScale {
		return 0, fmt.Errorf("the number %s at byte %d is out of PostgreSQL's numeric range", clip(b[start:i]), start+1)
	}
	return i, nil
}
