package testweb

import "strings"

// Name swapping: the sentence bank is small (about 2,400 English
// sentences), so at 20k pages unrelated stories would share whole sentences
// far more often than real news does. Every story therefore renames the
// proper nouns inside its sentences (consistently within the story, so its
// copies, updates and the sentences a follow-up quotes stay identical),
// which keeps the sentences readable while making reused ones differ.

var (
	nameStart = []string{"Al", "Bar", "Cal", "Dor", "El", "Fen", "Gar", "Hal", "Is", "Jor", "Kel", "Lor", "Mar", "Nor", "Or",
		"Pel", "Quin", "Ros", "Sal", "Tor", "Ul", "Val", "Wes", "Yar", "Zel", "Bren", "Cor", "Dal", "Ev", "Har"}
	nameMid = []string{"", "a", "e", "i", "o", "an", "en", "in", "ar", "er"}
	nameEnd = []string{"ton", "ley", "son", "ford", "win", "mar", "ric", "dell", "worth", "by", "ard", "vin", "well",
		"more", "den", "sey", "ham", "ick", "ova", "ez"}
	keepCapitalized = map[string]bool{}
)

func init() {
	for _, w := range strings.Fields(`Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February
		March April May June July August September October November December The This That These Those But And
		In On At For If When While After Before As It He She They We You His Her Their Our Its Mr Mrs Ms Dr
		Christmas God Internet English American British European Chinese Russian French German Democrats
		Republicans Democrat Republican President Congress Senate House Black White Street Avenue North South
		East West New York Washington London Paris Berlin Moscow Beijing Tokyo Earth Sun Moon`) {
		keepCapitalized[w] = true
	}
}

// swapName gives the replacement of a proper noun within one story.
func swapName(seed int64, key uint64, word string) string {
	h := hashParts(seed, saltNames, key, hashString(word))
	return nameStart[h%uint64(len(nameStart))] + nameMid[(h>>16)%uint64(len(nameMid))] + nameEnd[(h>>32)%uint64(len(nameEnd))]
}

// swapNames renames capitalised words that are not the first of the
// sentence, not acronyms and not common (days, months, pronouns, ...).
func swapNames(s string, seed int64, key uint64) string {
	words := strings.Split(s, " ")
	changed := false
	for i := 1; i < len(words); i++ {
		prev := words[i-1]
		if strings.HasSuffix(prev, ".") || strings.HasSuffix(prev, "!") || strings.HasSuffix(prev, "?") || strings.HasSuffix(prev, ":") {
			continue // a new sentence or clause starts here
		}
		tok := words[i]
		lead := len(tok) - len(strings.TrimLeft(tok, "\"“‘'("))
		core := tok[lead:]
		end := len(core)
		for end > 0 && !isASCIILetter(core[end-1]) {
			end--
		}
		tail := core[end:]
		core = core[:end]
		if len(core) < 3 || core[0] < 'A' || core[0] > 'Z' || keepCapitalized[core] {
			continue
		}
		// names and CamelCase brands (WeWork); not acronyms (NATO) or
		// words with digits or punctuation inside
		letters, lowers := true, 0
		for j := 1; j < len(core); j++ {
			switch c := core[j]; {
			case c >= 'a' && c <= 'z':
				lowers++
			case c >= 'A' && c <= 'Z':
			default:
				letters = false
			}
		}
		if !letters || lowers < len(core)/2 {
			continue
		}
		words[i] = tok[:lead] + swapName(seed, key, core) + tail
		changed = true
	}
	if !changed {
		return s
	}
	return strings.Join(words, " ")
}

func isASCIILetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
