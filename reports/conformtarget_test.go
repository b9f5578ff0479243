package reports

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

// TestGinkgoJUnitNamesTarget checks that the JUnit file `conform --junit` writes
// (Ginkgo's, with plain-decimal times) carries the tested pool, client, region and
// endpoint as suite properties, escaped, ahead of Ginkgo's own.
func TestGinkgoJUnitNamesTarget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junit.xml")
	r := types.Report{SuiteDescription: "authbench conformance", StartTime: time.Unix(0, 0), SuiteSucceeded: true}
	target := &ConformTarget{PoolID: "eu-west-1_AbC", ClientID: "client&1", Region: "eu-west-1", Endpoint: `http://127.0.0.1:9/"x"`}
	if err := WriteGinkgoJUnit(path, r, target); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Props []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil || len(doc.Suites) != 1 {
		t.Fatalf("%v\n%s", err, b)
	}
	want := [][2]string{{"authbench.poolId", "eu-west-1_AbC"}, {"authbench.clientId", "client&1"}, {"authbench.region", "eu-west-1"}, {"authbench.endpoint", `http://127.0.0.1:9/"x"`}}
	ps := doc.Suites[0].Props
	if len(ps) < len(want)+1 {
		t.Fatalf("properties %+v", ps)
	}
	for i, w := range want {
		if ps[i].Name != w[0] || ps[i].Value != w[1] {
			t.Errorf("property %d = %+v, want %v", i, ps[i], w)
		}
	}
	if ps[len(want)].Name != "SuiteSucceeded" {
		t.Errorf("Ginkgo's own properties do not follow: %+v", ps[len(want)])
	}
}
