package frontier

import (
	"net/url"
	"strings"
)

// HostOf returns the lower-case host (with port) of a URL, the unit of
// politeness and Job.Host; "" if the URL does not parse or has no host.
func HostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}
