package proxy_test

// Bearer tokens (issue 13): POST /auth/token with a SMART Backend Services assertion (keys made
// here: RSA 2048 with RS384, P-384 with ES384) or with a Client's secret, the tokens on the
// other endpoints, and every way an assertion or a token is refused, each writing nothing.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sluice-fhir/sluice/proxy"
)

// backendPolicy lets its client GET Patients and Appointments (reads and $dump), and POST
// Bundles, and nothing else.
const backendPolicy = `"engine":"matcho","matcho":{"$one-of":[
	{"request-method":"get","params":{"resource/type":{"$enum":["Patient","Appointment"]}}},
	{"uri":"/","request-method":"post"}]}`

// addBackendClient writes a Client that may use client_credentials, with the extra fields
// given (jwks, jwks_uri, secret), and backendPolicy linked to it.
func addBackendClient(ts *testServer, id string, fields map[string]any) {
	ts.t.Helper()
	client := map[string]any{"resourceType": "Client", "id": id, "grant_types": []string{"client_credentials"}}
	for k, v := range fields {
		client[k] = v
	}
	body, err := json.Marshal(client)
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.expect(http.StatusOK, request{method: "PUT", path: "/", body: fmt.Sprintf(`[%s,
		{"resourceType":"AccessPolicy","id":"%s-policy","link":[{"id":%q,"resourceType":"Client"}],%s}]`,
		body, id, id, backendPolicy)})
}

// signingKey is a client's key pair for assertions.
type signingKey struct {
	alg     jose.SignatureAlgorithm
	private crypto.Signer
	kid     string
}

func newRSAKey(t *testing.T, kid string) signingKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{alg: jose.RS384, private: k, kid: kid}
}

func newECKey(t *testing.T, kid string) signingKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{alg: jose.ES384, private: k, kid: kid}
}

// jwks is the public JWK set of keys, as a Client's jwks or a jwks_uri serves it.
func jwks(keys ...signingKey) map[string]any {
	set := jose.JSONWebKeySet{}
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.private.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"})
	}
	data, _ := json.Marshal(set)
	var v map[string]any
	json.Unmarshal(data, &v)
	return v
}

// claims are an assertion's claims; a zero field is left out.
type claims struct {
	iss, sub, aud, jti string
	exp                time.Time
}

// validClaims are what SMART asks of client id's assertion to ts.
func validClaims(ts *testServer, id string) claims {
	return claims{iss: id, sub: id, aud: ts.URL + "/auth/token", jti: randomJTI(), exp: time.Now().Add(4 * time.Minute)}
}

func (c claims) jwt() jwt.Claims {
	out := jwt.Claims{Issuer: c.iss, Subject: c.sub, ID: c.jti}
	if c.aud != "" {
		out.Audience = jwt.Audience{c.aud}
	}
	if !c.exp.IsZero() {
		out.Expiry = jwt.NewNumericDate(c.exp)
	}
	return out
}

var jtiCounter atomic.Int64

func randomJTI() string {
	return fmt.Sprintf("jti-%d-%d", time.Now().UnixNano(), jtiCounter.Add(1))
}

// sign makes an assertion signed with k.
func sign(t *testing.T, k signingKey, c claims) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.private},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.kid))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.Signed(signer).Claims(c.jwt()).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tokenAnswer is what POST /auth/token answered.
type tokenAnswer struct {
	status int
	header http.Header
	body   map[string]any
}

// postToken sends a form-encoded token request (basic: client_secret_basic credentials).
func postToken(t *testing.T, ts *testServer, form url.Values, basic ...string) tokenAnswer {
	t.Helper()
	return sendToken(t, ts, "application/x-www-form-urlencoded", form.Encode(), basic...)
}

func sendToken(t *testing.T, ts *testServer, contentType, body string, basic ...string) tokenAnswer {
	t.Helper()
	r, err := http.NewRequest("POST", ts.URL+"/auth/token", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", contentType)
	if len(basic) == 2 {
		r.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("token endpoint answered %d, not JSON: %s", resp.StatusCode, data)
	}
	return tokenAnswer{status: resp.StatusCode, header: resp.Header, body: v}
}

// assertionForm is the SMART token request of an assertion.
func assertionForm(assertion, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "scope": {scope},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion}}
}

