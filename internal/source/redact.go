// Package source reads the sources of $load and $import (http(s) and file:// URLs) under
// the source policy: the allow-list, no private addresses, file:// only inside one folder.
package source

import (
	"net/url"
	"sort"
	"strings"
)

// RedactURL is a source URL as logs, error messages and statuses may show it: without the
// password of its userinfo and without the values of its query parameters, where pre-signed
// URLs carry their credentials (X-Amz-Signature, sig, token, ...). The scheme, host, path and
// the parameter names stay, so a reader still knows which file was meant. Text that does not
// parse as a URL is not shown at all.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an unreadable URL)"
	}
	if u.User != nil {
		if _, hasPassword := u.User.Password(); hasPassword {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
		}
	}
	if u.RawQuery != "" {
		query, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			u.RawQuery = "REDACTED"
		} else {
			names := make([]string, 0, len(query))
			for name := range query {
				names = append(names, url.QueryEscape(name)+"=REDACTED")
			}
			sort.Strings(names)
			u.RawQuery = strings.Join(names, "&")
		}
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}
