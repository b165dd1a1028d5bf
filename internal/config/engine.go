package config

import (
	"fmt"
	"slices"
	"strings"
)

// Engine names the kind of server a run benchmarks.
type Engine string

// The engines a run may name.
const (
	// EngineVLLM starts `vllm serve`.
	EngineVLLM Engine = "vllm"
	// EngineSGLang starts SGLang's launch_server.
	EngineSGLang Engine = "sglang"
	// EngineSim starts the built-in simulator, `vllm-bench sim`.
	EngineSim Engine = "sim"
	// EngineCustom starts serve.command with serve.args, a template, for
	// servers that speak vLLM's API but do not take all of its engine flags.
	EngineCustom Engine = "custom"
	// EngineExternal starts nothing: serve.base_url is a running server.
	EngineExternal Engine = "external"
)

// Engines returns every engine a run may name, in the order messages list
// them. It is the one list that config validation, the engine recipes and
// the command line and action inputs check against.
func Engines() []Engine {
	return []Engine{EngineVLLM, EngineSGLang, EngineSim, EngineCustom, EngineExternal}
}

// LaunchedEngines returns the engines a run can be moved onto with
// --engine or the action's engine input: those whose server the harness
// starts from the serve options alone. An external server is the config's
// own choice, and a custom one needs its own command and args.
func LaunchedEngines() []Engine {
	var out []Engine
	for _, e := range Engines() {
		if e.Launched() && e != EngineCustom {
			out = append(out, e)
		}
	}
	return out
}

// Launched reports whether the harness starts this engine's server process.
func (e Engine) Launched() bool { return e != EngineExternal }

// ParseLaunchedEngine reads the name of an engine a run can be moved onto,
// with an error listing the valid names.
func ParseLaunchedEngine(s string) (Engine, error) {
	e := Engine(s)
	if !slices.Contains(LaunchedEngines(), e) {
		return "", fmt.Errorf("must be one of %s, got %q", EngineList(LaunchedEngines()), s)
	}
	return e, nil
}

// EngineList joins engine names with commas, for messages.
func EngineList(es []Engine) string {
	names := make([]string, len(es))
	for i, e := range es {
		names[i] = string(e)
	}
	return strings.Join(names, ", ")
}
