package config

import (
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"
)

// bound is the range a numeric key accepts. Zero is always accepted where it
// means "the default" (zeroDefault); every other value must lie in [lo, hi].
type bound struct {
	lo, hi      float64
	zeroDefault bool
}

// Duration bounds are written in nanoseconds.
const (
	ms     = float64(time.Millisecond)
	second = float64(time.Second)
	minute = float64(time.Minute)
	hour   = float64(time.Hour)
	day    = 24 * hour
	kib    = 1 << 10
	gib    = 1 << 30
)

// bounds gives every numeric key its range. The upper ends keep a run
// within what the machine and the arithmetic can hold (a billion workers
// is out of memory, a body limit near 2^63 overflows when a byte is added
// to it, a poll interval of centuries overflows time.Time); the lower ends
// keep it doing something (a timeout of a nanosecond fails every fetch).
// TestEveryNumericKeyHasABound holds this table to Keys().
var bounds = map[string]bound{
	"crawler.workers":              {1, 1024, true},
	"crawler.delay":                {0, hour, true},
	"crawler.per_host_parallelism": {1, 64, true},
	"crawler.max_body_bytes":       {kib, gib, true},
	"crawler.connect_timeout":      {100 * ms, 10 * minute, true},
	"crawler.timeout":              {second, hour, true},
	"crawler.max_retries":          {-1, 100, true},
	"crawler.retry_backoff":        {ms, hour, true},
	"crawler.max_retry_wait":       {second, day, true},
	"crawler.max_redirects":        {1, 100, true},
	"crawler.lease_ttl":            {2 * second, 7 * day, true},
	"crawler.timeout_retry_delay":  {second, 30 * day, true},
	"crawler.max_host_timeouts":    {-1, 1000, true},
	"crawler.max_pass_duration":    {second, 30 * day, true},
	"crawler.min_poll_interval":    {second, 30 * day, true},
	"crawler.max_poll_interval":    {second, 365 * day, true},
	"crawler.robots_ttl":           {minute, 365 * day, true},
	"crawler.max_discovery_depth":  {1, 100, true},
	"cleaner.max_bytes":            {kib, gib, true},
	"cleaner.min_text_length":      {1, 1 << 20, true},
	"cleaner.max_elements":         {100, 100_000_000, true},
	"dedup.shingle_size":           {1, 16, true},
	"dedup.bands":                  {1, 16, true},
	"dedup.sketch_keys":            {1, 64, true},
	"dedup.lede_keys":              {1, 16, true},
	"dedup.containment":            {0, 1, true},
	"dedup.strong_containment":     {0, 1, true},
	"dedup.lede_containment":       {0, 1, true},
	"dedup.near_distance":          {-1, 64, true},
	"dedup.max_candidates":         {1, 4096, true},
	"dedup.min_words":              {1, 100_000, true},
	"dedup.key_limit":              {-1, 1 << 31, true},
	"dedup.window":                 {-second, 3650 * day, true},
	"dedup.cache":                  {-1, 1 << 20, true},
	"store.fetch_log_keep":         {-1, 1 << 31, true},
}

// Limits of text keys: a user agent goes into every request header, a seed
// or DSN is one line.
const (
	maxUserAgent = 512
	maxLine      = 4096
	maxSeeds     = 100_000
)

// checkBounds checks every numeric key against bounds and every text key
// for length and control characters; errors name the key.
func (c *Config) checkBounds() error {
	var err error
	walk(reflect.TypeOf(*c), "", func(key string, index []int) {
		if err != nil {
			return
		}
		v := reflect.ValueOf(c).Elem().FieldByIndex(index)
		switch v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
			reflect.Float32, reflect.Float64:
			err = checkNumber(key, v)
		case reflect.String:
			err = checkText(key, v.String())
		case reflect.Slice:
			if v.Len() > maxSeeds {
				err = fmt.Errorf("%s: %d entries; at most %d", key, v.Len(), maxSeeds)
				return
			}
			for i := 0; i < v.Len() && err == nil; i++ {
				if v.Index(i).Kind() == reflect.String {
					err = checkText(key, v.Index(i).String())
				}
			}
		}
	})
	return err
}

func checkNumber(key string, v reflect.Value) error {
	b, ok := bounds[key]
	if !ok {
		return fmt.Errorf("%s: no range is defined for this key (a bug: add it to config.bounds)", key)
	}
	var x float64
	isDuration := v.Type() == reflect.TypeOf(time.Duration(0))
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		x = v.Float()
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s: %v is not a number in range %s", key, x, b.describe(isDuration))
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		x = float64(v.Uint())
	default:
		x = float64(v.Int())
	}
	if (x == 0 && b.zeroDefault) || (x >= b.lo && x <= b.hi) {
		return nil
	}
	shown := fmt.Sprint(v.Interface())
	return fmt.Errorf("%s: %s is out of range %s", key, shown, b.describe(isDuration))
}

// describe renders the range for an error message.
func (b bound) describe(isDuration bool) string {
	f := func(x float64) string {
		if isDuration {
			return time.Duration(x).String()
		}
		return fmt.Sprint(x)
	}
	s := fmt.Sprintf("[%s, %s]", f(b.lo), f(b.hi))
	if b.zeroDefault && b.lo > 0 {
		s += " (0 means the default)"
	}
	return s
}

func checkText(key, s string) error {
	limit := maxLine
	if key == "crawler.user_agent" {
		limit = maxUserAgent
	}
	if len(s) > limit {
		return fmt.Errorf("%s: %d bytes long; at most %d", key, len(s), limit)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s: not valid UTF-8", key)
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }); i >= 0 {
		return fmt.Errorf("%s: control character %q at byte %d", key, s[i], i)
	}
	return nil
}

// Warnings lists settings that are valid but probably not meant, such as an
// allowed_networks entry that opens (nearly) every address. cmd prints them.
func (c *Config) Warnings() []string {
	var out []string
	if c.Crawler.AllowPrivateNetworks {
		return nil // the user asked for everything already
	}
	for _, n := range c.Crawler.AllowedNetworks {
		p, err := netip.ParsePrefix(n)
		if err != nil {
			continue // Validate reports it
		}
		p = p.Masked()
		// The widest special ranges are fc00::/7 and 10.0.0.0/8: a network
		// wider than those spans more than one intranet.
		wide := (p.Addr().Is4() && p.Bits() < 8) || (p.Addr().Is6() && !p.Addr().Is4In6() && p.Bits() < 7)
		if wide {
			out = append(out, fmt.Sprintf("crawler.allowed_networks: %s opens every special address in it (loopback, link-local cloud metadata, other intranets), nearly as crawler.allow_private_networks: true would; list only the networks you mean", n))
			continue
		}
		for _, sensitive := range []string{"127.0.0.1", "169.254.169.254", "::1", "fd00:ec2::254"} {
			if a := netip.MustParseAddr(sensitive); p.Contains(a) && p.Bits() < a.BitLen() {
				out = append(out, fmt.Sprintf("crawler.allowed_networks: %s includes %s; list only the networks you mean", n, sensitive))
				break
			}
		}
	}
	return out
}

// Range describes the values key accepts ("[1, 1024] (0 means the
// default)"); ok is false for keys that are not numeric.
func Range(key string) (desc string, ok bool) {
	b, ok := bounds[key]
	if !ok {
		return "", false
	}
	v, _ := Default().Value(key)
	_, isDuration := v.(time.Duration)
	return b.describe(isDuration), true
}
