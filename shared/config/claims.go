package config

import "fmt"

// CheckClaims refuses an operator claim that is the organization claim:
// an organization whose id equalled the operator value would then carry
// the operator role. One rule for synth and for the functions' start.
func CheckClaims(orgClaim, operatorClaim string) error {
	if orgClaim == operatorClaim {
		return fmt.Errorf("the operator claim %q must differ from the organization claim: an organization whose id is the operator value would be an operator", operatorClaim)
	}
	return nil
}
