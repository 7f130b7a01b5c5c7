package serve

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// sessionCookie is the cookie the login form sets: when it was issued and
// an HMAC of that time under the token, never the token itself.
const sessionCookie = "wirecrawl_session"

// sessionTTL is how long a login lasts: the cookie expires then in the
// browser, and the server refuses it after that whatever the browser sends.
const sessionTTL = 30 * 24 * time.Hour

// sessionSkew is how far in the future an issue time may lie (another
// server's clock ahead of this one's) before the cookie is refused.
const sessionSkew = 5 * time.Minute

// ingestTimeout bounds one ingest from the form.
const ingestTimeout = 45 * time.Second

// mac is HMAC-SHA256 of purpose under the token, in hex.
func (h *handler) mac(purpose string) string {
	m := hmac.New(sha256.New, []byte(h.cfg.Token))
	m.Write([]byte("wirecrawl serve " + purpose))
	return hex.EncodeToString(m.Sum(nil))
}

// now is the server's clock: Config.Now, or time.Now.
func (h *handler) now() time.Time {
	if h.cfg.Now != nil {
		return h.cfg.Now()
	}
	return time.Now()
}

// session is the login cookie's value for a login at issued: the Unix
// time and its MAC, "1764755200.3fa9…".
func (h *handler) session(issued time.Time) string {
	at := strconv.FormatInt(issued.Unix(), 10)
	return at + "." + h.mac("session "+at)
}

// hasSession says whether r carries a login cookie of the configured token
// issued less than sessionTTL ago.
func (h *handler) hasSession(r *http.Request) bool {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return false
	}
	at, sum, ok := strings.Cut(c.Value, ".")
	if !ok || !hmac.Equal([]byte(sum), []byte(h.mac("session "+at))) {
		return false
	}
	sec, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return false
	}
	age := h.now().Sub(time.Unix(sec, 0))
	return age < sessionTTL && age > -sessionSkew
}

// authorized says whether r may read: no token configured, the bearer
// token, or the login cookie.
func (h *handler) authorized(r *http.Request) bool {
	if h.cfg.Token == "" {
		return true
	}
	got := []byte(r.Header.Get("Authorization"))
	return subtle.ConstantTimeCompare(got, []byte("Bearer "+h.cfg.Token)) == 1 || h.hasSession(r)
}

// auth lets an API request through when it is authorized, else answers 401.
func (h *handler) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="wirecrawl"`)
			writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// uiAuth sends a browser without the login cookie to the login form.
func (h *handler) uiAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.authorized(r) {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// localPath returns next when it is a path on this server, else "/".
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

type loginView struct {
	Base        base
	Next, Error string
}

// loginForm asks for the token.
func (h *handler) loginForm(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Token == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	h.render(w, http.StatusOK, "login", loginView{Base: h.base(r), Next: localPath(r.URL.Query().Get("next"))})
}

// login checks the token and sets the session cookie: HttpOnly, SameSite
// strict, Secure when the request came over TLS, valid for sessionTTL.
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Token == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if !sameOrigin(r) {
		h.errorPage(w, r, http.StatusForbidden, "cross-origin form post refused")
		return
	}
	next := localPath(r.PostFormValue("next"))
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue("token")), []byte(h.cfg.Token)) != 1 {
		h.render(w, http.StatusUnauthorized, "login", loginView{Base: h.base(r), Next: next, Error: "wrong token"})
		return
	}
	now := h.now()
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: h.session(now), Path: "/",
		MaxAge: int(sessionTTL / time.Second), Expires: now.Add(sessionTTL),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout clears the session cookie.
func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// sameOrigin rejects a form post a browser says came from another origin
// (Sec-Fetch-Site, or Origin when that is absent).
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "":
	default:
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true // not a browser's cross-site form post (they send Origin on POST)
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// canIngest says whether the ingest form is offered: it needs an Ingest
// function and a token (without one, anyone on the machine could make the
// crawler fetch).
func (h *handler) canIngest() bool { return h.cfg.Ingest != nil && h.cfg.Token != "" }

type ingestView struct {
	Base                   base
	CSRF, URL, Error, Done string
}

// ingestForm offers the ingest form, with its CSRF token.
func (h *handler) ingestForm(w http.ResponseWriter, r *http.Request) {
	if !h.canIngest() {
		h.errorPage(w, r, http.StatusForbidden, "ingesting needs serve.token and a crawler (read-only server)")
		return
	}
	h.render(w, http.StatusOK, "ingest", ingestView{Base: h.base(r), CSRF: h.mac("csrf")})
}

// ingest fetches one URL through the crawler (Config.Ingest), when the
// form's CSRF token and origin check out.
func (h *handler) ingest(w http.ResponseWriter, r *http.Request) {
	if !h.canIngest() {
		h.errorPage(w, r, http.StatusForbidden, "ingesting needs serve.token and a crawler (read-only server)")
		return
	}
	if !sameOrigin(r) || !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(h.mac("csrf"))) {
		h.errorPage(w, r, http.StatusForbidden, "missing or wrong CSRF token")
		return
	}
	v := ingestView{Base: h.base(r), CSRF: h.mac("csrf"), URL: strings.TrimSpace(r.PostFormValue("url"))}
	u, err := url.Parse(v.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.Error = "want an absolute http or https URL"
		h.render(w, http.StatusBadRequest, "ingest", v)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), ingestTimeout)
	defer cancel()
	if err := h.cfg.Ingest(ctx, u.String()); err != nil {
		h.log.Warn("ui: ingest", "url", u.String(), "err", err)
		v.Error = fmt.Sprintf("ingest %s: %v", u, err)
		status := http.StatusBadGateway
		if errors.Is(err, context.DeadlineExceeded) {
			status = http.StatusGatewayTimeout
		}
		h.render(w, status, "ingest", v)
		return
	}
	v.Done = u.String()
	h.render(w, http.StatusOK, "ingest", v)
}
