package bus

import (
	"strings"
	"testing"
)

func TestDataDepthFindsDetailData(t *testing.T) {
	deep := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	for body, want := range map[string]int{
		`{"id":"u","detail":{"organization_id":"o","data":1}}`:                                  0,
		`{"id":"u","detail":{"data":{"a":[{}]},"other":` + deep + `}}`:                          3,
		`{"data":[[[]]],"detail":{"x":{"data":[[]]},"data":{}}}`:                                1,
		`{"detail":{"organization_id":"o","data":` + deep + `}}`:                                10001,
		`{"resources":[],"detail":{"trace":` + deep + `,"data":{"a":{"b":[]}},"id":"x"},"z":1}`: 3,
	} {
		if got, ok := DataDepth([]byte(body)); !ok || got != want {
			t.Errorf("%.70s: %d %v, want %d", body, got, ok, want)
		}
	}
	for _, body := range []string{`{"detail":{"organization_id":"o"}}`, `{"detail":{"data":`, `[]`} {
		if got, ok := DataDepth([]byte(body)); ok {
			t.Errorf("%s: %d, want not found", body, got)
		}
	}
}
