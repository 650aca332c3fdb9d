package portal

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/a-h/templ"
)

// Templates (and the page and form wrappers) that several places call are
// marked //go:noinline: a templ component returns a closure, and every
// call site the compiler inlines it into gets its own copy of that
// closure's code (about 18 KB in all), and the api Lambda has a 10 MB
// budget (TestLambdaBinariesFitTheBudget, in e2e).

// bind gives a page template its data; the layout supplies the view.
func bind[T any](tmpl func(view, T) templ.Component, data T) content {
	return func(v view) templ.Component { return tmpl(v, data) }
}

// URLs are built here: an id is one path segment (url.PathEscape) and a
// query value is query-escaped; templ then checks the URL's scheme and
// HTML-escapes the attribute. Every URL starts with the relative root.

// webhookURL is a webhook's page.
func webhookURL(v view, id string) string { return v.Root + "webhooks/" + url.PathEscape(id) }

// query is "?k=v&…" of the pairs whose value is set, or "".
func query(pairs ...[2]string) string {
	var q strings.Builder
	for _, p := range pairs {
		if p[1] == "" {
			continue
		}
		if q.Len() == 0 {
			q.WriteByte('?')
		} else {
			q.WriteByte('&')
		}
		q.WriteString(p[0] + "=" + url.QueryEscape(p[1]))
	}
	return q.String()
}

func iso(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func itoa[T int | int64](n T) string { return strconv.FormatInt(int64(n), 10) }

// initial is the brand's badge when it has no logo.
func initial(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r))
}
