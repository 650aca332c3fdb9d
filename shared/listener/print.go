package listener

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/phrase"
)

// prettyDepthMax is the deepest body printed indented. Indentation grows
// with depth, so the indented text grows with depth × lines: data nested
// message.MaxDataDepth levels, which the API accepts, indents to about
// 200 MB and takes seconds. A deeper body is printed as it came.
const prettyDepthMax = 32

// printMax bounds the body text printed per request (the envelope of an
// event at message.MaxDataBytes is about 253 KiB as sent, and more
// indented); the rest is counted, not printed.
const printMax = 64 << 10

// printBody writes the body as listen shows it: indented JSON when it is
// at most prettyDepthMax deep, JSON as sent when deeper, quoted when it is
// not JSON (it may hold terminal escapes), each cut at printMax bytes.
func printBody(b *strings.Builder, body []byte) {
	if !json.Valid(body) {
		shown, left := cut(body)
		fmt.Fprintf(b, "  (body is not JSON) %q", shown)
		noteLeftOut(b, left)
		return
	}
	text := body
	if depth := message.Depth(body); depth > prettyDepthMax {
		fmt.Fprintf(b, "  (nested %d levels deep: printed as sent, not indented)\n", depth)
	} else {
		var pretty bytes.Buffer
		if json.Indent(&pretty, body, "  ", "  ") == nil { // valid JSON: it is
			text = pretty.Bytes()
		}
	}
	shown, left := cut(text)
	b.WriteString("  ")
	b.WriteString(shown)
	noteLeftOut(b, left)
}

// cut returns at most printMax bytes of text, ending on a whole UTF-8
// character, and how many bytes it left out.
func cut(text []byte) (shown string, left int) {
	shown = phrase.Clip(string(text), printMax, "")
	return shown, len(text) - len(shown)
}

func noteLeftOut(b *strings.Builder, left int) {
	if left > 0 {
		fmt.Fprintf(b, "\n  (… %d more bytes of the body not printed)", left)
	}
}