// accessToken fails unless a is a token answer, and returns the token.
func (a tokenAnswer) accessToken(t *testing.T) string {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("token endpoint: %d %v", a.status, a.body)
	}
	token, _ := a.body["access_token"].(string)
	if token == "" || a.body["token_type"] != "Bearer" || a.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("not a token answer: %v %v", a.body, a.header)
	}
	return token
}

// tokenRows counts what the token endpoint writes: tokens and assertion ids.
func tokenRows(ts *testServer) string {
	return fmt.Sprintf("tokens=%d jtis=%d", ts.count("select count(*) from policy.token"),
		ts.count("select count(*) from policy.assertion_jti"))
}

// A signed assertion gets a token, with the key inline (RS384) or behind jwks_uri (ES384);
// the token reads what both its scope and its client's policy allow, and nothing else.
func TestAssertionGetsAToken(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		key  func(*testing.T, string) signingKey
		uri  bool
	}{{"RS384 inline jwks", newRSAKey, false}, {"ES384 jwks_uri", newECKey, true}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, proxy.Config{SourceAllowPrivate: true}) // the jwks_uri is on loopback
			seed(ts)
			key := c.key(t, "key-1")
			if c.uri {
				var fetched atomic.Int64
				keys := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					fetched.Add(1)
					json.NewEncoder(w).Encode(jwks(key))
				}))
				t.Cleanup(keys.Close)
				addBackendClient(ts, "backend", map[string]any{"jwks_uri": keys.URL + "/jwks.json"})
				defer func() {
					if fetched.Load() == 0 {
						t.Error("the jwks_uri was never fetched")
					}
				}()
			} else {
				addBackendClient(ts, "backend", map[string]any{"jwks": jwks(newRSAKey(t, "other"), key)})
			}

			answer := postToken(t, ts, assertionForm(sign(t, key, validClaims(ts, "backend")), "system/Patient.read"))
			token := answer.accessToken(t)
			if answer.body["scope"] != "system/Patient.read" || answer.body["expires_in"] != float64(300) {
				t.Errorf("answer %v: want scope system/Patient.read, expires_in 300 (the default lifetime)", answer.body)
			}
			// In scope and policy: a read and a $dump.
			ts.expect(http.StatusOK, request{method: "GET", path: "/Patient/pt-1", bearer: token})
			ts.expect(http.StatusOK, request{method: "GET", path: "/fhir/Patient/pt-2", bearer: token})
			if dump := ts.expect(http.StatusOK, request{method: "GET", path: "/Patient/$dump", bearer: token}); strings.Count(string(dump), "\n") != 3 {
				t.Errorf("$dump with the token: %s", dump)
			}
			// The policy allows Appointments, the scope does not: 403 insufficient_scope.
			resp, body := ts.do(request{method: "GET", path: "/Appointment/ap-1", bearer: token})
			if resp.StatusCode != http.StatusForbidden || resp.Header.Get("WWW-Authenticate") != `Bearer error="insufficient_scope"` ||
				!strings.Contains(string(body), "scope (system/Patient.read) does not cover") {
				t.Errorf("Appointment outside the scope: %d %q %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
			}
			// The scope allows every write, the policy none: 403, and nothing changed.
			wide := postToken(t, ts, assertionForm(sign(t, key, validClaims(ts, "backend")), "system/*.*")).accessToken(t)
			ts.expect(http.StatusForbidden, request{method: "DELETE", path: "/Patient/pt-1", bearer: wide})
			ts.expect(http.StatusForbidden, request{method: "PUT", path: "/Patient/pt-1", body: `{"name":[{"given":["Mallory"]}]}`, bearer: wide})
			ts.expect(http.StatusForbidden, request{method: "GET", path: "/Observation/o-1", bearer: wide})
			if n := ts.count(`select count(*) from patient where id = 'pt-1' and resource::text not like '%Mallory%'`); n != 1 {
				t.Error("pt-1 changed or went away")
			}
			ts.expect(http.StatusOK, request{method: "GET", path: "/Appointment/ap-1", bearer: wide})
			// A Bundle's entries are held to the scope too.
			bundle := `{"resourceType":"Bundle","type":"batch","entry":[
				{"request":{"method":"GET","url":"/Patient/pt-1"}},{"request":{"method":"GET","url":"/Appointment/ap-1"}}]}`
			if got := bundleStatuses(t, ts.expect(http.StatusOK, request{method: "POST", path: "/", body: bundle, bearer: token})); len(got) != 2 ||
				!strings.HasPrefix(got[0], "200") || !strings.HasPrefix(got[1], "403") {
				t.Errorf("batch with a Patient-only token: %v, want 200 then 403", got)
			}
		})
	}
}

