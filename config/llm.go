package config

// LLM is the llm section. Its owner fills it in; keys follow the
// conventions of the other sections (snake_case yaml tags, secret:"true"
// on secrets, defaults in defaultLLM, checks in validate naming the key).
type LLM struct{}

func defaultLLM() LLM { return LLM{} }

func (s *LLM) validate() error { return nil }
