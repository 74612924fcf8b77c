package proxy_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sluice-fhir/sluice/proxy"
)

// One rule decides a write's status: a load after a delete records 'recreated', as REST does.
func TestLoadAfterDeleteIsRecreated(t *testing.T) {
	t.Parallel()
	ts := newLoadServer(t, proxy.Config{})
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Patient/pt-1", body: `{"name":[{"family":"A"}]}`})
	ts.expect(http.StatusOK, request{method: "DELETE", path: "/Patient/pt-1"})
	src := newSources(t)
	url := src.add("/pt.ndjson", lines(`{"resourceType":"Patient","id":"pt-1","name":[{"family":"B"}]}`,
		`{"resourceType":"Patient","id":"pt-2"}`))
	ts.expect(http.StatusOK, request{method: "POST", path: "/Patient/$load", body: loadBody(url, "")})
	if got := ts.loadValue("select status::text from patient where id = 'pt-1'"); got != "recreated" {
		t.Errorf("pt-1 loaded after its delete: status %v, want recreated", got)
	}
	if got := ts.loadValue("select status::text from patient where id = 'pt-2'"); got != "created" {
		t.Errorf("pt-2 loaded new: status %v, want created", got)
	}

	// Over REST the same: delete, then PUT again.
	ts.expect(http.StatusOK, request{method: "DELETE", path: "/Patient/pt-2"})
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Patient/pt-2", body: `{}`})
	if got := ts.loadValue("select status::text from patient where id = 'pt-2'"); got != "recreated" {
		t.Errorf("pt-2 put after its delete: status %v, want recreated", got)
	}
}

// POST then PUT of one id in one transaction Bundle: the PUT replaced what the POST made, so
// it answers 200, although both writes have the transaction's timestamp.
func TestTransactionPostThenPut(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	body := ts.expect(http.StatusOK, request{method: "POST", path: "/", body: `{"resourceType":"Bundle","type":"transaction","entry":[
		{"request":{"method":"POST","url":"/Patient"},"resource":{"id":"tx-1"}},
		{"request":{"method":"PUT","url":"/Patient/tx-1"},"resource":{"name":[{"family":"B"}]}},
		{"request":{"method":"PUT","url":"/Patient/tx-2"},"resource":{}}]}`})
	var result struct {
		Entry []struct{ Response struct{ Status string } }
	}
	if err := json.Unmarshal(body, &result); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	var statuses []string
	for _, e := range result.Entry {
		statuses = append(statuses, e.Response.Status)
	}
	if got := strings.Join(statuses, ","); got != "201 Created,200 OK,201 Created" {
		t.Errorf("statuses %s, want 201 Created,200 OK,201 Created: %s", got, body)
	}
}
