package sim

import (
	"fmt"
	"strings"
	"unicode"
)

// The toy tokenizer's vocabulary. Ids below firstOrdinaryID are special
// tokens; every id in [firstOrdinaryID, vocabSize) is ordinary and decodes to
// its own lowercase word made of consonant-vowel syllables (" ba",
// " dako", " mirefu", ...), preceded by a space.
const (
	vocabSize       = 32000
	unkID           = 0 // <unk>
	bosID           = 1 // <s>, prepended when add_special_tokens is true
	eosID           = 2 // </s>
	firstOrdinaryID = 3
	ordinaryCount   = vocabSize - firstOrdinaryID
	// maxChunkBytes is the longest run of an unknown word that becomes one
	// token, which gives English text a realistic 1.2-1.5 tokens per word.
	maxChunkBytes = 4
)

const (
	consonants = "bdfghjklmnprstvz"
	vowels     = "aeiou"
	syllables  = len(consonants) * len(vowels)
)

// tokenizer is a deterministic toy tokenizer. Decoding skips special tokens
// and joins the words of ordinary ids with single spaces; encoding splits on
// whitespace, maps each vocabulary word to its id and hashes any other text
// (in chunks of at most maxChunkBytes, punctuation apart) into the ordinary
// range. So for ordinary ids the round trip decode -> encode (without special
// tokens) returns the same ids, and for any text encode -> decode -> encode
// does.
type tokenizer struct {
	words []string // id -> word without the leading space ("" for specials)
	ids   map[string]int
}

func newTokenizer() *tokenizer {
	t := &tokenizer{words: make([]string, vocabSize), ids: make(map[string]int, ordinaryCount)}
	t.words[unkID], t.words[bosID], t.words[eosID] = "<unk>", "<s>", "</s>"
	for id := firstOrdinaryID; id < vocabSize; id++ {
		w := wordFor(id - firstOrdinaryID)
		t.words[id] = w
		t.ids[w] = id
	}
	return t
}

// wordFor spells the n-th ordinary word: one syllable for the first 80
// words, two for the next 6,400, three for the rest. Every syllable is two
// letters, so the spelling is unique.
func wordFor(n int) string {
	digits := 1
	for span := syllables; n >= span; span *= syllables {
		n -= span
		digits++
	}
	b := make([]byte, 2*digits)
	for i := digits - 1; i >= 0; i-- {
		d := n % syllables
		n /= syllables
		b[2*i] = consonants[d/len(vowels)]
		b[2*i+1] = vowels[d%len(vowels)]
	}
	return string(b)
}

// isSpecial reports whether id is a special token.
func isSpecial(id int) bool { return id >= 0 && id < firstOrdinaryID }

// encode turns text into token ids, with a leading BOS when addSpecial.
func (t *tokenizer) encode(text string, addSpecial bool) []int {
	ids := make([]int, 0, len(text)/4+2)
	if addSpecial {
		ids = append(ids, bosID)
	}
	for _, field := range strings.Fields(text) {
		if id, ok := t.ids[field]; ok {
			ids = append(ids, id)
			continue
		}
		ids = appendHashed(ids, field)
	}
	return ids
}

// appendHashed splits an unknown word into letter/digit runs and single
// other characters, cuts runs into chunks of maxChunkBytes and hashes each
// chunk into the ordinary range.
func appendHashed(ids []int, word string) []int {
	start := -1
	flush := func(end int) {
		for start >= 0 && start < end {
			n := min(maxChunkBytes, end-start)
			ids = append(ids, hashPiece(word[start:start+n], start == 0))
			start += n
		}
		start = -1
	}
	for i, r := range word {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		ids = append(ids, hashPiece(string(r), i == 0))
	}
	flush(len(word))
	return ids
}

// hashPiece maps a piece of text to an ordinary id (FNV-1a); wordStart
// separates a piece that begins a word from the same letters inside one.
func hashPiece(piece string, wordStart bool) int {
	h := uint64(14695981039346656037)
	if wordStart {
		h ^= ' '
		h *= 1099511628211
	}
	for i := 0; i < len(piece); i++ {
		h ^= uint64(piece[i])
		h *= 1099511628211
	}
	return firstOrdinaryID + int(h%ordinaryCount)
}

// decode turns ids into text, skipping special tokens. An id outside the
// vocabulary is an error.
func (t *tokenizer) decode(ids []int) (string, error) {
	var b strings.Builder
	for _, id := range ids {
		if id < 0 || id >= vocabSize {
			return "", fmt.Errorf("token id %d is out of vocabulary (size %d)", id, vocabSize)
		}
		if isSpecial(id) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.words[id])
	}
	return b.String(), nil
}

// piece is the streamed text of one generated token: its word with a
// leading space.
func (t *tokenizer) piece(id int) string { return " " + t.words[id] }