// noneAssertion is an unsigned JWT (alg none) with the claims of c.
func noneAssertion(t *testing.T, c claims) string {
	t.Helper()
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	payload, _ := json.Marshal(c.jwt())
	return header + "." + base64.RawURLEncoding.EncodeToString(payload) + "."
}

// hmacWithPublicKey is the key-confusion attack: HS256 keyed with the client's public key
// (PEM), which a verifier that takes the alg from the token would accept.
func hmacWithPublicKey(t *testing.T, k signingKey, c claims) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.private.Public())
	if err != nil {
		t.Fatal(err)
	}
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.kid))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.Signed(signer).Claims(c.jwt()).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tampered is a valid assertion whose payload was replaced after signing.
func tampered(t *testing.T, k signingKey, c claims) string {
	t.Helper()
	parts := strings.Split(sign(t, k, c), ".")
	c.sub, c.iss = "backend", "backend"
	c.jti = randomJTI()
	payload, _ := json.Marshal(c.jwt())
	var v map[string]any
	json.Unmarshal(payload, &v)
	v["exp"] = time.Now().Add(4 * time.Minute).Unix()
	v["extra"] = "changed"
	payload, _ = json.Marshal(v)
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

// Every bad assertion is refused with its OAuth2 error and writes nothing; a replayed jti is
// refused after the first use got a token.
func TestAssertionRefused(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	key := newRSAKey(t, "key-1")
	addBackendClient(ts, "backend", map[string]any{"jwks": jwks(key)})
	// A Client with keys that may not use client_credentials.
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Client/basic-only",
		body: mustJSON(t, map[string]any{"grant_types": []string{"basic"}, "secret": "s", "jwks": jwks(key)})})

	// The replay: the first use gets a token, the second nothing.
	replayed := sign(t, key, validClaims(ts, "backend"))
	postToken(t, ts, assertionForm(replayed, "system/*.read")).accessToken(t)

	other := newRSAKey(t, "key-1") // same kid, not the client's key
	withClaims := func(change func(*claims)) claims {
		c := validClaims(ts, "backend")
		change(&c)
		return c
	}
	for _, c := range []struct {
		name, why string // why: what error_description must say
		form      url.Values
		status    int
		code      string
	}{
		{"replayed jti", "jti was used before", assertionForm(replayed, "system/*.read"), 401, "invalid_client"},
		{"wrong aud", "aud must be", assertionForm(sign(t, key, withClaims(func(c *claims) { c.aud = "https://elsewhere.example/auth/token" })), "system/*.read"), 401, "invalid_client"},
		{"no aud", "aud must be", assertionForm(sign(t, key, withClaims(func(c *claims) { c.aud = "" })), "system/*.read"), 401, "invalid_client"},
		{"expired exp", "has expired", assertionForm(sign(t, key, withClaims(func(c *claims) { c.exp = time.Now().Add(-time.Minute) })), "system/*.read"), 401, "invalid_client"},
		{"far-future exp", "more than 5m0s ahead", assertionForm(sign(t, key, withClaims(func(c *claims) { c.exp = time.Now().Add(10 * time.Minute) })), "system/*.read"), 401, "invalid_client"},
		{"no exp", "has no exp", assertionForm(sign(t, key, withClaims(func(c *claims) { c.exp = time.Time{} })), "system/*.read"), 401, "invalid_client"},
		{"no jti", "needs a jti", assertionForm(sign(t, key, withClaims(func(c *claims) { c.jti = "" })), "system/*.read"), 401, "invalid_client"},
		{"sub is not iss", "iss and sub", assertionForm(sign(t, key, withClaims(func(c *claims) { c.sub = "someone-else" })), "system/*.read"), 401, "invalid_client"},
		{"unknown client", "no client nobody", assertionForm(sign(t, key, withClaims(func(c *claims) { c.iss, c.sub = "nobody", "nobody" })), "system/*.read"), 401, "invalid_client"},
		{"key not in the JWKS", "does not verify", assertionForm(sign(t, other, validClaims(ts, "backend")), "system/*.read"), 401, "invalid_client"},
		{"alg none", "algorithm \"none\"", assertionForm(noneAssertion(t, validClaims(ts, "backend")), "system/*.read"), 401, "invalid_client"},
		{"HS256 keyed with the public key", "algorithm \"HS256\"", assertionForm(hmacWithPublicKey(t, key, validClaims(ts, "backend")), "system/*.read"), 401, "invalid_client"},
		{"tampered payload", "does not verify", assertionForm(tampered(t, key, validClaims(ts, "backend")), "system/*.read"), 401, "invalid_client"},
		{"not a JWT", "not a JWS", assertionForm("not.a.jwt", "system/*.read"), 401, "invalid_client"},
		{"wrong assertion type", "client_assertion_type must be", func() url.Values {
			f := assertionForm(sign(t, key, validClaims(ts, "backend")), "system/*.read")
			f.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
			return f
		}(), 401, "invalid_client"},
		{"no grant_types client_credentials", "may not use the client_credentials grant", assertionForm(sign(t, key, withClaims(func(c *claims) { c.iss, c.sub = "basic-only", "basic-only" })), "system/*.read"), 400, "invalid_grant"},
		{"no scope sluice grants", "holds no scope", assertionForm(sign(t, key, validClaims(ts, "backend")), "patient/*.read openid"), 400, "invalid_scope"},
		{"client_id not the iss", "is not the client_assertion's iss", func() url.Values {
			f := assertionForm(sign(t, key, validClaims(ts, "backend")), "system/*.read")
			f.Set("client_id", "basic-only")
			return f
		}(), 401, "invalid_client"},
		{"another grant type", `"password" is not supported`, func() url.Values {
			f := assertionForm(sign(t, key, validClaims(ts, "backend")), "system/*.read")
			f.Set("grant_type", "password")
			return f
		}(), 400, "unsupported_grant_type"},
	} {
		before := tokenRows(ts)
		answer := postToken(t, ts, c.form)
		if answer.status != c.status || answer.body["error"] != c.code {
			t.Errorf("%s: %d %v, want %d %s", c.name, answer.status, answer.body, c.status, c.code)
		}
		if desc, _ := answer.body["error_description"].(string); !strings.Contains(desc, c.why) {
			t.Errorf("%s: error_description %q, want it to say %q", c.name, desc, c.why)
		}
		if after := tokenRows(ts); after != before {
			t.Errorf("%s wrote something: %s, then %s", c.name, before, after)
		}
	}
	stillServes(t, ts)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// The secret grant as Aidbox does it: client_secret_basic, or client_id and client_secret in
