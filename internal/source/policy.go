package source

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
)

// The two rules of the source policy that need more than a glance: which URLs an
// SLUICE_SOURCE_ALLOW prefix covers, and which addresses a source may not connect to.

// sourceLocation is a URL reduced to what decides where a fetch goes: scheme, host (lower
// case, an IP address in its canonical form), port (the default one made explicit) and the
// path's segments (decoded, dot segments resolved). An allow-list prefix is one too.
type sourceLocation struct {
	scheme, host, port string
	segments           []string
}

// ValidateAllow reports the first SLUICE_SOURCE_ALLOW entry that is not a usable
// prefix, so the command can refuse to start on it.
func ValidateAllow(entries []string) error {
	_, err := parseSourceAllow(entries)
	return err
}

func parseSourceAllow(entries []string) ([]sourceLocation, error) {
	var prefixes []sourceLocation
	for _, entry := range entries {
		prefix, err := parseSourcePrefix(entry)
		if err != nil {
			return nil, fmt.Errorf("SLUICE_SOURCE_ALLOW entry %q: %v", entry, err)
		}
		prefixes = append(prefixes, prefix)
	}
	return prefixes, nil
}

func parseSourcePrefix(entry string) (sourceLocation, error) {
	u, err := url.Parse(entry)
	switch {
	case err != nil:
		return sourceLocation{}, errors.New("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return sourceLocation{}, errors.New("want an http:// or https:// URL prefix")
	case u.Host == "":
		return sourceLocation{}, errors.New("the URL has no host")
	case u.User != nil:
		return sourceLocation{}, errors.New("a prefix has no user:password@")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return sourceLocation{}, errors.New("a prefix has no query or fragment")
	}
	return locationOf(u)
}

// locationOf reduces an http(s) URL to its location. A path segment that decodes to one with
// a / or \ is refused: servers differ on whether that separates segments, so no prefix can
// say what it covers.
func locationOf(u *url.URL) (sourceLocation, error) {
	loc := sourceLocation{scheme: strings.ToLower(u.Scheme), host: strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")}
	if loc.host == "" {
		return loc, errors.New("the URL has no host")
	}
	if addr, err := netip.ParseAddr(loc.host); err == nil {
		loc.host = addr.String()
	}
	switch port := u.Port(); {
	case port != "":
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return loc, fmt.Errorf("bad port %q", port)
		}
		loc.port = strconv.FormatUint(n, 10)
	case loc.scheme == "https":
		loc.port = "443"
	default:
		loc.port = "80"
	}
	for _, raw := range strings.Split(u.EscapedPath(), "/") {
		segment, err := url.PathUnescape(raw)
		if err != nil {
			return loc, errors.New("bad percent-encoding in the path")
		}
		switch {
		case strings.ContainsAny(segment, `/\`):
			return loc, errors.New(`an encoded / or a \ in a path segment`)
		case segment == "" || segment == ".":
		case segment == "..":
			if len(loc.segments) > 0 {
				loc.segments = loc.segments[:len(loc.segments)-1]
			}
		default:
			loc.segments = append(loc.segments, segment)
		}
	}
	return loc, nil
}

// contains reports whether a prefix covers a location: same scheme, host and port, and the
// prefix's path segments begin the location's, whole (/files covers /files/a, not /files-a).
func (prefix sourceLocation) contains(loc sourceLocation) bool {
	if prefix.scheme != loc.scheme || prefix.host != loc.host || prefix.port != loc.port ||
		len(loc.segments) < len(prefix.segments) {
		return false
	}
	for i, segment := range prefix.segments {
		if loc.segments[i] != segment {
			return false
		}
	}
	return true
}

// refuseNonPublicAddress is the dialer's check of each address it is about to connect to,
// after name resolution: checking the name or an earlier lookup instead would let a name
// that resolves differently the next time (DNS rebinding) or a redirect reach sluice itself,
// its database's network or a cloud metadata service.
func refuseNonPublicAddress(_ context.Context, _, address string, _ syscall.RawConn) error {
	addrPort, err := netip.ParseAddrPort(address)
	if err != nil {
		return &refusedAddressError{class: "not an IP address"}
	}
	if class := nonPublicClass(addrPort.Addr()); class != "" {
		return &refusedAddressError{class: class}
	}
	return nil
}

// refusedAddressError is a connection the source policy did not make. It names the class of
// the address, not the address (which would tell a client what an internal name resolves to).
type refusedAddressError struct{ class string }

func (e *refusedAddressError) Error() string {
	return fmt.Sprintf("refused: its address is %s; sources on loopback, private, link-local and other non-public addresses need SLUICE_SOURCE_ALLOW_PRIVATE=true", e.class)
}

// nonPublicRanges are the special ranges netip has no predicate for.
var nonPublicRanges = []struct {
	prefix netip.Prefix
	class  string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), `"this network" (0.0.0.0/8)`},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space (100.64.0.0/10, carrier-grade NAT)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments (192.0.0.0/24)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking (198.18.0.0/15)"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved or broadcast (240.0.0.0/4)"},
	{netip.MustParsePrefix("fec0::/10"), "site-local (fec0::/10)"},
}

// IPv6 ranges whose addresses carry an IPv4 address that a gateway may connect to: NAT64
// (the last 32 bits), 6to4 (bits 16-47), IPv4-compatible (the last 32 bits).
var (
	nat64Prefix      = netip.MustParsePrefix("64:ff9b::/96")
	sixToFourPrefix  = netip.MustParsePrefix("2002::/16")
	v4CompatibleNets = netip.MustParsePrefix("::/96")
)

// nonPublicClass names the kind of a non-public address, or is "" for a public one.
func nonPublicClass(addr netip.Addr) string {
	addr = addr.Unmap() // ::ffff:127.0.0.1 is 127.0.0.1
	switch {
	case addr.IsLoopback():
		return "loopback"
	case addr.IsUnspecified():
		return "unspecified"
	case addr.IsLinkLocalUnicast():
		return "link-local (169.254.0.0/16, fe80::/10; the cloud metadata service)"
	case addr.IsPrivate():
		return "private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7)"
	case addr.IsMulticast():
		return "multicast"
	}
	for _, r := range nonPublicRanges {
		if r.prefix.Contains(addr) {
			return r.class
		}
	}
	if addr.Is6() {
		b := addr.As16()
		var embedded netip.Addr
		switch {
		case nat64Prefix.Contains(addr), v4CompatibleNets.Contains(addr):
			embedded = netip.AddrFrom4([4]byte(b[12:16]))
		case sixToFourPrefix.Contains(addr):
			embedded = netip.AddrFrom4([4]byte(b[2:6]))
		}
		if embedded.IsValid() {
			if class := nonPublicClass(embedded); class != "" {
				return class + ", inside an IPv6 address"
			}
		}
	}
	return ""
}
