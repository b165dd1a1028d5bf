package loadgen

// sourceText is the built-in text whose tokens, as the server's own
// tokenizer splits it, make up the pool that prompts are drawn from. It is
// plain English prose written for this project, so that nearly every
// tokenizer cuts it into ordinary word and sub-word tokens.
const sourceText = `The harbor town woke slowly on winter mornings. Fishing boats
rocked against the pier while gulls argued over scraps, and the baker opened
his shutters before anyone else had lit a lamp. Children walked to school along
the sea wall, counting the waves that broke over the stones, and their parents
traded news at the market about prices, weather, and the price of weather.
By noon the fog had lifted, the bells of the old church rang twelve times, and
the ferry to the islands left with its usual cargo of mail, bread, tools and
tired travelers. Engineers who measure systems learn to distrust a single
number: a median hides the tail, an average hides the spread, and a fast run
on a quiet machine proves little about a busy one. So they repeat each test,
record every request, compare distributions rather than points, and write down
the conditions of the experiment in plain words, so that a colleague can rerun
it next month and find the same answer, or a better question. Mountains rise
far beyond the valley where rivers bend around green fields, orchards, small
farms, quiet roads, and a railway line that carries grain toward the coast.
Seven curious students built a telescope from spare lenses, cardboard, glue,
and patience; on the first clear night they found four moons of a distant
planet and wrote their names in a notebook next to the date and the time.`

// approxWords are short, common English words. Most tokenizers give each of
// them, with its leading space, exactly one token; a prompt made of n of them
// is about n tokens long. They are used only when the server has no
// /tokenize endpoint.
var approxWords = []string{
	"the", "of", "and", "to", "in", "is", "it", "that", "for", "on",
	"with", "as", "was", "at", "by", "be", "this", "from", "or", "an",
	"are", "not", "but", "all", "we", "can", "one", "has", "more", "time",
	"new", "year", "day", "way", "work", "life", "world", "man", "part", "place",
	"case", "point", "home", "water", "room", "hand", "city", "line", "end", "name",
}