// a form or a JSON body. A wrong secret is invalid_client and counts towards the login backoff.
func TestSecretGetsAToken(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{TokenLifetime: 2 * time.Minute, AuthMaxFailures: 3})
	seed(ts)
	addBackendClient(ts, "aidbox-style", map[string]any{"secret": "s3cret"})

	byHeader := postToken(t, ts, url.Values{"grant_type": {"client_credentials"}}, "aidbox-style", "s3cret")
	token := byHeader.accessToken(t)
	if byHeader.body["expires_in"] != float64(120) || byHeader.body["scope"] != "system/*.*" {
		t.Errorf("answer %v: want expires_in 120 (SLUICE_TOKEN_LIFETIME) and scope system/*.* when none was asked", byHeader.body)
	}
	ts.expect(http.StatusOK, request{method: "GET", path: "/Patient/pt-1", bearer: token})
	ts.expect(http.StatusForbidden, request{method: "DELETE", path: "/Patient/pt-1", bearer: token})

	byForm := postToken(t, ts, url.Values{"grant_type": {"client_credentials"}, "client_id": {"aidbox-style"}, "client_secret": {"s3cret"},
		"scope": {"system/Patient.read launch/patient"}})
	byForm.accessToken(t)
	if byForm.body["scope"] != "system/Patient.read" {
		t.Errorf("narrowed scope: %v, want system/Patient.read", byForm.body["scope"])
	}
	byJSON := sendToken(t, ts, "application/json", `{"grant_type":"client_credentials","client_id":"aidbox-style","client_secret":"s3cret"}`)
	ts.expect(http.StatusOK, request{method: "GET", path: "/Appointment/ap-1", bearer: byJSON.accessToken(t)})

	// A client_credentials client does not get HTTP Basic on the API by it.
	ts.expect(http.StatusUnauthorized, request{method: "GET", path: "/Patient/pt-1", auth: []string{"aidbox-style", "s3cret"}})

	before := tokenRows(ts)
	for _, c := range []struct {
		name   string
		answer tokenAnswer
		status int
		code   string
	}{
		{"wrong secret in the header", postToken(t, ts, url.Values{"grant_type": {"client_credentials"}}, "aidbox-style", "wrong"), 401, "invalid_client"},
		{"wrong secret in the body", postToken(t, ts, url.Values{"grant_type": {"client_credentials"}, "client_id": {"aidbox-style"}, "client_secret": {"wrong"}}), 401, "invalid_client"},
		{"unknown client", postToken(t, ts, url.Values{"grant_type": {"client_credentials"}}, "nobody", "s3cret"), 401, "invalid_client"},
		{"no credentials", postToken(t, ts, url.Values{"grant_type": {"client_credentials"}}), 401, "invalid_client"},
		{"no grant_type", postToken(t, ts, url.Values{}, "aidbox-style", "s3cret"), 400, "invalid_request"},
		{"refresh_token grant", postToken(t, ts, url.Values{"grant_type": {"refresh_token"}}, "aidbox-style", "s3cret"), 400, "unsupported_grant_type"},
		{"a parameter twice", postToken(t, ts, url.Values{"grant_type": {"client_credentials", "client_credentials"}}, "aidbox-style", "s3cret"), 400, "invalid_request"},
		{"JSON that is not strings", sendToken(t, ts, "application/json", `{"grant_type":["client_credentials"]}`, "aidbox-style", "s3cret"), 400, "invalid_request"},
		{"plain text", sendToken(t, ts, "text/plain", `grant_type=client_credentials`, "aidbox-style", "s3cret"), 400, "invalid_request"},
	} {
		if c.answer.status != c.status || c.answer.body["error"] != c.code {
			t.Errorf("%s: %d %v, want %d %s", c.name, c.answer.status, c.answer.body, c.status, c.code)
		}
		if c.status == 401 && c.answer.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: a 401 without WWW-Authenticate", c.name)
		}
	}
	if after := tokenRows(ts); after != before {
		t.Errorf("refused token requests wrote something: %s, then %s", before, after)
	}
	// Three wrong secrets (two above and this one) from this address: the next try waits.
	postToken(t, ts, url.Values{"grant_type": {"client_credentials"}}, "aidbox-style", "wrong")
	blocked := postToken(t, ts, url.Values{"grant_type": {"client_credentials"}}, "aidbox-style", "s3cret")
	if blocked.status != http.StatusTooManyRequests || blocked.header.Get("Retry-After") == "" {
		t.Errorf("after SLUICE_AUTH_MAX_FAILURES wrong secrets: %d %v, want 429 with Retry-After", blocked.status, blocked.body)
	}
}

