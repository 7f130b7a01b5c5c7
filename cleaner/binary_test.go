package cleaner

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomBody returns n random bytes from a seeded generator; without NUL
// bytes when noNUL is set, and after prefix.
func randomBody(seed uint64, n int, noNUL bool, prefix string) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	b := make([]byte, n)
	copy(b, prefix)
	for i := len(prefix); i < n; i++ {
		c := byte(r.UintN(256))
		for noNUL && c == 0 {
			c = byte(r.UintN(256))
		}
		b[i] = c
	}
	return b
}

// TestRandomBodiesAreNotArticles: random 200 KB bodies, with and without NUL
// bytes, and random bytes behind an HTML start that fools a look at the
// first 512 bytes, are refused as not HTML even when served as text/html.
func TestRandomBodiesAreNotArticles(t *testing.T) {
	c := New(Config{})
	for seed := uint64(1); seed <= 12; seed++ {
		for _, v := range []struct {
			name   string
			noNUL  bool
			prefix string
		}{
			{"raw", false, ""},
			{"no NUL", true, ""},
			{"html head", true, "<!DOCTYPE html><html><head><title>News</title></head><body><article><p>"},
		} {
			body := randomBody(seed, 200<<10, v.noNUL, v.prefix)
			for _, ct := range []string{"", "text/html", "text/html; charset=utf-8", "text/html; charset=iso-8859-1"} {
				doc, err := c.Clean(body, "https://news.example/a", ct)
				if !errors.Is(err, ErrNotHTML) {
					t.Errorf("seed %d %s, %q: err %v, text %d characters; want ErrNotHTML", seed, v.name, ct, err, len(doc.Text))
				}
			}
		}
	}
}

// TestNonEnglishPagesAreText: pages in German, Indonesian, Japanese,
// Chinese, Russian and Arabic, in UTF-8 and in a legacy charset, are not
// taken for binary data.
func TestNonEnglishPagesAreText(t *testing.T) {
	paras := map[string]string{
		"de": "Die Bundesregierung hat am Dienstag neue Maßnahmen für den Ausbau der Windenergie beschlossen. Bürger und Gemeinden sollen künftig stärker an den Erträgen beteiligt werden, sagte die Ministerin in Berlin.",
		"id": "Pemerintah mengumumkan bahwa harga bahan bakar minyak akan naik mulai pekan depan. Menteri keuangan mengatakan keputusan itu diambil untuk menjaga anggaran negara tetap sehat.",
		"ja": "政府は火曜日、再生可能エネルギーの導入を加速するための新しい計画を発表した。計画では、二〇三〇年までに電力の半分を風力と太陽光でまかなうことを目指している。",
		"zh": "政府周二宣布了加快发展可再生能源的新计划。根据该计划，到二〇三〇年，一半的电力将来自风能和太阳能，官员表示这将创造大量就业机会。",
		"ru": "Правительство во вторник объявило о новых мерах по развитию ветровой энергетики. Жители и муниципалитеты будут получать часть доходов, заявила министр в Москве.",
		"ar": "أعلنت الحكومة يوم الثلاثاء عن خطة جديدة لتسريع التحول إلى الطاقة المتجددة، وقال الوزير إن الخطة ستوفر آلاف الوظائف في السنوات المقبلة.",
	}
	c := New(Config{})
	for lang, p := range paras {
		page := "<html lang=\"" + lang + "\"><head><meta charset=\"utf-8\"><title>x</title></head><body><article><p>" +
			strings.Repeat(p+"</p><p>", 3) + "</p></article></body></html>"
		doc, err := c.Clean([]byte(page), "", "text/html")
		if err != nil || !strings.Contains(doc.Text, p[:30]) {
			t.Errorf("%s: err %v, text %.80q", lang, err, doc.Text)
		}
	}
	// German in ISO-8859-1, as a legacy server sends it.
	latin1 := []byte("<html><head><meta charset=\"iso-8859-1\"></head><body><p>")
	for _, r := range strings.Repeat(paras["de"]+" ", 2) {
		latin1 = append(latin1, byte(r))
	}
	latin1 = append(latin1, "</p></body></html>"...)
	if doc, err := c.Clean(latin1, "", "text/html; charset=iso-8859-1"); err != nil || !strings.Contains(doc.Text, "Maßnahmen für") {
		t.Errorf("latin-1: err %v, text %.80q", err, doc.Text)
	}
}

// TestNoiseTextIsNotAnArticle: a page whose text is printable noise (the
// symbols, digits and punctuation of decoded garbage) is refused; a table
// of results with names is not.
func TestNoiseTextIsNotAnArticle(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	const noise = "0123456789!#$%&*+-/=?@^_|~.,;:()[]{}ÃÂ¿¡§¶°±²³µ·¸¹º»¼½¾"
	runes := []rune(noise)
	var b strings.Builder
	for i := range 3000 {
		if i%9 == 8 {
			b.WriteByte(' ')
			continue
		}
		b.WriteRune(runes[r.IntN(len(runes))])
	}
	page := "<html><body><article><p>" + b.String() + "</p></article></body></html>"
	if doc, err := New(Config{}).Clean([]byte(page), "", "text/html"); !errors.Is(err, ErrNotHTML) {
		t.Errorf("noise: err %v, text %.80q; want ErrNotHTML", err, doc.Text)
	}
	var table strings.Builder
	table.WriteString("<html><body><article><h1>State swim results</h1><p>Results of the state swimming finals on Friday, with times in minutes and seconds.</p><table>")
	for i := range 40 {
		fmt.Fprintf(&table, "<tr><td>%d.</td><td>Jane Swimmer</td><td>Central High</td><td>1:%02d.%02d</td></tr>", i+1, 2+i%50, 17+i%80)
	}
	table.WriteString("</table></article></body></html>")
	if _, err := New(Config{}).Clean([]byte(table.String()), "", "text/html"); err != nil {
		t.Errorf("results table: %v", err)
	}
}
