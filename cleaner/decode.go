package cleaner

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// maxParseDepth is the deepest element nesting kept when a page is deeper than
// the HTML parser accepts (512): deeper tags are dropped, their text kept.
const maxParseDepth = 400

var rxMetaCharset = regexp.MustCompile(`(?i)<meta[^>]{0,300}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)`)

// decode sniffs body and returns it as UTF-8 HTML. The charset comes from, in
// order: a byte-order mark, the Content-Type header (unless the bytes
// contradict it: see pickEncoding), a <meta> or XML declaration (when the
// bytes are not valid UTF-8 anyway), then UTF-8 if valid, else windows-1252,
// as browsers do.
func decode(body []byte, contentType string) ([]byte, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w: empty body", ErrNoContent)
	}
	if mt := mediaType(contentType); mt != "" && !isMarkupType(mt) {
		return nil, fmt.Errorf("%w: content type %s", ErrNotHTML, mt)
	}
	enc, wide := pickEncoding(body, contentType)
	if !wide {
		// UTF-16 text is full of NUL bytes: it is sniffed once decoded.
		if kind := sniffBinary(body); kind != "" {
			return nil, fmt.Errorf("%w: body looks like %s", ErrNotHTML, kind)
		}
	}
	out := body
	if enc != nil {
		dec, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			return nil, fmt.Errorf("%w: decode charset: %v", ErrNotHTML, err)
		}
		out = dec
	}
	out = bytes.TrimPrefix(out, []byte("\xef\xbb\xbf"))
	if wide {
		if kind := sniffBinary(out); kind != "" {
			return nil, fmt.Errorf("%w: body looks like %s", ErrNotHTML, kind)
		}
	}
	if bytes.IndexByte(out, '<') < 0 {
		return nil, fmt.Errorf("%w: no markup", ErrNotHTML)
	}
	if bad, n := garbledRunes(out); bad >= minGarbled && float64(bad) > maxGarbledShare*float64(n) {
		return nil, fmt.Errorf("%w: body looks like binary data (%d of %d characters are control characters or invalid text)", ErrNotHTML, bad, n)
	}
	return out, nil
}

// A decoded body with more than maxGarbledShare of its characters (and at
// least minGarbled of them) garbled is binary data, not a page: random bytes
// have about one in ten in C0 controls alone, NUL bytes or not. Web pages,
// whatever their language, have next to none (both dev corpora, 1,057
// pages: at most 0.009%).
const (
	maxGarbledShare = 0.01
	minGarbled      = 64
)

// garbledRunes counts, over all of the decoded body, the characters that
// text does not have: invalid UTF-8, U+FFFD, and C0 and C1 control
// characters other than tab, line feed, form feed and carriage return. n is
// the number of characters.
func garbledRunes(b []byte) (bad, n int) {
	for i := 0; i < len(b); {
		if i+8 <= len(b) && plainASCII8(binary.LittleEndian.Uint64(b[i:])) {
			// Eight printable ASCII characters, as most of a page is.
			n += 8
			i += 8
			continue
		}
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r' || c == 0x7f {
				bad++
			}
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError || r >= 0x80 && r <= 0x9f {
			bad++
		}
		n++
		i += size
	}
	return bad, n
}

// plainASCII8 reports whether all eight bytes of x are printable ASCII
// (0x20 to 0x7e), with no branch per byte.
func plainASCII8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	low := (x - 0x20*ones) &^ x // a high bit where some byte is below 0x20
	y := x ^ 0x7f*ones          // 0x7f bytes become zero
	del := (y - ones) &^ y      // a high bit where some byte of y is zero
	return (x|low|del)&highs == 0
}

