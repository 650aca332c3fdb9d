package catalog

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

// sampleSuffix names the sample EventBridge events: samples/<name>.eventbridge.json.
const sampleSuffix = ".eventbridge.json"

//go:embed samples/*.json
var samples embed.FS

// Samples returns one EventBridge event per catalog type, as delivered to
// the ingest queue's SQS target, keyed by type name. The fan-out's tests
// use them as fixtures. Each call returns fresh copies.
func Samples() (map[string][]byte, error) {
	files, err := fs.Glob(samples, "samples/*"+sampleSuffix)
	if err != nil {
		return nil, fmt.Errorf("catalog: list samples: %w", err)
	}
	out := make(map[string][]byte, len(files))
	for _, file := range files {
		data, err := samples.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		out[strings.TrimSuffix(strings.TrimPrefix(file, "samples/"), sampleSuffix)] = data
	}
	return out, nil
}
