package testweb

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// hostileRoute is one row of the hostile web: a URL, how the server answers
// it, and what a correct crawler makes of it (the HostileCase it becomes).
// A row without a name serves a URL no case is about (robots.txt, the far
// end of a loop or chain).
type hostileRoute struct {
	name string
	// path is the case's URL path on the main host and the route's, unless
	// prefix is set: then the route serves every path under prefix.
	path   string
	prefix string
	// kind is HostileArticle when empty.
	kind string
	// The expected outcome (see HostileCase): class is one of the class
	// constants; maxRequests bounds the requests under prefix.
	class       string
	transient   bool
	deferred    bool
	polled      bool
	neverAsked  bool
	maxRequests int
	// note explains the expectation; see hostileNote for the {words} it may
	// hold.
	note string
	// host is "bombrobots" for a case on the host whose robots.txt is a
	// gzip bomb (served by sideHost); empty for the main host.
	host string
	// only, if set, says whether the case exists on this web (a private
	// listener that could be bound).
	only func(h *Hostile) bool
	// hugeFeeds makes one case per huge feed (HostileOptions.HugeFeeds).
	hugeFeeds bool
	// serve answers a request of the route; nil for a case on another host.
	serve func(h *Hostile, rw http.ResponseWriter, r *http.Request)
}

func hasPrivate(h *Hostile) bool   { return h.PrivateURL != "" }
func hasPrivateV6(h *Hostile) bool { return h.PrivateV6URL != "" }

