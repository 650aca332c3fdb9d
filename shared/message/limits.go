package message

import (
	"bytes"
	"errors"
	"fmt"
)

// What the pipeline can carry. An accepted event travels inside several
// wrappers, each with a hard limit, and must fit the largest of them with
// the largest values its other fields can take. The API (413/422) and
// fan-out (ingest DLQ) both check MaxDataBytes, MaxDataDepth and the
// characters SQS refuses with CheckData, so an event is refused where it
// enters, never lost on the way. CheckData also bounds number literals,
// each and their count (numbers.go), which cost the schema validator, not
// the pipeline.
//
// The wrappers around an event's data (D, compact JSON), outermost hop
// first. Each embeds D verbatim (raw JSON, never as an escaped string),
// so its size is D plus a fixed overhead:
//
//  1. the PutEvents entry: 14 + source + detail-type + detail, where
//     detail = {"organization_id":…,"data":D,"id":…} (EventBridge's own
//     size calculation; limit 256 KiB);
//  2. the ingest queue message the rule's SQS target writes: the whole
//     EventBridge event (version, id, detail-type, source, account, time,
//     region, resources, detail); limit 256 KiB. The target's DLQ is the
//     ingest DLQ, which receives the same body plus EventBridge's error
//     attributes, and fan-out's own dead letters add reason attributes; a
//     fan-out continuation is the same body plus AttrResumeAfter;
//  3. the delivery message: {"v":2,…,"envelope":E}, with the envelope
//     E = {"id":…,"event_name":…,"organization_id":…,"timestamp":…,"data":D};
//  4. the DLQ message: the delivery message plus the reason attributes.
//
// SQS counts a message's attributes (name, type "String" and value) in its
// 256 KiB; EventBridge's event limit is the same 256 KiB.
const (
	// MessageMax is the SQS message limit and the EventBridge event limit.
	MessageMax = 256 << 10

	// Largest values of the variable fields.
	MaxOrgID     = 128 // auth's organization id rule (letters, digits, _-.@+=: never escaped)
	MaxEventName = 128 // catalog names (the events package holds them to this, unescaped)
	maxSource    = 256 // EventBridge's Source limit; the API uses "hookrelay"
	maxEventID   = 4 + 64
	deliveryID   = 4 + 32 // dlv_ + 128 bits in hex
	webhookID    = 3 + 26 // wh_ + ids.New
	uuidLen      = 36     // EventBridge's event id
	accountLen   = 12
	maxRegion    = 32 // the longest region name today is 14
	timeLen      = len("2006-01-02T15:04:05Z")
	maxTimestamp = len("-9223372036854775808") // any int64
	maxReason    = 32
	// MaxErrorAttr bounds every last_error attribute (fan-out's carries an
	// error text, the delivery DLQ's an error class).
	MaxErrorAttr = 512
	maxAttempts  = 10 // digits of an attempt counter
	maxStatus    = 3

	// targetDLQAttrs budgets the attributes EventBridge adds when it moves
	// an event it could not put on the ingest queue to the ingest DLQ
	// (RULE_ARN and TARGET_ARN, up to ~400 and ~150 bytes, ERROR_CODE,
	// ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS). AWS does
	// not bound ERROR_MESSAGE, so the budget keeps over a kilobyte for it.
	targetDLQAttrs = 2048
)

// attr is what one string attribute costs: name, data type, value.
func attr(name string, maxValue int) int { return len(name) + len("String") + maxValue }

const (
	detailOverhead = len(`{"organization_id":"","data":,"id":""}`) + MaxOrgID + maxEventID
	entryOverhead  = 14 + maxSource + MaxEventName + detailOverhead
	// entryToRecord is what the rule's SQS target writes around an entry's
	// Source, DetailType and Detail: the EventBridge event's own fields.
	entryToRecord = len(`{"version":"0","id":"","detail-type":"","source":"","account":"","time":"","region":"","resources":[],"detail":}`) +
		uuidLen + accountLen + timeLen + maxRegion
	recordOverhead   = entryToRecord + MaxEventName + maxSource + detailOverhead
	envelopeOverhead = len(`{"id":"","event_name":"","organization_id":"","timestamp":,"data":}`) +
		maxEventID + MaxEventName + MaxOrgID + maxTimestamp
	deliveryOverhead = len(`{"v":2,"delivery_id":"","event_id":"","organization_id":"","webhook_id":"","event_name":"","test":true,"resend":,"envelope":}`) +
		deliveryID + maxEventID + MaxOrgID + webhookID + MaxEventName + maxAttempts + envelopeOverhead
)

