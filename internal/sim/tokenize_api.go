package sim

import (
	"encoding/json"
	"net/http"
)

// handleTokenize answers POST /tokenize for a prompt or chat messages.
func (s *server) handleTokenize(w http.ResponseWriter, r *http.Request) {
	var req tokenizeRequest
	if !s.readRequest(w, r, &req, &req.Model) {
		return
	}
	addSpecial := req.AddSpecialTokens == nil || *req.AddSpecialTokens
	var tokens []int
	if req.Messages != nil {
		text, err := renderChat(req.Messages)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		tokens = s.tok.encode(text, addSpecial)
	} else {
		var text string
		if err := json.Unmarshal(req.Prompt, &text); err != nil {
			writeError(w, http.StatusBadRequest, "prompt must be a string")
			return
		}
		tokens = s.tok.encode(text, addSpecial)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"count": len(tokens), "max_model_len": s.opts.MaxModelLen, "tokens": tokens, "token_strs": nil,
	})
}

// handleDetokenize answers POST /detokenize.
func (s *server) handleDetokenize(w http.ResponseWriter, r *http.Request) {
	var req detokenizeRequest
	if !s.readRequest(w, r, &req, &req.Model) {
		return
	}
	text, err := s.tok.decode(req.Tokens)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"prompt": text})
}

// readRequest decodes the JSON body into req and checks that *model, once
// decoded, names the served model. On failure it answers with vLLM's error
// and returns false.
func (s *server) readRequest(w http.ResponseWriter, r *http.Request, req any, model *string) bool {
	if err := json.NewDecoder(r.Body).Decode(req); err != nil {
		writeError(w, http.StatusBadRequest, "JSON decode error: "+err.Error())
		return false
	}
	if !s.opts.servesModel(*model) {
		writeError(w, http.StatusNotFound, "The model `"+*model+"` does not exist.")
		return false
	}
	return true
}
