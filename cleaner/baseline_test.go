package cleaner

import (
	"bytes"
	"net/url"

	readability "codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"
)

// readeckAlone is the baseline: readeck's go-readability on the raw bytes,
// its own charset detection, its own text rendering.
func readeckAlone(body []byte, pageURL string) string {
	u, _ := url.Parse(pageURL)
	art, err := readability.FromReader(bytes.NewReader(body), u)
	if err != nil || art.Node == nil {
		return ""
	}
	return render.InnerText(art.Node)
}