// fanoutDLQAttrs and deliveryDLQAttrs are the reason attributes fan-out
// and the deliver function add to a dead letter (their worst case).
var (
	fanoutDLQAttrs = attr(AttrReason, maxReason) + attr(AttrLastError, MaxErrorAttr) +
		attr(AttrOrgID, MaxOrgID) + attr(AttrEventName, MaxEventName)
	deliveryDLQAttrs = attr(AttrReason, maxReason) + attr(AttrLastError, MaxErrorAttr) + attr(AttrAttempts, maxAttempts) +
		attr(AttrOrgID, MaxOrgID) + attr(AttrWebhookID, webhookID) + attr(AttrEventName, MaxEventName) +
		attr(AttrFirstAttempt, timeLen) + attr(AttrLastAttempt, timeLen) + attr(AttrLastStatus, maxStatus) +
		attr(AttrDeadLetterID, len("2006-01-02T15:04:05.000000000Z#")+deliveryID)
)

// Overheads lists each wrapper's worst-case size beyond the data, by name
// (tests hold the real encoders to these).
func Overheads() map[string]int {
	return map[string]int{
		"eventbridge entry":           entryOverhead,
		"ingest message":              recordOverhead,
		"ingest dead letter (rule)":   recordOverhead + targetDLQAttrs,
		"ingest dead letter (fanout)": recordOverhead + fanoutDLQAttrs,
		"ingest continuation":         recordOverhead + attr(AttrResumeAfter, webhookID),
		"delivery message":            deliveryOverhead,
		"delivery dead letter":        deliveryOverhead + deliveryDLQAttrs,
	}
}

// MaxDataBytes is the largest event data (compact JSON) every wrapper
// carries: MessageMax less the largest overhead, rounded down to a whole
// KiB so the documented figure is simple (259,072 bytes = 253 KiB).
var MaxDataBytes = func() int {
	worst := 0
	for _, n := range Overheads() {
		worst = max(worst, n)
	}
	return (MessageMax - worst) &^ 1023
}()

// MaxEntryBytes bounds a direct producer's whole PutEvents entry as
// EventBridge counts it (Source, DetailType, Detail, each Resources item,
// 14 for a Time): the ingest message is that entry's fields with the
// event's own around them (entryToRecord; each Resources item adds its
// quotes and comma, 3 bytes, which the rounding leaves room for), and
// the ingest DLQ's copy adds EventBridge's attributes. Within it the
// ingest queue takes the event and, should it refuse it, the ingest DLQ
// too. Beyond it PutEvents may accept an event that neither takes, and
// EventBridge drops it (only the rule's metrics count it). Rounded down to
// a whole KiB, as MaxDataBytes is.
const MaxEntryBytes = (MessageMax - entryToRecord - targetDLQAttrs) &^ 1023

// SQSSize is what SQS counts against MessageMax: the body and, per
// attribute, its name, data type and value.
func SQSSize(body string, attrs map[string]string) int {
	n := len(body)
	for k, v := range attrs {
		if v != "" { // the adapter drops empty values
			n += attr(k, len(v))
		}
	}
	return n
}

// trimOrder is the order FitAttributes drops dead-letter attributes in:
// the least useful first, the reason last, and the dead letter's id last
// but one: without it an operator's redrive cannot see that the tenant
// recovered the letter already.
var trimOrder = []string{AttrLastError, AttrFirstAttempt, AttrLastAttempt, AttrEventName, AttrWebhookID,
	AttrOrgID, AttrAttempts, AttrLastStatus, AttrDeadLetterID, AttrReason}

// FitAttributes returns attrs, or a copy without the least useful ones,
// so that body and attributes fit in one SQS message. Every event the API
// accepts fits with all of them; a body near the limit (a version 1
// message, a producer's record) keeps what fits rather than failing the
// DLQ send on every receive.
func FitAttributes(body string, attrs map[string]string) map[string]string {
	if SQSSize(body, attrs) <= MessageMax {
		return attrs
	}
	out := make(map[string]string, len(attrs))
	for k, v := range attrs {
		out[k] = v
	}
	for _, k := range trimOrder {
		delete(out, k)
		if SQSSize(body, out) <= MessageMax {
			break
		}
	}
	for k := range out { // names outside trimOrder, should there be any
		if SQSSize(body, out) <= MessageMax {
			break
		}
		delete(out, k)
	}
	return out
}

// JSONDepthMax is encoding/json's nesting limit, which every decoder on
// the path applies (API, fan-out, deliver, DLQ tooling).
const JSONDepthMax = 10000

// MaxDataDepth is the deepest data every wrapper can hold: the ingest
// message nests data two levels down (event → detail → data), as does the
// delivery message (message → envelope → data); the API request and the
// envelope nest it one level down.
const MaxDataDepth = JSONDepthMax - 2