// An expired, revoked, unknown or malformed token is 401 with the invalid_token challenge;
// the token's Client losing client_credentials ends it too.
func TestBearerRefused(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	addBackendClient(ts, "backend", map[string]any{"secret": "s3cret"})
	issue := func() string {
		return postToken(t, ts, url.Values{"grant_type": {"client_credentials"}}, "backend", "s3cret").accessToken(t)
	}
	refused := func(name, token string) {
		t.Helper()
		resp, body := ts.do(request{method: "GET", path: "/Patient/pt-1", bearer: token})
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
			t.Errorf("%s token: %d %q %s, want 401 with Bearer error=\"invalid_token\"", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
		}
	}

	expired := issue()
	ts.expect(http.StatusOK, request{method: "GET", path: "/Patient/pt-1", bearer: expired})
	if _, err := ts.Pool.Exec(t.Context(), `update policy.token set expires = now() - interval '1 second' where hash = policy.token_hash($1)`, expired); err != nil {
		t.Fatal(err)
	}
	refused("an expired", expired)

	revoked := issue()
	if _, err := ts.Pool.Exec(t.Context(), `delete from policy.token where hash = policy.token_hash($1)`, revoked); err != nil {
		t.Fatal(err)
	}
	refused("a revoked", revoked)

	refused("an unknown", base64.RawURLEncoding.EncodeToString(make([]byte, 32)))
	refused("a malformed", "not-a-token")

	live := issue()
	ts.expect(http.StatusOK, request{method: "PUT", path: "/Client/backend",
		body: `{"secret":"s3cret","grant_types":["basic"]}`})
	refused("a client_credentials-less client's", live)

	// The stored rows hold no token, only its sha256.
	var inClear, hashed int
	if err := ts.Pool.QueryRow(t.Context(), `select count(*) filter (where t::text like '%' || $1 || '%'),
		count(*) filter (where t.hash = $2) from policy.token as t`, live, sha256sum(live)).Scan(&inClear, &hashed); err != nil {
		t.Fatal(err)
	}
	if inClear != 0 || hashed != 1 {
		t.Errorf("tokens in the clear: %d, stored as their sha256: %d (want 0 and 1)", inClear, hashed)
	}
	stillServes(t, ts)
}