// pickEncoding returns the decoder for body, or nil when it is UTF-8, and
// whether it is UTF-16.
func pickEncoding(body []byte, contentType string) (enc encoding.Encoding, utf16 bool) {
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	if certain {
		if hasBOM(body) {
			if name == "utf-8" {
				return nil, false
			}
			return enc, strings.HasPrefix(name, "utf-16")
		}
		// The HTML spec lets a Content-Type charset win over the body, but
		// labels are often a server's default rather than the page's
		// charset, and following a wrong one stores mojibake ("cafÃ©"), a
		// U+FFFD for every accented letter, or CJK noise. The bytes decide
		// when they contradict the label: legacy text is practically never
		// valid multi-byte UTF-8, UTF-8 text is rarely mostly invalid, and
		// UTF-16 text has NUL bytes.
		switch {
		case strings.HasPrefix(name, "utf-16"):
			if looksUTF16(body) {
				return enc, true
			}
			enc, name = charmap.Windows1252, "windows-1252" // the label is wrong: sniff below
		case name == "utf-8":
			if valid, invalid := utf8Sequences(body); invalid > valid {
				return legacyEncoding(body), false
			}
			return nil, false
		default:
			if hasHighBit(body) && utf8.Valid(body) {
				return nil, false
			}
			return enc, false
		}
	}
	if !utf8.Valid(body) {
		if e := declaredLegacy(body); e != nil {
			return e, false
		}
		if name != "utf-8" {
			return enc, false
		}
		// A <meta charset=utf-8> on a mostly invalid body (a UTF-8
		// template around legacy text): the bytes decide, as for a header.
		if valid, invalid := utf8Sequences(body); invalid > valid {
			return charmap.Windows1252, false
		}
		return nil, false // invalid UTF-8 bytes are kept as replacement characters later
	}
	// Valid UTF-8 (including plain ASCII) is UTF-8 whatever an inner <meta>
	// claims: legacy-encoded text with high bytes is almost never valid UTF-8.
	return nil, false
}

// looksUTF16 reports whether body (without a BOM) has the NUL bytes of
// UTF-16 text: an eighth of its head at least (Latin text has one in two).
func looksUTF16(body []byte) bool {
	head := body[:min(len(body), 1024)]
	return len(head) >= 2 && bytes.Count(head, []byte{0})*8 >= len(head)
}

var rxXMLEncoding = regexp.MustCompile(`^\s*<\?xml\s[^>]{0,200}?encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)["']`)

// declaredLegacy returns the legacy (not UTF-8 or UTF-16) charset that body
// declares in a <meta> near its top (not only in the first 1024 bytes the
// standard prescan looks at) or in an XML declaration, nil if none.
func declaredLegacy(body []byte) encoding.Encoding {
	head := stripComments(body[:min(len(body), 64<<10)])
	var label []byte
	if m := rxMetaCharset.FindSubmatch(head); m != nil {
		label = m[1]
	} else if m := rxXMLEncoding.FindSubmatch(head); m != nil {
		label = m[1]
	}
	if label == nil {
		return nil
	}
	if e, n := charset.Lookup(string(label)); e != nil && n != "utf-8" && !strings.HasPrefix(n, "utf-16") {
		return e
	}
	return nil
}

// stripComments returns head without its HTML comments (an unclosed one
// runs to the end), where a <meta> declares nothing.
func stripComments(head []byte) []byte {
	i := bytes.Index(head, []byte("<!--"))
	if i < 0 {
		return head
	}
	out := make([]byte, 0, len(head))
	for i >= 0 {
		out = append(out, head[:i]...)
		end := bytes.Index(head[i+4:], []byte("-->"))
		if end < 0 {
			return out
		}
		head = head[i+4+end+3:]
		i = bytes.Index(head, []byte("<!--"))
	}
	return append(out, head...)
}

// legacyEncoding is the charset of a body that is not UTF-8: what it
// declares, else windows-1252, as browsers guess.
func legacyEncoding(body []byte) encoding.Encoding {
	if e := declaredLegacy(body); e != nil {
		return e
	}
	e, _ := charset.Lookup("windows-1252")
	return e
}

// utf8Sequences counts the valid multi-byte UTF-8 sequences in b and the
// bytes that start no valid sequence.
func utf8Sequences(b []byte) (valid, invalid int) {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, n := utf8.DecodeRune(b[i:])
		if n > 1 {
			valid++
		} else {
			invalid++
		}
		i += n
	}
	return valid, invalid
}