// Errors of CheckData (and ErrNumber); fan-out's ingest DLQ reasons name them.
var (
	ErrTooLarge     = errors.New("event data too large")
	ErrTooDeep      = errors.New("event data nested too deep")
	ErrNoncharacter = errors.New("event data holds a noncharacter SQS refuses")
)

// CheckData reports whether valid JSON data fits the pipeline. The size
// that counts is the compact one: every wrapper compacts the data.
//
// SQS refuses a message body holding a character outside #x9 | #xA | #xD |
// #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF, and the ingest queue's
// DLQ is SQS too: EventBridge would drop such an event. Valid JSON text
// that is valid UTF-8 (the API's strictjson rule) can hold only two of
// them, the noncharacters U+FFFE and U+FFFF: the other control characters
// appear only escaped, and any JSON encoder keeps them escaped; surrogates
// are not UTF-8, a lone surrogate escape is refused by the API (strictjson),
// and a direct record's is carried as sent (the encoders keep data's bytes;
// encoding/json decodes one as U+FFFD). The noncharacters are refused
// escaped as well ("\uffff"), since an encoder may write a character it
// decoded raw (EventBridge's, or encoding/json, which escapes only
// controls, U+2028/9 and HTML). Number literals are held to MaxNumberLen
// and an exponent of ±MaxNumberExponent (ErrNumber), and there may be at
// most MaxNumbers of them (ErrTooManyNumbers).
func CheckData(data []byte) error {
	size, depth, nonchar, bigNumber, numbers := measure(data)
	switch {
	case size > MaxDataBytes:
		return fmt.Errorf("%w: data is %d bytes of compact JSON; the limit is %d", ErrTooLarge, size, MaxDataBytes)
	case depth > MaxDataDepth:
		return fmt.Errorf("%w: data is nested %d levels deep; the limit is %d", ErrTooDeep, depth, MaxDataDepth)
	case nonchar != 0:
		return fmt.Errorf("%w: data holds U+%04X (raw or as a \\u escape); SQS accepts no U+FFFE or U+FFFF", ErrNoncharacter, nonchar)
	case bigNumber:
		return ErrNumber
	case numbers > MaxNumbers:
		return fmt.Errorf("%w: data holds %d; the limit is %d, whatever the schema says: send a longer list as a string",
			ErrTooManyNumbers, numbers, MaxNumbers)
	}
	return nil
}

// Depth is the nesting depth of valid JSON text (0 for a scalar).
func Depth(doc []byte) int {
	_, depth, _, _, _ := measure(doc)
	return depth
}

// measure returns the compact size, the nesting depth, the first
// noncharacter U+FFFE or U+FFFF (0 if none) of valid JSON text, whether a
// number literal in it is beyond the bounds of numbers.go, and how many
// number literals it holds: whitespace outside strings does not count,
// and brackets inside strings do not nest.
func measure(data []byte) (size, depth int, nonchar rune, bigNumber bool, numbers int) {
	level, inString, escaped := 0, false, false
	num, exp := 0, -1 // see numberByte
	for i, c := range data {
		if !inString {
			num, exp = numberByte(c, num, exp)
			bigNumber = bigNumber || num > MaxNumberLen || exp > MaxNumberExponent
			if num == 1 { // a literal's first byte
				numbers++
			}
		}
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
				if c == 'u' && nonchar == 0 {
					nonchar = escapedNoncharacter(data[i+1:])
				}
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			case c == 0xef && nonchar == 0:
				nonchar = rawNoncharacter(data[i:])
			}
		case c == ' ', c == '\t', c == '\n', c == '\r':
			continue
		case c == '"':
			inString = true
		case c == '{', c == '[':
			level++
			depth = max(depth, level)
		case c == '}', c == ']':
			level--
		}
		size++
	}
	return size, depth, nonchar, bigNumber, numbers
}

// escapedNoncharacter reads the four hex digits after "\u" (any case).
func escapedNoncharacter(hex []byte) rune {
	if len(hex) < 4 || !bytes.EqualFold(hex[:3], []byte("fff")) {
		return 0
	}
	switch hex[3] | 0x20 { // lower case
	case 'e':
		return 0xfffe
	case 'f':
		return 0xffff
	}
	return 0
}

// rawNoncharacter reads valid UTF-8 from a lead byte 0xEF: U+FFFE is EF BF
// BE, U+FFFF is EF BF BF.
func rawNoncharacter(b []byte) rune {
	if len(b) < 3 || b[1] != 0xbf || b[2]&^1 != 0xbe {
		return 0
	}
	return 0xfffe | rune(b[2]&1)
}