func sha256sum(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// Discovery needs no credentials and names the token endpoint on this server.
func TestSmartConfiguration(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	for _, path := range []string{"/fhir/.well-known/smart-configuration", "/.well-known/smart-configuration"} {
		config := decode(t, ts.expect(http.StatusOK, request{method: "GET", path: path, auth: []string{}}))
		if config["token_endpoint"] != ts.URL+"/auth/token" {
			t.Errorf("%s: token_endpoint %v, want %s/auth/token", path, config["token_endpoint"], ts.URL)
		}
		for field, want := range map[string]string{
			"grant_types_supported":                            `["client_credentials"]`,
			"token_endpoint_auth_methods_supported":            `["private_key_jwt","client_secret_basic"]`,
			"token_endpoint_auth_signing_alg_values_supported": `["RS384","ES384"]`,
			"capabilities": `["client-confidential-asymmetric"]`,
		} {
			if got, _ := json.Marshal(config[field]); string(got) != want {
				t.Errorf("%s: %s is %s, want %s", path, field, got, want)
			}
		}
		if scopes, _ := config["scopes_supported"].([]any); len(scopes) == 0 {
			t.Errorf("%s: no scopes_supported", path)
		}
	}
	// With SLUICE_BASE_URL set, that is the token endpoint (and an assertion's aud).
	behind := newTestServer(t, proxy.Config{BaseURL: "https://fhir.example.org"})
	config := decode(t, behind.expect(http.StatusOK, request{method: "GET", path: "/fhir/.well-known/smart-configuration", auth: []string{}}))
	if config["token_endpoint"] != "https://fhir.example.org/auth/token" {
		t.Errorf("token_endpoint %v with SLUICE_BASE_URL set", config["token_endpoint"])
	}
}

// Two servers on one database: the same assertion sent to both at once gets one token, and a
// token from one server works on the other (the tokens and the jtis are rows, not memory).
func TestAssertionReplayAcrossServers(t *testing.T) {
	t.Parallel()
	cfg := proxy.Config{BaseURL: "http://sluice.test"} // one aud for both
	ts := newTestServer(t, cfg)
	cfg.AdminID, cfg.AdminSecret = adminID, adminSecret
	api := proxy.New(ts.Pool, cfg)
	second := httptest.NewServer(api)
	t.Cleanup(func() {
		second.Close()
		api.Close()
	})
	other := &testServer{URL: second.URL, Pool: ts.Pool, t: t}
	seed(ts)
	key := newECKey(t, "k")
	addBackendClient(ts, "backend", map[string]any{"jwks": jwks(key)})

	const rounds = 5
	var tokens []string
	for round := 0; round < rounds; round++ {
		assertion := sign(t, key, claims{iss: "backend", sub: "backend", aud: "http://sluice.test/auth/token",
			jti: randomJTI(), exp: time.Now().Add(4 * time.Minute)})
		form := assertionForm(assertion, "system/Patient.read").Encode()
		type result struct {
			status int
			body   map[string]any
		}
		results := make(chan result, 2)
		for _, server := range []*testServer{ts, other} {
			go func() {
				resp, err := http.Post(server.URL+"/auth/token", "application/x-www-form-urlencoded", strings.NewReader(form))
				if err != nil {
					results <- result{status: -1}
					return
				}
				defer resp.Body.Close()
				var body map[string]any
				json.NewDecoder(resp.Body).Decode(&body)
				results <- result{resp.StatusCode, body}
			}()
		}
		granted := 0
		for range 2 {
			r := <-results
			switch {
			case r.status == http.StatusOK:
				granted++
				tokens = append(tokens, r.body["access_token"].(string))
			case r.status != http.StatusUnauthorized || r.body["error"] != "invalid_client":
				t.Errorf("round %d: %d %v, want 200 on one server and 401 invalid_client on the other", round, r.status, r.body)
			}
		}
		if granted != 1 {
			t.Errorf("round %d: %d tokens for one assertion sent to two servers, want 1", round, granted)
		}
	}
	if got := tokenRows(ts); got != fmt.Sprintf("tokens=%d jtis=%d", rounds, rounds) {
		t.Errorf("after %d rounds: %s", rounds, got)
	}
	for _, token := range tokens {
		ts.expect(http.StatusOK, request{method: "GET", path: "/Patient/pt-1", bearer: token})
		other.expect(http.StatusOK, request{method: "GET", path: "/Patient/pt-1", bearer: token})
	}
}

// A jwks_uri is fetched under the source rules of $load: a redirect to another scheme, an
// error status, a JWK set over 64 KiB, and (by default) a loopback address all refuse the
// assertion as invalid_client, naming why, and write nothing.
func TestJWKSURIUnderTheSourceRules(t *testing.T) {
	t.Parallel()
	key := newRSAKey(t, "k")
	keys := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case "/fails":
			http.Error(w, "secret internals", http.StatusInternalServerError)
		case "/huge":
			set := jwks(key)
			set["padding"] = strings.Repeat("x", 70<<10)
			json.NewEncoder(w).Encode(set)
		default:
			json.NewEncoder(w).Encode(jwks(key))
		}
	}))
	t.Cleanup(keys.Close)

	private := newTestServer(t, proxy.Config{SourceAllowPrivate: true})
	public := newTestServer(t, proxy.Config{}) // loopback refused, as for $load
	for _, c := range []struct {
		name, path, why string
		ts              *testServer
	}{
		{"redirect to file://", "/redirect", "only http:// and https:// redirects", private},
		{"error status", "/fails", "answered 500", private},
		{"over 64 KiB", "/huge", "larger than 65536 bytes", private},
		{"loopback by default", "/jwks.json", "its address is loopback", public},
	} {
		id := strings.ReplaceAll(strings.ReplaceAll(c.name, " ", "-"), ":", "")
		id = strings.ReplaceAll(id, "/", "")
		addBackendClient(c.ts, id, map[string]any{"jwks_uri": keys.URL + c.path})
		before := tokenRows(c.ts)
		answer := postToken(t, c.ts, assertionForm(sign(t, key, validClaims(c.ts, id)), "system/*.read"))
		desc, _ := answer.body["error_description"].(string)
		if answer.status != http.StatusUnauthorized || answer.body["error"] != "invalid_client" || !strings.Contains(desc, c.why) {
			t.Errorf("%s: %d %v, want 401 invalid_client saying %q", c.name, answer.status, answer.body, c.why)
		}
		if strings.Contains(desc, "secret internals") {
			t.Errorf("%s: the answer quotes the jwks_uri's body: %s", c.name, desc)
		}
		if after := tokenRows(c.ts); after != before {
			t.Errorf("%s wrote something: %s, then %s", c.name, before, after)
		}
	}
	// The same keys served plainly work (so the refusals above are the rules, not the keys).
	addBackendClient(private, "plain", map[string]any{"jwks_uri": keys.URL + "/jwks.json"})
	postToken(t, private, assertionForm(sign(t, key, validClaims(private, "plain")), "system/*.read")).accessToken(t)
}
