package sim

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestWordsAreDistinct(t *testing.T) {
	tok := newTokenizer()
	if len(tok.ids) != ordinaryCount {
		t.Fatalf("%d distinct words for %d ordinary ids", len(tok.ids), ordinaryCount)
	}
	for _, id := range []int{firstOrdinaryID, firstOrdinaryID + 80, vocabSize - 1} {
		if w := tok.words[id]; strings.ContainsAny(w, " \"\\") || w == "" {
			t.Errorf("word %q of id %d is not a plain word", w, id)
		}
	}
}

func TestRoundTripOrdinaryIDs(t *testing.T) {
	tok := newTokenizer()
	rng := rand.New(rand.NewPCG(1, 2))
	ids := make([]int, 2000)
	for i := range ids {
		ids[i] = firstOrdinaryID + rng.IntN(ordinaryCount)
	}
	ids = append(ids, firstOrdinaryID, vocabSize-1)
	text, err := tok.decode(ids)
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.encode(text, false); !slices.Equal(got, ids) {
		t.Fatalf("decode -> encode changed the ids")
	}
	if got := tok.encode(text, true); got[0] != bosID || !slices.Equal(got[1:], ids) {
		t.Fatalf("encode with special tokens must add BOS only")
	}
}

func TestRoundTripText(t *testing.T) {
	tok := newTokenizer()
	for _, text := range []string{
		"The quick brown fox jumps over the lazy dog.",
		"benchmarking vLLM: TTFT, TPOT & throughput (p99) — ünïcödé 1234567",
		"  spaces\tand\nnewlines  ",
		"",
	} {
		ids := tok.encode(text, true)
		back, err := tok.decode(ids)
		if err != nil {
			t.Fatal(err)
		}
		if again := tok.encode(back, true); !slices.Equal(again, ids) {
			t.Errorf("%q: tokenize -> detokenize -> tokenize changed the ids", text)
		}
		for _, id := range ids[1:] {
			if id < firstOrdinaryID || id >= vocabSize {
				t.Errorf("%q: id %d outside the ordinary range", text, id)
			}
		}
	}
	words := strings.Fields("The quick brown fox jumps over the lazy dog and benchmarks")
	if n := len(tok.encode(strings.Join(words, " "), false)); n < len(words) || n > 2*len(words) {
		t.Errorf("%d tokens for %d English words, want 1-2 per word", n, len(words))
	}
}

func TestDecodeRejectsOutOfVocabulary(t *testing.T) {
	tok := newTokenizer()
	if _, err := tok.decode([]int{5, vocabSize}); err == nil {
		t.Error("id vocabSize must be rejected")
	}
	if s, _ := tok.decode([]int{bosID, firstOrdinaryID, eosID}); s != tok.words[firstOrdinaryID] {
		t.Errorf("specials must be skipped, got %q", s)
	}
}