// hostileRoutes are the hostile URLs, in the order of Cases after the good
// pages (hostilePages): the failing articles, then the seeds.
var hostileRoutes = []hostileRoute{
	{path: "/robots.txt", serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
		// A byte order mark (Windows editors add one) and CRLF lines.
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(rw, "\ufeffUser-agent: *\r\nDisallow: /private/\r\n")
	}},
	{name: "gzip_bomb", path: "/h/bomb.html", class: classTooLarge,
		note: "Content-Encoding gzip inflating to {bomb}, a few KiB per 16 MiB on the wire",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			rw.Header().Set("Content-Encoding", "gzip")
			h.streamBomb(rw, r, "html", h.opts.BombBytes)
		}},
	{name: "brotli_bomb", path: "/h/bomb-br.html", class: classTooLarge, note: "Content-Encoding br inflating to {bomb}",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			rw.Header().Set("Content-Encoding", "br")
			h.streamBrotliBomb(rw, r, h.opts.BombBytes)
		}},
	{name: "endless", path: "/h/endless.html", class: classTooLarge, note: "an HTML body that never ends, no Content-Length",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			chunk := []byte(strings.Repeat("<p>Live: the latest updates, minute by minute, for ever and ever.</p>\n", 512))
			_, _ = rw.Write([]byte("<!DOCTYPE html><html><head><title>Live</title></head><body>\n"))
			for sent := int64(0); sent < 1<<30 && h.alive(r); sent += int64(len(chunk)) {
				if _, err := rw.Write(chunk); err != nil {
					return
				}
			}
		}},
	{name: "oversized_declared", path: "/h/huge.html", class: classTooLarge, note: "Content-Length of 1 GiB",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			rw.Header().Set("Content-Length", strconv.Itoa(1<<30))
			chunk := bytes.Repeat([]byte("<p>filler filler filler filler filler filler filler</p>\n"), 1024)
			for sent := 0; sent+len(chunk) <= 1<<30 && h.alive(r); sent += len(chunk) {
				if _, err := rw.Write(chunk); err != nil {
					return
				}
			}
		}},
	{name: "element_flood", path: "/h/elements.html", class: classTooLarge,
		note: "a 3 MiB page of 200,000 empty <b> elements around a story",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(rw, "<!DOCTYPE html><html><head><title>Flood</title></head><body><article><p>"+
				strings.Repeat("A story hidden in markup. ", 20)+"</p>"+strings.Repeat("<b></b>", 200_000)+"</article></body></html>")
		}},
	{name: "trickle", path: "/h/trickle.html", class: classTimeout, transient: true, note: "one byte every {trickle} for {stall}",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			rw.WriteHeader(http.StatusOK)
			flush(rw)
			body := "<!DOCTYPE html><html><head><title>Markets open lower</title></head><body><article><p>" + strings.Repeat("Markets opened lower. ", 200)
			deadline := time.Now().Add(h.opts.Stall)
			for i := 0; time.Now().Before(deadline); i++ {
				if _, err := rw.Write([]byte{body[i%len(body)]}); err != nil {
					return
				}
				flush(rw)
				if !h.sleep(r, h.opts.TrickleEvery) {
					return
				}
			}
		}},
	{name: "hang_after_headers", path: "/h/hang-body.html", class: classTimeout, transient: true,
		note: "headers and a few bytes, then nothing",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			rw.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(rw, "<!DOCTYPE html><html><head><title>Breaking</title>")
			flush(rw)
			h.sleep(r, h.opts.Stall)
		}},
	{name: "hang_before_headers", path: "/h/hang-headers.html", class: classTimeout, transient: true,
		note: "the request is read, then nothing",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			h.sleep(r, h.opts.Stall)
		}},
	{name: "reset_before_headers", path: "/h/reset.html", class: classReset, transient: true,
		note: "the connection is reset before any answer",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			if conn := hijack(rw); conn != nil {
				resetConn(conn)
			}
		}},
	{name: "reset_mid_body", path: "/h/reset-body.html", class: classReset, transient: true,
		note: "10 KB of a 100 KB body, then a reset",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			if conn := hijack(rw); conn != nil {
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 100000\r\n\r\n")
				_, _ = conn.Write(bytes.Repeat([]byte("<p>Half a story.</p>\n"), 10000/21))
				time.Sleep(20 * time.Millisecond) // let the bytes leave before the reset
				resetConn(conn)
			}
		}},
	{name: "truncated", path: "/h/truncated.html", class: classReset, transient: true,
		note: "Content-Length 50,000, 20,000 bytes sent, then the connection closed (the crawler counts a cut body as a reset)",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			if conn := hijack(rw); conn != nil {
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 50000\r\n\r\n")
				_, _ = conn.Write(bytes.Repeat([]byte("<p>Two fifths of a story.</p>\n"), 20000/30))
				_ = conn.Close()
			}
		}},
	{name: "binary_png_as_html", path: "/h/photo.html", class: classNotHTML, note: "PNG bytes labelled text/html",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = rw.Write(fakePNG())
		}},
	{name: "pdf", path: "/h/report.pdf", class: classNotHTML, note: "application/pdf",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/pdf")
			_, _ = rw.Write(fakePDF())
		}},
	{name: "bad_content_encoding", path: "/h/snappy.html", class: classDecode, note: "Content-Encoding x-snappy",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			rw.Header().Set("Content-Encoding", "x-snappy")
			_, _ = io.WriteString(rw, "\xff\x06\x00\x00sNaPpY<html><body><p>compressed, they say</p></body></html>")
		}},
	{name: "no_article", path: "/h/section.html", class: classNoArticle, note: "a section page: navigation and headlines, no article",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			var b strings.Builder
			b.WriteString("<!DOCTYPE html><html><head><title>World | The Hostile Herald</title></head><body><nav><a href=\"/\">Home</a></nav><h1>World</h1><ul>")
			for i := range 40 {
				fmt.Fprintf(&b, "<li><a href=\"/world/%d\">Headline number %d about the world</a></li>", i, i)
			}
			b.WriteString("</ul><footer>&copy; 2026 The Hostile Herald</footer></body></html>\n")
			_, _ = io.WriteString(rw, b.String())
		}},
	{name: "empty_body", path: "/h/empty.html", class: classNoArticle, note: "200 text/html with an empty body",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			rw.Header().Set("Content-Length", "0")
		}},
	{name: "always_429", path: "/h/always-busy.html", class: classHTTP429, transient: true, note: "429 with Retry-After: 1, every time",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Retry-After", "1")
			http.Error(rw, "slow down", http.StatusTooManyRequests)
		}},
	{name: "redirect_loop", path: "/h/loop-a.html", class: classRedirectLoop, note: "a -> b -> a",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			http.Redirect(rw, r, "/h/loop-b.html", http.StatusFound)
		}},
	{path: "/h/loop-b.html", serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, "/h/loop-a.html", http.StatusMovedPermanently)
	}},
	{name: "redirect_chain_30", path: "/h/chain/0", prefix: "/h/chain/", class: classTooManyRedirects, note: "30 redirects",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			path := r.URL.Path
			k, err := strconv.Atoi(strings.TrimPrefix(path, "/h/chain/"))
			if err != nil || k < 0 || k >= 30 {
				http.NotFound(rw, r)
				return
			}
			http.Redirect(rw, r, "/h/chain/"+strconv.Itoa(k+1), http.StatusFound)
		}},
	{name: "redirect_private", path: "/h/to-private.html", class: classPrivateAddress, only: hasPrivate,
		note: "302 to the private listener {private}",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			http.Redirect(rw, r, h.PrivateURL+"/admin/token", http.StatusFound)
		}},
	{name: "redirect_private_mapped", path: "/h/to-private-v6.html", class: classPrivateAddress, only: hasPrivate,
		note: "302 to the private listener as an IPv4-mapped IPv6 address",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			if host, port, err := net.SplitHostPort(strings.TrimPrefix(h.PrivateURL, "http://")); err == nil {
				http.Redirect(rw, r, "http://[::ffff:"+host+"]:"+port+"/admin/token", http.StatusFound)
				return
			}
			http.NotFound(rw, r)
		}},
	{name: "redirect_private_ipv6", path: "/h/to-ipv6-loopback.html", class: classPrivateAddress, only: hasPrivateV6,
		note: "302 to the private listener on [::1]",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			http.Redirect(rw, r, h.PrivateV6URL+"/admin/token", http.StatusFound)
		}},
	{name: "redirect_zero", path: "/h/to-zero.html", class: classPrivateAddress,
		note: "302 to 0.0.0.0 (which reaches this host's listeners)",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			_, port, _ := net.SplitHostPort(strings.TrimPrefix(h.URL, "http://"))
			http.Redirect(rw, r, "http://0.0.0.0:"+port+"/private/zero", http.StatusFound)
		}},
	{path: "/private/zero", serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(rw, "internal admin token: s3cr3t\n")
	}},
	{name: "redirect_file_scheme", path: "/h/to-file.html", class: classBadURL, note: "302 to file:///etc/passwd",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Location", "file:///etc/passwd")
			rw.WriteHeader(http.StatusFound)
		}},
	{name: "redirect_https_on_http_port", path: "/h/to-https.html", class: classTLS,
		note: "302 to https:// on this plain-HTTP port (a broken TLS set-up)",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			http.Redirect(rw, r, "https://"+strings.TrimPrefix(h.URL, "http://")+"/a/plain.html", http.StatusFound)
		}},
	{name: "redirect_closed_port", path: "/h/to-closed.html", deferred: true,
		note: "302 to a port nobody listens on: a refused connection (its robots.txt's included) is " +
			"transient, so the URL is left for a later run, not failed at once",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			http.Redirect(rw, r, "http://"+h.closedAddr+"/a/nowhere.html", http.StatusFound)
		}},
	{name: "early_hints_flood", path: "/h/early-hints.html", class: classTooLarge,
		note: "103 Early Hints answers without end, never a final answer",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			if conn := hijack(rw); conn != nil {
				hint := []byte("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n")
				for sent := 0; sent < 64<<20 && h.alive(r); sent += len(hint) {
					if _, err := conn.Write(hint); err != nil {
						break
					}
				}
				_ = conn.Close()
			}
		}},
	{name: "not_modified_unasked", path: "/h/not-modified.html", class: classHTTPOther,
		note: "304 Not Modified to a request that was not conditional",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("ETag", `"x"`)
			rw.WriteHeader(http.StatusNotModified)
		}},
	{name: "redirect_without_location", path: "/h/no-location.html", class: classHTTPOther, note: "301 without a Location header",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			rw.WriteHeader(http.StatusMovedPermanently)
			_, _ = io.WriteString(rw, "<html><body><p>Moved, somewhere.</p></body></html>")
		}},
	{name: "huge_headers", path: "/h/cookies.html", class: classTooLarge, note: "2 MiB of Set-Cookie headers before a small page",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			cookie := strings.Repeat("c", 4000)
			for i := range 512 {
				rw.Header().Add("Set-Cookie", fmt.Sprintf("track%d=%s; Path=/", i, cookie))
			}
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(rw, "<html><body><p>Cookies!</p></body></html>")
		}},
	{name: "redirect_to_gone", path: "/h/to-gone.html", class: classHTTP4xx,
		note: "302 to the 410 page (gone), which is listed too: whichever is fetched first, the redirect fails like its target",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			http.Redirect(rw, r, "/h/gone.html", http.StatusFound)
		}},
	{name: "not_found", path: "/h/missing.html", class: classHTTP4xx, note: "404",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			http.Error(rw, "not found", http.StatusNotFound)
		}},
	{name: "robots_bom_disallowed", path: "/private/secret.html", class: classRobots, neverAsked: true,
		note: "disallowed by this host's robots.txt, which starts with a byte order mark and has CRLF lines",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(rw, "<html><body><article><p>"+strings.Repeat("This page is disallowed by robots.txt. ", 20)+
				"</p></article></body></html>")
		}},
	{name: "robots_bomb_disallowed", path: "/private/secret.html", host: "bombrobots", class: classRobots, neverAsked: true,
		note: "disallowed by the first lines of a robots.txt that goes on for 4 GiB (a gzip bomb): what was read " +
			"still binds (Google reads the first 500 KiB)"},
	{name: "gone", path: "/h/gone.html", class: classHTTP4xx, note: "410",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			http.Error(rw, "gone", http.StatusGone)
		}},

	// The seeds.
	{name: "feed", path: "/feed.xml", kind: HostileFeed, polled: true, note: "RSS listing every article case",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
			_, _ = rw.Write(h.mainFeed())
		}},
	{name: "sitemap", path: "/sitemap.xml", kind: HostileSitemap, polled: true, note: "a sitemap listing every article case again",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/xml; charset=utf-8")
			_, _ = rw.Write(h.sitemap())
		}},
	{name: "home_private_feeds", path: "/front/", kind: HostileHome, polled: true,
		note: "a home page whose <link rel=alternate> feeds are on the private listeners (127.0.0.2, [::1]) and this host",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			var b strings.Builder
			b.WriteString("<!DOCTYPE html><html><head><title>The Hostile Herald</title>\n")
			for _, u := range []string{h.PrivateURL + "/feed.xml", h.PrivateV6URL + "/feed.xml", h.URL + "/feed.xml"} {
				if strings.HasPrefix(u, "http") {
					fmt.Fprintf(&b, "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"%s\">\n", html.EscapeString(u))
				}
			}
			b.WriteString("</head><body><h1>The Hostile Herald</h1><p>All the news that bites.</p></body></html>\n")
			_, _ = io.WriteString(rw, b.String())
		}},
	{name: "deep_xml_feed", path: "/feeds/deep.xml", kind: HostileFeed, polled: true,
		note: "RSS whose one item nests 2 million elements (14 MB): parsed or refused (bad_feed) in bounded memory, never a crash",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
			_, _ = io.WriteString(rw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<rss version=\"2.0\"><channel><title>Deep</title><link>"+h.URL+
				"/</link><description>x</description><item><title>Deep</title><link>"+h.URL+"/a/plain.html</link><description>")
			_, _ = io.WriteString(rw, strings.Repeat("<x>", 2_000_000))
			_, _ = io.WriteString(rw, strings.Repeat("</x>", 2_000_000))
			_, _ = io.WriteString(rw, "</description></item></channel></rss>\n")
		}},
	{name: "deep_json_feed", path: "/feeds/deep.json", kind: HostileFeed, polled: true,
		note: "a JSON Feed whose one item nests 2 million arrays: parsed or refused (bad_feed) in bounded memory, never a crash",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/feed+json")
			_, _ = io.WriteString(rw, `{"version":"https://jsonfeed.org/version/1.1","title":"Deep","items":[{"id":"1","url":"`+h.URL+`/a/plain.html","content_text":"x","_deep":`)
			_, _ = io.WriteString(rw, strings.Repeat("[", 2_000_000))
			_, _ = io.WriteString(rw, strings.Repeat("]", 2_000_000))
			_, _ = io.WriteString(rw, "}]}\n")
		}},
	{name: "deep_xml_sitemap", path: "/sitemaps/deep.xml", kind: HostileSitemap, polled: true,
		note: "a sitemap whose one <url> nests 2 million elements (14 MB): parsed or refused (bad_feed) in bounded memory, never a crash",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/xml; charset=utf-8")
			_, _ = io.WriteString(rw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>`+
				h.URL+"/a/plain.html</loc><extra>")
			_, _ = io.WriteString(rw, strings.Repeat("<x>", 2_000_000))
			_, _ = io.WriteString(rw, strings.Repeat("</x>", 2_000_000))
			_, _ = io.WriteString(rw, "</extra></url></urlset>\n")
		}},
	{name: "weird_links_feed", path: "/feeds/weird.xml", kind: HostileFeed, polled: true,
		note: "RSS whose items link to javascript:, mailto:, data:, ftp:, file: URLs, a bad port, a broken IPv6 literal, " +
			"a protocol-relative URL to the private listener and a 64 KiB path: the feed parses, nothing is fetched off the web",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
			_, _ = rw.Write(h.weirdFeed())
		}},
	{name: "huge_feed", path: "/feeds/huge.xml", prefix: "/feeds/huge", kind: HostileFeed, polled: true, hugeFeeds: true,
		note: "RSS of {items} items (about 180 bytes each) linking to the good pages with tracking parameters and fragments",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
			rw.Header().Set("ETag", `"huge-1"`)
			if r.Header.Get("If-None-Match") == `"huge-1"` {
				rw.WriteHeader(http.StatusNotModified)
				return
			}
			_, _ = rw.Write(h.hugeFeed)
		}},
	{name: "malformed_feed", path: "/feeds/broken.xml", kind: HostileFeed, class: classBadFeed, note: "RSS cut in the middle of an item",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
			feed := h.mainFeed()
			_, _ = rw.Write(feed[:len(feed)*2/3])
		}},
	{name: "html_as_feed", path: "/feeds/html.xml", kind: HostileFeed, class: classBadFeed,
		note: "a feed URL answering an HTML page without feed links",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(rw, "<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>Our new website</h1>"+
				"<p>We have moved things around. Enjoy!</p></body></html>\n")
		}},
	{name: "sitemap_gzip_bomb", path: "/sitemaps/bomb.xml.gz", kind: HostileSitemap, class: classTooLarge,
		note: "a .xml.gz file (no Content-Encoding) inflating to {bomb/4}",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/x-gzip")
			h.streamBomb(rw, r, "sitemap", h.opts.BombBytes/4)
		}},
	{name: "sitemap_gzip_bomb_double", path: "/sitemaps/bomb2.xml.gz", kind: HostileSitemap, class: classTooLarge,
		note: "a .xml.gz file sent with Content-Encoding gzip on top, inflating to {bomb} from a few KiB",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/x-gzip")
			rw.Header().Set("Content-Encoding", "gzip")
			b := h.doubleBomb
			rw.Header().Set("Content-Length", strconv.Itoa(len(b)))
			_, _ = rw.Write(b)
		}},
	{name: "sitemap_index_chain", path: "/sitemaps/deep/0.xml", prefix: "/sitemaps/deep/", kind: HostileSitemap, polled: true,
		maxRequests: 10, note: "a sitemap index listing another index, {chain} deep (the server could go on for ever)",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			path := r.URL.Path
			if !strings.HasSuffix(path, ".xml") {
				http.NotFound(rw, r)
				return
			}
			k, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path, "/sitemaps/deep/"), ".xml"))
			if err != nil || k < 0 || k > hostileChain {
				http.NotFound(rw, r)
				return
			}
			rw.Header().Set("Content-Type", "application/xml; charset=utf-8")
			if k == hostileChain {
				_, _ = io.WriteString(rw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>`+"\n")
				return
			}
			fmt.Fprintf(rw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+
				"<sitemap><loc>%s/sitemaps/deep/%d.xml</loc></sitemap></sitemapindex>\n", h.URL, k+1)
		}},
	{name: "feed_html_chain", path: "/feeds/chain/0.xml", prefix: "/feeds/chain/", kind: HostileFeed, class: classBadFeed,
		maxRequests: 10, note: "a feed URL answering HTML whose <link rel=alternate> names the next such \"feed\", {chain} deep",
		serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
			path := r.URL.Path
			if !strings.HasSuffix(path, ".xml") {
				http.NotFound(rw, r)
				return
			}
			k, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path, "/feeds/chain/"), ".xml"))
			if err != nil || k < 0 || k > hostileChain {
				http.NotFound(rw, r)
				return
			}
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(rw, "<!DOCTYPE html><html><head><title>Feeds, page %d</title>"+
				"<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feeds/chain/%d.xml\"></head>"+
				"<body><p>Our feed has moved.</p></body></html>\n", k, k+1)
		}},
	{prefix: "/h/moved-", serve: func(h *Hostile, rw http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		k, err := strconv.Atoi(strings.TrimPrefix(path, "/h/moved-"))
		codes := []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect}
		if err != nil || k < 0 || k >= len(codes) {
			http.NotFound(rw, r)
			return
		}
		next := "/h/moved-" + strconv.Itoa(k+1)
		if k == len(codes)-1 {
			next = "/a/moved-here.html"
		}
		http.Redirect(rw, r, next, codes[k])
	}},
}

