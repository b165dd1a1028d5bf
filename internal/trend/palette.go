package trend

// Chart colours of the trend report, the dashboard and the PR comment: a
// blue for what was measured (each run's value; in the comment, this run's
// change from the baseline) and an orange for the reference (the level,
// the mean of the runs between change points; in the comment, zero and the
// tolerance band). They are apart for the common colour-vision
// deficiencies, each with a contrast of 3:1 or more against GitHub's light
// page, its dark page and mermaid's dark chart background. Every chart
// says in words which colour is which.
const (
	// RunColour draws the runs.
	RunColour = "#2f81f7"
	// LevelColour draws the level.
	LevelColour = "#df6a14"
)

// ChartKey is the legend of a trend chart in words.
const ChartKey = "Blue line: each recorded run; orange line: the level, the mean of the runs between change points."
