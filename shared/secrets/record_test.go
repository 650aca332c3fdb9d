package secrets

import "testing"

func TestCheckWrite(t *testing.T) {
	if err := CheckWrite("org_a", "wh_1", "whsec_x"); err != nil {
		t.Fatalf("a valid write refused: %v", err)
	}
	for _, c := range [][3]string{
		{"", "wh_1", "whsec_x"}, {"org_a", "", "whsec_x"}, {"org_a", "../wh_1", "whsec_x"}, {"org/a", "wh_1", "whsec_x"},
		{"org_a", "wh_1", ""},
	} {
		if err := CheckWrite(c[0], c[1], c[2]); err == nil {
			t.Errorf("CheckWrite(%q, %q, %q) accepted", c[0], c[1], c[2])
		}
	}
}
