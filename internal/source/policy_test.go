package source

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// The rules of the source policy on their own, without a database. Addresses outside the
// loopback range are only classified here, never dialled.

// Every non-public class is refused, in its IPv4-mapped and IPv4-embedding IPv6 forms too;
// public addresses next to them are not.
func TestNonPublicClass(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{
		"127.0.0.1", "127.255.0.1", "::1", "::ffff:127.0.0.1",
		"0.0.0.0", "::", "0.1.2.3",
		"169.254.169.254", "::ffff:169.254.169.254", "fe80::1",
		"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fc00::1", "fd12:3456::1", "::ffff:10.0.0.1",
		"100.64.0.1", "100.127.255.254",
		"224.0.0.1", "239.255.255.250", "ff02::1", "255.255.255.255", "240.0.0.1",
		"192.0.0.170", "198.18.0.1", "fec0::1",
		"64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
		"2002:7f00:1::1",     // 6to4 of 127.0.0.1
		"::7f00:1",           // IPv4-compatible 127.0.0.1
	} {
		if class := nonPublicClass(netip.MustParseAddr(addr)); class == "" {
			t.Errorf("%s: taken as public", addr)
		}
	}
	for _, addr := range []string{
		"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "169.255.0.1", "::ffff:8.8.8.8",
		"2606:4700:4700::1111", "64:ff9b::808:808", "2002:808:808::1",
	} {
		if class := nonPublicClass(netip.MustParseAddr(addr)); class != "" {
			t.Errorf("%s: taken as %s", addr, class)
		}
	}
}

// The dialer's check refuses an address it cannot read as well as a non-public one.
func TestRefuseNonPublicAddressAtDial(t *testing.T) {
	t.Parallel()
	for address, refused := range map[string]bool{
		"127.0.0.1:80": true, "[::1]:443": true, "[::ffff:127.0.0.1]:80": true, "[fe80::1%eth0]:80": true,
		"localhost:80": true, "8.8.8.8:80": false, "[2606:4700:4700::1111]:443": false,
	} {
		err := refuseNonPublicAddress(context.Background(), "tcp", address, nil)
		var re *refusedAddressError
		if got := errors.As(err, &re); got != refused {
			t.Errorf("%s: refused %v, want %v (%v)", address, got, refused, err)
		}
	}
}

// A redirect hop is checked when it is dialled: the first source stands in for a public
// server (its address passes), and its redirect to loopback is refused without a request.
func TestSourceRedirectHopDialChecked(t *testing.T) {
	t.Parallel()
	var internalRequests atomic.Int64
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		internalRequests.Add(1)
		w.Write([]byte(`{"id":"internal"}` + "\n"))
	}))
	defer internal.Close()
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/latest/meta-data", http.StatusFound)
	}))
	defer public.Close()
	publicAddr := strings.TrimPrefix(public.URL, "http://")

	f := NewFetcher(Config{MinTransferRate: -1})
	transport := f.client.Transport.(*http.Transport)
	transport.DialContext = (&net.Dialer{ControlContext: func(ctx context.Context, network, address string, c syscall.RawConn) error {
		if address == publicAddr {
			return nil
		}
		return refuseNonPublicAddress(ctx, network, address, c)
	}}).DialContext
	defer transport.CloseIdleConnections()

	src, err := f.Open(context.Background(), public.URL+"/p.ndjson")
	if err == nil {
		src.Close()
		t.Fatal("the redirect to loopback was followed")
	}
	if !strings.Contains(err.Error(), "SLUICE_SOURCE_ALLOW_PRIVATE") || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("error: %v", err)
	}
	if n := internalRequests.Load(); n != 0 {
		t.Errorf("the internal server got %d requests", n)
	}
}

// SLUICE_SOURCE_ALLOW entries cover what their parsed, normalised form says, by whole path
// segments; dot segments, percent-encoding, userinfo and default ports do not fool them.
func TestSourceAllowPrefixes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		prefix, source string
		allowed        bool
	}{
		{"http://h:8080/files", "http://h:8080/files/a.ndjson", true},
		{"http://h:8080/files", "http://h:8080/files", true},
		{"http://h:8080/files", "http://h:8080/files/sub/../a.ndjson", true},
		{"http://h:8080/files", "http://h:8080/fil%65s/a.ndjson", true},
		{"http://h:8080/files", "http://h:8080/files//a.ndjson", true},
		{"http://h:8080/files", "http://h:8080/files-other/a.ndjson", false},
		{"http://h:8080/files", "http://h:8080/files/../other.ndjson", false},
		{"http://h:8080/files", "http://h:8080/files/./../other.ndjson", false},
		{"http://h:8080/files", "http://h:8080/files/%2e%2e/other.ndjson", false},
		{"http://h:8080/files", "http://h:8080/files%2F..%2Fother.ndjson", false},
		{"http://h:8080/files", `http://h:8080/files/a%5C..%5C..%5Cother.ndjson`, false},
		{"http://h:8080/files", "http://h:8080/", false},
		{"http://h:8080/files", "http://h:8081/files/a", false},
		{"http://h:8080/files", "https://h:8080/files/a", false},
		{"http://h:8080/files", "http://other:8080/files/a", false},
		{"http://h/files/", "http://h:80/files/a", true},
		{"http://h:80/files/", "http://h/files/a", true},
		{"http://h/files/", "HTTP://H./files/a", true},
		{"http://h/files/", "http://h:0080/files/a", true},
		{"http://h/files/", "http://h:443/files/a", false},
		{"https://h", "https://h:443/any/thing?X-Amz-Signature=s", true},
		{"https://h", "http://h/any", false},
		{"http://[::1]:8080/", "http://[0:0:0:0:0:0:0:1]:8080/x", true},
		{"http://a:1", "http://a:1@b:2/health", false},
		{"http://a:1", "http://user:pass@a:1/x", false},
	} {
		f := NewFetcher(Config{Allow: []string{c.prefix}})
		u, err := url.Parse(c.source)
		if err != nil {
			t.Fatalf("%s: %v", c.source, err)
		}
		if err := f.check(u); (err == nil) != c.allowed {
			t.Errorf("prefix %s, source %s: allowed %v, want %v (%v)", c.prefix, c.source, err == nil, c.allowed, err)
		}
	}
}

// An entry that is not a usable prefix is a startup error naming it; a server given one
// anyway refuses every http(s) source rather than allowing any.
func TestValidateAllow(t *testing.T) {
	t.Parallel()
	if err := ValidateAllow([]string{"http://h/files", "https://h:8443", "http://[::1]/"}); err != nil {
		t.Errorf("good entries: %v", err)
	}
	for _, bad := range []string{
		"ftp://h/files", "h/files", "http:///files", "http://u:p@h/", "http://h/?x=1", "http://h/#f",
		"http://h:99999/", "http://h/%zz", "http://h/a%2Fb", "://",
	} {
		err := ValidateAllow([]string{"http://ok/", bad})
		if err == nil || !strings.Contains(err.Error(), "SLUICE_SOURCE_ALLOW") || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	f := NewFetcher(Config{Allow: []string{"ftp://h/"}})
	if err := f.check(&url.URL{Scheme: "http", Host: "ok", Path: "/x"}); err == nil || !strings.Contains(err.Error(), "SLUICE_SOURCE_ALLOW") {
		t.Errorf("a bad entry let a source through: %v", err)
	}
}
