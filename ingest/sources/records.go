package sources

import (
	"encoding/json"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// Records reads records that already follow the message contract: JSON
// lines (one record per line), a JSON array of records, or one record. Each
// is decoded and validated with feedback.Decode, so a bad line is reported
// with the contract's reason and field. A record whose metadata.author_role
// names someone other than a customer (agent, bot, staff, maintainer, ...)
// is skipped with ErrNotCustomer unless Options.IncludeStaff.
type Records struct {
	// MaxBodyBytes is the body limit records are validated against, the
	// publisher's; feedback.DefaultMaxBodyBytes when 0.
	MaxBodyBytes int
}

var _ Mapper = Records{}

// Name implements Mapper.
func (Records) Name() string { return "jsonl" }

// Map implements Mapper.
func (rs Records) Map(data []byte, opts Options) ([]Item, error) {
	return mapDocuments(data, func(raw json.RawMessage, pos Position) ([]Item, error) {
		els, isArray, err := elements(raw)
		if err != nil {
			return nil, err
		}
		items := make([]Item, 0, len(els))
		for i, el := range els {
			p := withPath(pos, indexPath("", i, isArray))
			r, err := feedback.Decode(el, rs.MaxBodyBytes)
			if err != nil {
				items = append(items, failed(p, err))
				continue
			}
			items = append(items, opts.judge(Item{Pos: p, Record: r}))
		}
		return items, nil
	})
}
