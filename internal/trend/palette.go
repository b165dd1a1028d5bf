package trend

// Chart colours of the trend report and the dashboard: a blue for each
// run's value and an orange for the level (the mean of the runs between
// change points). They are the PR comment's two chart colours (its
// baseline blue and this-run orange, kept in package report, which may
// not import trend): apart for the common colour-vision deficiencies, each
// with a contrast of 3:1 or more against GitHub's light page, its dark page
// and mermaid's dark chart background. Every chart says in words which
// colour is which.
const (
	// RunColour draws the runs.
	RunColour = "#2f81f7"
	// LevelColour draws the level.
	LevelColour = "#df6a14"
)

// ChartKey is the legend of a trend chart in words.
const ChartKey = "Blue line: each recorded run; orange line: the level, the mean of the runs between change points."