// hasBOM reports whether body starts with a UTF-8 or UTF-16 byte-order mark.
func hasBOM(body []byte) bool {
	return bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) || bytes.HasPrefix(body, []byte{0xff, 0xfe}) ||
		bytes.HasPrefix(body, []byte{0xfe, 0xff})
}

func hasHighBit(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func mediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

func isMarkupType(mt string) bool {
	switch {
	case strings.HasPrefix(mt, "text/"),
		strings.Contains(mt, "html"),
		strings.Contains(mt, "xml"),
		mt == "application/octet-stream", // servers that do not know; sniff instead
		mt == "unknown/unknown":
		return true
	}
	return false
}

// sniffBinary names the kind of a body that is clearly not markup, or "".
func sniffBinary(body []byte) string {
	head := body[:min(len(body), 512)]
	ct := http.DetectContentType(head)
	mt := mediaType(ct)
	switch {
	case strings.HasPrefix(mt, "text/"):
	case strings.HasPrefix(mt, "image/"), strings.HasPrefix(mt, "audio/"), strings.HasPrefix(mt, "video/"),
		strings.HasPrefix(mt, "font/"), mt == "application/pdf", mt == "application/zip",
		mt == "application/x-gzip", mt == "application/x-rar-compressed", mt == "application/wasm",
		mt == "application/postscript", mt == "application/vnd.ms-fontobject", mt == "application/ogg":
		return mt
	case mt == "application/octet-stream":
		// Control bytes in the head and no tag at all: binary.
		ctl := 0
		for _, c := range head {
			if c < 0x09 || (c > 0x0d && c < 0x20) {
				ctl++
			}
		}
		if bytes.IndexByte(head, '<') < 0 || ctl*10 > len(head) {
			return "binary data"
		}
	}
	return ""
}

// parseHTML parses UTF-8 markup. Pages nested deeper than the parser allows
// are flattened below maxParseDepth and parsed again.
func parseHTML(src []byte) (*html.Node, error) {
	doc, err := html.Parse(bytes.NewReader(src))
	if err == nil {
		return doc, nil
	}
	// Too deep. Implied elements (tbody, tr inside nested tables) make the
	// parser's stack deeper than the tags alone, so try tighter limits.
	for _, limit := range []int{maxParseDepth, 100, 24} {
		if doc, err2 := html.Parse(bytes.NewReader(flattenDeep(src, limit))); err2 == nil {
			return doc, nil
		}
	}
	return nil, fmt.Errorf("%w: parse: %v", ErrNotHTML, err)
}

// maxAttrLen caps attribute values: class names and ids longer than this are
// never meaningful, and matching patterns against megabytes of them is slow.
const maxAttrLen = 2048

// sanitize truncates oversized attribute values in place and counts the
// elements, stopping once the count passes limit. It returns the count.
func sanitize(doc *html.Node, limit int) int {
	elements := 0
	walk(doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode {
			elements++
		}
		if elements > limit {
			return false
		}
		for i := range n.Attr {
			if len(n.Attr[i].Val) > maxAttrLen {
				n.Attr[i].Val = n.Attr[i].Val[:maxAttrLen]
			}
		}
		return true
	})
	return elements
}

// voidElements never have an end tag.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true,
}

// flattenDeep re-emits src without the start and end tags of elements opened
// deeper than limit, so their text survives but the nesting does not.
func flattenDeep(src []byte, limit int) []byte {
	z := html.NewTokenizer(bytes.NewReader(src))
	var out bytes.Buffer
	out.Grow(len(src))
	depth, skipped := 0, 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out.Bytes()
		case html.StartTagToken:
			name, _ := z.TagName()
			if voidElements[string(name)] {
				break
			}
			if depth >= limit {
				skipped++
				continue
			}
			depth++
		case html.EndTagToken:
			name, _ := z.TagName()
			if voidElements[string(name)] {
				break
			}
			if skipped > 0 {
				skipped--
				continue
			}
			if depth > 0 {
				depth--
			}
		}
		out.Write(z.Raw())
	}
}
