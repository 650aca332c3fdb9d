package strictjson

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckRepeatedKeysAtEveryDepth(t *testing.T) {
	for _, c := range []struct {
		json, repeated string
	}{
		{`{"a":1,"b":2}`, ""},
		{`{"a":{"x":1},"b":{"x":2}}`, ""},
		{`[{"a":1},{"a":2}]`, ""},
		{`{"a":[{},{"a":[]}],"b":{}}`, ""},
		{`{"a":1,"a":2}`, "a"},
		{`{"user":{"role":"viewer","name":"n","role":"admin"}}`, "role"},
		{`{"list":[1,{"k":true,"k":false}]}`, "k"},
		{`{"a":{"b":{"c":{"d":1,"e":[],"d":2}}}}`, "d"},
		{`{"\u0061":1,"a":2}`, "a"},
	} {
		err := CheckRepeatedKeys([]byte(c.json))
		switch {
		case c.repeated == "" && err != nil:
			t.Errorf("%s: %v, want none repeated", c.json, err)
		case c.repeated != "" && (!errors.Is(err, ErrRepeatedKey) || !strings.Contains(err.Error(), `"`+c.repeated+`"`)):
			t.Errorf("%s: %v, want %q repeated", c.json, err, c.repeated)
		}
	}
}
