package crawler

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"

	"github.com/wirecrawl/wirecrawl/frontier"
)

// ErrBadURL is returned (wrapped) for URLs the crawler cannot fetch.
var ErrBadURL = errors.New("crawler: bad url")

// trackingParams are query parameters that never change the page served.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gclsrc": true, "msclkid": true,
	"mc_cid": true, "mc_eid": true, "yclid": true, "igshid": true, "twclid": true,
	"_ga": true, "_gl": true, "_hsenc": true, "_hsmi": true, "mkt_tok": true,
	"ocid": true, "cmpid": true, "wt.mc_id": true, "wt_mc_id": true, "ito": true,
	"ns_mchannel": true, "ns_source": true, "ns_campaign": true, "ns_linkname": true,
	"ns_fee": true, "smid": true, "ref_src": true, "ref_url": true, "__twitter_impression": true,
	"s_cid": true, "spm": true, "vero_id": true, "oly_anon_id": true, "oly_enc_id": true,
	"rb_clickid": true, "at_medium": true, "at_campaign": true, "xtor": true,
}

// isTrackingParam reports whether query key k is a tracking parameter.
func isTrackingParam(k string) bool {
	k = strings.ToLower(k)
	return strings.HasPrefix(k, "utm_") || trackingParams[k]
}

// NormalizeURL returns the canonical form of an absolute http(s) URL used as
// the frontier key: scheme and host lower-cased, default port and fragment
// dropped, empty path made "/", dot segments resolved, tracking parameters
// (utm_*, fbclid, gclid, mc_cid, ...) removed and the query sorted. It does
// not guess AMP or canonical variants; see the crawler's alias handling.
func NormalizeURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrBadURL, raw, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("%w: %q: scheme must be http or https", ErrBadURL, raw)
	}
	if u.Opaque != "" {
		return "", fmt.Errorf("%w: %q: opaque url", ErrBadURL, raw)
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimRight(host, ".")
	if host == "" {
		return "", fmt.Errorf("%w: %q: no host", ErrBadURL, raw)
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		host = host + ":" + port
	}
	u.Host = host
	u.User = nil
	u.Fragment = ""
	u.RawFragment = ""
	// Resolve dot segments; keep a trailing slash. The path is re-encoded
	// canonically, except that an encoded slash (%2F) stays encoded: it is
	// part of a segment, and decoding it names another resource.
	if ep := u.EscapedPath(); strings.Contains(strings.ToUpper(ep), "%2F") {
		ep = strings.ReplaceAll(ep, "%2f", "%2F")
		segs := strings.Split(resolveDots(ep), "/")
		for i, seg := range segs {
			parts := strings.Split(seg, "%2F")
			for k, part := range parts {
				dec, err := url.PathUnescape(part)
				if err != nil {
					return "", fmt.Errorf("%w: %q: %v", ErrBadURL, raw, err)
				}
				parts[k] = (&url.URL{Path: dec}).EscapedPath()
			}
			segs[i] = strings.Join(parts, "%2F")
		}
		u.RawPath = strings.Join(segs, "/")
		if p, err := url.PathUnescape(u.RawPath); err == nil {
			u.Path = p
		} // else RawPath, made of valid escapes above, cannot be: Path stays
	} else {
		if u.Path == "" {
			u.Path = "/"
		} else {
			u.Path = resolveDots(u.Path)
		}
		u.RawPath = ""
	}
	if u.RawQuery != "" {
		u.RawQuery = cleanQuery(u.RawQuery)
	}
	u.ForceQuery = false
	return u.String(), nil
}

// resolveDots removes "." and ".." segments from an absolute path.
func resolveDots(p string) string {
	if !strings.Contains(p, "/.") {
		if !strings.HasPrefix(p, "/") {
			return "/" + p
		}
		return p
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		switch s {
		case ".":
			if i == len(segs)-1 {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if i == len(segs)-1 {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	r := strings.Join(out, "/")
	if !strings.HasPrefix(r, "/") {
		r = "/" + r
	}
	return r
}

// cleanQuery drops tracking parameters and sorts the rest by key, keeping the
// order of repeated keys; values are re-encoded canonically.
func cleanQuery(raw string) string {
	type kv struct{ k, v string }
	var kept []kv
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			dk = k
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			dv = v
		}
		if dk == "" || isTrackingParam(dk) {
			continue
		}
		kept = append(kept, kv{dk, dv})
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].k < kept[j].k })
	var b strings.Builder
	for i, p := range kept {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.k))
		if p.v != "" {
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(p.v))
		}
	}
	return b.String()
}

// resolveRef resolves ref against base and normalises it; "" if unusable.
func resolveRef(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		r = base.ResolveReference(r)
	}
	n, err := NormalizeURL(r.String())
	if err != nil {
		return ""
	}
	return n
}

// siteKey strips "www.", "amp.", "m." and "mobile." prefixes and the port, so
// that variants of one site compare equal.
func siteKey(host string) string {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	for _, p := range []string{"www.", "amp.", "m.", "mobile."} {
		if strings.HasPrefix(h, p) && strings.Count(h, ".") >= 2 {
			h = strings.TrimPrefix(h, p)
			break
		}
	}
	return h
}

// sameSite reports whether two normalised URLs belong to the same site.
func sameSite(a, b string) bool {
	ha, hb := frontier.HostOf(a), frontier.HostOf(b)
	return ha != "" && siteKey(ha) == siteKey(hb)
}

// ampCanonical guesses the canonical article of a normalised AMP URL by its
// common shapes (/amp/ path segment, trailing /amp, .amp.html, amp=1,
// outputType=amp); ok is false if u does not look like an AMP URL.
func ampCanonical(u string) (string, bool) {
	p, err := url.Parse(u)
	if err != nil {
		return "", false
	}
	changed := false
	switch {
	case strings.HasSuffix(p.Path, "/amp") || strings.HasSuffix(p.Path, "/amp/"):
		p.Path = strings.TrimSuffix(strings.TrimSuffix(p.Path, "/"), "/amp")
		if p.Path == "" {
			p.Path = "/"
		}
		changed = true
	case strings.HasPrefix(p.Path, "/amp/"):
		p.Path = strings.TrimPrefix(p.Path, "/amp")
		changed = true
	case strings.HasSuffix(p.Path, ".amp.html") || strings.HasSuffix(p.Path, ".amp"):
		p.Path = strings.TrimSuffix(strings.TrimSuffix(p.Path, ".html"), ".amp")
		if strings.HasSuffix(u, ".amp.html") {
			p.Path += ".html"
		}
		changed = true
	}
	q := p.Query()
	for _, k := range []string{"amp", "outputType", "outputtype", "amp_js_v", "usqp"} {
		if _, ok := q[k]; ok {
			if k == "outputType" || k == "outputtype" {
				if !strings.EqualFold(q.Get(k), "amp") {
					continue
				}
			}
			q.Del(k)
			changed = true
		}
	}
	if !changed {
		return "", false
	}
	p.RawQuery = q.Encode()
	n, err := NormalizeURL(p.String())
	if err != nil {
		return "", false
	}
	return n, true
}
