package config

// Poll is the poll section. Its owner fills it in; keys follow the
// conventions of the other sections (snake_case yaml tags, secret:"true"
// on secrets, defaults in defaultPoll, checks in validate naming the key).
type Poll struct{}

func defaultPoll() Poll { return Poll{} }

func (s *Poll) validate() error { return nil }
