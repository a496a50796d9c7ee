package poll

// Reported is how many posts without an id a Discourse source remembers
// having reported.
func Reported(src Source) int { return len(src.(*Discourse).reported) }
