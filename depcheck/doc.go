// Package depcheck holds no code, only the tests that keep the import graph
// layered: Lambdas link no development code, and the domain links no AWS
// SDK. They read the graph with `go list`, as a reviewer would.
package depcheck
