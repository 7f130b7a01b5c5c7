package testweb

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
)

// sentencesGz is the sentence bank derived from the extraction-dev corpus;
// see data/README.md for its source and licence.
//
//go:embed data/sentences.json.gz
var sentencesGz []byte

// bankArticle is one source article of the bank: its language and its
// paragraphs as lists of sentences.
type bankArticle struct {
	Lang  string     `json:"lang"`
	Host  string     `json:"host"`
	Paras [][]string `json:"paras"`
}

// sentenceBank indexes the bank: every sentence has a global id.
type sentenceBank struct {
	sents  []string  // by global id
	lang   []string  // language of each sentence
	arts   [][]int32 // per article: its sentence ids in order
	artLng []string
	byLang map[string][]int // article indexes per language
}

// sentsOf counts the sentences of a language.
func (b *sentenceBank) sentsOf(lang string) []int32 {
	var out []int32
	for _, ai := range b.byLang[lang] {
		out = append(out, b.arts[ai]...)
	}
	return out
}

var (
	bankOnce sync.Once
	bankVal  *sentenceBank
	bankErr  error
)

// loadBank decodes the embedded bank once per process.
func loadBank() (*sentenceBank, error) {
	bankOnce.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(sentencesGz))
		if err != nil {
			bankErr = fmt.Errorf("testweb: open sentence bank: %w", err)
			return
		}
		var arts []bankArticle
		if err := json.NewDecoder(zr).Decode(&arts); err != nil {
			bankErr = fmt.Errorf("testweb: decode sentence bank: %w", err)
			return
		}
		b := &sentenceBank{byLang: map[string][]int{}}
		for i, a := range arts {
			var ids []int32
			for _, p := range a.Paras {
				for _, s := range p {
					ids = append(ids, int32(len(b.sents)))
					b.sents = append(b.sents, s)
					b.lang = append(b.lang, a.Lang)
				}
			}
			b.arts = append(b.arts, ids)
			b.artLng = append(b.artLng, a.Lang)
			b.byLang[a.Lang] = append(b.byLang[a.Lang], i)
		}
		bankVal = b
	})
	return bankVal, bankErr
}

// mix is splitmix64's finaliser: a fast, stable 64-bit mixer.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hashParts combines a seed and parts into one stable 64-bit value.
func hashParts(seed int64, parts ...uint64) uint64 {
	h := mix(uint64(seed))
	for _, p := range parts {
		h = mix(h ^ p)
	}
	return h
}

// hashString is FNV-1a 64, for keying by URL path.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// rngFor returns a deterministic generator for a seed and a purpose.
func rngFor(seed int64, parts ...uint64) *rand.Rand {
	h := hashParts(seed, parts...)
	return rand.New(rand.NewPCG(h, mix(h)))
}

// Purposes salt the generators so that independent choices stay independent.
const (
	saltStory uint64 = iota + 1
	saltPage
	saltNumbers
	saltOutlet
	saltFault
	saltLayout
	saltNames
)

// perturbNumbers replaces the numbers of a sentence with others of the same
// length, keyed by (seed, key), so that stories built from the same bank
// sentence still differ; years (19xx, 20xx) and numbers of ten or more
// digits are kept.
func perturbNumbers(s string, seed int64, key uint64) string {
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	r := rngFor(seed, saltNumbers, key)
	b := []byte(s)
	for i := 0; i < len(b); {
		if b[i] < '0' || b[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		n := j - i
		year := n == 4 && ((b[i] == '1' && b[i+1] == '9') || (b[i] == '2' && b[i+1] == '0'))
		if !year && n <= 9 {
			b[i] = byte('1' + r.IntN(9))
			for k := i + 1; k < j; k++ {
				b[k] = byte('0' + r.IntN(10))
			}
		}
		i = j
	}
	return string(b)
}