// build makes the cases, good pages first, and the routes of the main host.
func (h *Hostile) build(web *Web) error {
	if err := h.buildPages(web); err != nil {
		return err
	}
	h.routes = map[string]hostileRoute{}
	for _, rt := range hostileRoutes {
		if rt.only != nil && !rt.only(h) {
			continue
		}
		if rt.serve != nil {
			if rt.prefix != "" {
				h.prefixRoutes = append(h.prefixRoutes, rt)
			} else {
				h.routes[rt.path] = rt
			}
		}
		if rt.name == "" {
			continue
		}
		n := 1
		if rt.hugeFeeds {
			n = h.opts.HugeFeeds
		}
		for i := 1; i <= n; i++ {
			h.cases = append(h.cases, h.routeCase(rt, i))
		}
	}
	h.buildHugeFeed()
	return nil
}

// routeCase is the case of route rt; i numbers the huge feeds.
func (h *Hostile) routeCase(rt hostileRoute, i int) HostileCase {
	base := h.URL
	if rt.host == "bombrobots" {
		base = h.BombRobotsURL
	}
	c := HostileCase{Name: rt.name, URL: base + rt.path, Kind: rt.kind, Class: rt.class, Transient: rt.transient,
		Deferred: rt.deferred, Polled: rt.polled, NeverAsked: rt.neverAsked, Note: h.hostileNote(rt.note)}
	if c.Kind == "" {
		c.Kind = HostileArticle
	}
	if rt.maxRequests > 0 {
		c.Prefix, c.MaxRequests = base+rt.prefix, rt.maxRequests
	}
	if i > 1 {
		c.Name, c.URL = fmt.Sprintf("%s_%d", rt.name, i), fmt.Sprintf("%s%s-%d.xml", base, strings.TrimSuffix(rt.path, ".xml"), i)
	}
	return c
}

