package dlq

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrNotFound means no visible dead letter has the requested id.
var ErrNotFound = errors.New("dead letter not found")

// Page sizes of a listing.
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 1000
)

// ErrInvalidPage wraps a limit or cursor the caller got wrong.
var ErrInvalidPage = errors.New("invalid page")

// ErrTooLarge means a listing would scan more than Ops.MaxScan messages.
var ErrTooLarge = errors.New("the DLQ holds more visible messages than one listing scans")

// Page is one page of a listing.
type Page struct {
	Entries []Entry
	// NextCursor continues the listing; "" on the last page.
	NextCursor string
	// Closed counts the letters left out because their index item is
	// closed, of those the listing read the index for: every matching one
	// when the page is empty, so an empty page can say why the DLQ is not.
	Closed int
}

// List returns one page of the dead letters f selects, ordered by message
// id: the first limit entries after cursor ("" starts the listing). It only
// peeks: nothing is deleted and every message is visible again when it
// returns. Messages in flight elsewhere (a concurrent redrive) are not
// listed, nor is a letter whose index item is closed (its tenant recovered
// it, so a redrive would only delete it): a listing shows what is still to
// be done; Show finds such a letter all the same. With Ops.Webhooks each
// entry's WebhookState says whether its webhook is deleted or disabled (for
// failing, or by its tenant) (each webhook of the page read once).
//
// SQS cannot seek, so every page scans the whole DLQ; memory stays bounded
// all the same: only the page's entries (at most limit+1) are kept whole,
// and of every other message only its id and receipt handle, until the
// scan releases it, for at most MaxScan messages (more is ErrTooLarge). The
// message id order is what makes pages stable: a message dead-lettered
// while an operator pages through lands on a later page or an earlier one,
// never on two. The index is read only for a letter about to enter the
// page (on a DLQ in random order, about limit × ln(DLQ size / limit)
// reads), never for the rest of the scan.
func (o *Ops) List(ctx context.Context, f Filter, limit int, cursor string) (Page, error) {
	page, err := o.list(ctx, f, limit, cursor, func(e Entry) (bool, error) {
		c, err := o.closedState(ctx, e)
		return c.By == "", err
	})
	if err == nil {
		err = o.markWebhooks(ctx, page.Entries)
	}
	return page, err
}

// list is List keeping what keep accepts (nil: everything).
func (o *Ops) list(ctx context.Context, f Filter, limit int, cursor string, keep func(Entry) (bool, error)) (Page, error) {
	if limit < 1 || limit > MaxPageLimit {
		return Page{}, fmt.Errorf("%w: limit must be 1..%d", ErrInvalidPage, MaxPageLimit)
	}
	after, err := decodeCursor(cursor)
	if err != nil {
		return Page{}, err
	}
	p := pageSink{after: after, keep: limit + 1, accept: keep}
	if _, err := o.scan(ctx, f, nil, p.offer, scanLimits{max: o.MaxScan, lockWait: o.LockWait}); err != nil {
		if errors.Is(err, ErrTooLarge) {
			err = fmt.Errorf("%w: narrow it down with redrive or purge", err)
		}
		return Page{}, err
	}
	if p.err != nil {
		return Page{}, fmt.Errorf("read the tenants' index of dead letters: %w", p.err)
	}
	if len(p.entries) <= limit {
		return Page{Entries: p.entries, Closed: p.refused}, nil
	}
	return Page{Entries: p.entries[:limit], NextCursor: encodeCursor(p.entries[limit-1].MessageID), Closed: p.refused}, nil
}

// pageSink keeps the keep entries with the smallest message ids after
// after that accept (if set) takes, sorted; everything else it is offered
// is dropped at once. accept is asked only about an entry that would enter
// the page; its first error stops the sink (err); refused counts the
// entries it did not take.
type pageSink struct {
	after   string
	keep    int
	accept  func(Entry) (bool, error)
	entries []Entry
	refused int
	err     error
}

func (p *pageSink) offer(e Entry) {
	if p.err != nil || e.MessageID <= p.after && p.after != "" {
		return
	}
	i, dup := slices.BinarySearchFunc(p.entries, e.MessageID, func(x Entry, id string) int { return strings.Compare(x.MessageID, id) })
	if dup || i >= p.keep {
		return
	}
	if p.accept != nil {
		ok, err := p.accept(e)
		if p.err = err; err != nil || !ok {
			if err == nil {
				p.refused++
			}
			return
		}
	}
	p.entries = slices.Insert(p.entries, i, e)
	if len(p.entries) > p.keep {
		p.entries[len(p.entries)-1] = Entry{} // drop the body now, not when the slice is freed
		p.entries = p.entries[:p.keep]
	}
}

// The cursor is the last listed message id, base64url-encoded so callers
// treat it as opaque.
func encodeCursor(messageID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(messageID))
}

func decodeCursor(cursor string) (string, error) {
	if cursor == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || !messageIDShaped(raw) {
		return "", fmt.Errorf("%w: cursor is not one this listing returned", ErrInvalidPage)
	}
	return string(raw), nil
}

// messageIDShaped says whether raw can be an SQS message id (a UUID on AWS
// and in goaws; SQS allows up to 100 characters): a cursor that decodes to
// anything else was not made by encodeCursor, and would page from nowhere.
func messageIDShaped(raw []byte) bool {
	if len(raw) == 0 || len(raw) > 100 {
		return false
	}
	for _, c := range raw {
		if !(c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// Show returns one dead letter by message id or delivery id, with its
// index item's tombstone (Entry.ClosedBy) if closed, and its
// WebhookState (with Ops.Webhooks).
func (o *Ops) Show(ctx context.Context, id string) (Entry, error) {
	page, err := o.list(ctx, Filter{IDs: []string{id}}, 1, "", nil)
	if err != nil {
		return Entry{}, err
	}
	if len(page.Entries) == 0 {
		return Entry{}, ErrNotFound
	}
	e := page.Entries[0]
	c, err := o.closedState(ctx, e)
	if err != nil {
		return Entry{}, err
	}
	e.ClosedBy, e.ClosedAt = c.By, c.At
	entries := []Entry{e}
	err = o.markWebhooks(ctx, entries)
	return entries[0], err
}
