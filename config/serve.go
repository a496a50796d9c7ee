package config

// Serve is the serve section. Its owner fills it in; keys follow the
// conventions of the other sections (snake_case yaml tags, secret:"true"
// on secrets, defaults in defaultServe, checks in validate naming the key).
type Serve struct{}

func defaultServe() Serve { return Serve{} }

func (s *Serve) validate() error { return nil }