// hostileNote fills in a route's note the words that depend on the options.
func (h *Hostile) hostileNote(note string) string {
	mib := func(n int64) string { return strconv.FormatInt(n>>20, 10) + " MiB" }
	return strings.NewReplacer("{bomb}", mib(h.opts.BombBytes), "{bomb/4}", mib(h.opts.BombBytes/4),
		"{trickle}", h.opts.TrickleEvery.String(), "{stall}", h.opts.Stall.String(),
		"{items}", strconv.Itoa(h.opts.HugeFeedItems), "{private}", h.PrivateURL,
		"{chain}", strconv.Itoa(hostileChain)).Replace(note)
}

// route answers one request of the main listener; n counts the requests of
// its path so far, this one included.
func (h *Hostile) route(rw http.ResponseWriter, r *http.Request, n int) {
	path := r.URL.Path
	if pg, ok := h.pages[path]; ok {
		if pg.gate == nil || !pg.gate(h, rw, r, n) {
			h.servePage(rw, pg)
		}
		return
	}
	if rt, ok := h.routes[path]; ok {
		rt.serve(h, rw, r)
		return
	}
	for _, rt := range h.prefixRoutes {
		if strings.HasPrefix(path, rt.prefix) {
			rt.serve(h, rw, r)
			return
		}
	}
	http.NotFound(rw, r)
}
