package catalog

import (
	"bytes"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"testing"

	lambdaevents "github.com/aws/aws-lambda-go/events"
)

var (
	uuidRE    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
)

// producerDetail is the producer contract of the README ("Putting an event").
type producerDetail struct {
	OrganizationID string          `json:"organization_id"`
	ID             string          `json:"id,omitempty"`
	Data           json.RawMessage `json:"data"`
}

func TestSamplesOnePerTypeAndValid(t *testing.T) {
	c := embeddedCatalog(t)
	samples, err := Samples()
	if err != nil {
		t.Fatal(err)
	}
	var catalogNames []string
	for _, typ := range c.Types() {
		catalogNames = append(catalogNames, typ.Name)
	}
	if got := slices.Sorted(maps.Keys(samples)); !slices.Equal(got, catalogNames) {
		t.Fatalf("samples for %v\nwant one per type %v", got, catalogNames)
	}

	for name, raw := range samples {
		// Strict decode into the Lambda library's EventBridge type: the
		// sample has exactly the fields EventBridge delivers.
		var evt lambdaevents.EventBridgeEvent
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&evt); err != nil {
			t.Errorf("%s: not an EventBridge event: %v", name, err)
			continue
		}
		switch {
		case evt.Version != "0":
			t.Errorf("%s: version = %q", name, evt.Version)
		case !uuidRE.MatchString(evt.ID):
			t.Errorf("%s: id %q is not a UUID", name, evt.ID)
		case evt.DetailType != name:
			t.Errorf("%s: detail-type = %q", name, evt.DetailType)
		case evt.Source == "" || evt.Region == "" || evt.Time.IsZero() || evt.Resources == nil:
			t.Errorf("%s: source, region, time or resources missing", name)
		case !accountRE.MatchString(evt.AccountID):
			t.Errorf("%s: account = %q", name, evt.AccountID)
		}

		var detail producerDetail
		dec = json.NewDecoder(bytes.NewReader(evt.Detail))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&detail); err != nil {
			t.Errorf("%s: detail breaks the producer contract: %v", name, err)
			continue
		}
		if detail.OrganizationID == "" {
			t.Errorf("%s: detail.organization_id is empty", name)
		}
		if err := c.Validate(evt.DetailType, detail.Data); err != nil {
			t.Errorf("%s: detail.data: %v", name, err)
		}
	}
}

func TestSamplesReturnsCopies(t *testing.T) {
	first, err := Samples()
	if err != nil {
		t.Fatal(err)
	}
	first[TestEvent][0] = 'X'
	second, err := Samples()
	if err != nil {
		t.Fatal(err)
	}
	if second[TestEvent][0] != '{' {
		t.Fatal("a caller's edit leaked into the next Samples() call")
	}
}
