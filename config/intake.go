package config

// Intake is the intake section. Its owner fills it in; keys follow the
// conventions of the other sections (snake_case yaml tags, secret:"true"
// on secrets, defaults in defaultIntake, checks in validate naming the key).
type Intake struct{}

func defaultIntake() Intake { return Intake{} }

func (s *Intake) validate() error { return nil }
