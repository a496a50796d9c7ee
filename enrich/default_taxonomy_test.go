package enrich_test

import (
	"slices"
	"testing"

	"github.com/feedbackloop/feedbackloop/enrich"
)

// Realistic SaaS feedback, one sentence each, and every theme the bundled
// taxonomy should give it, ancestors included. nil means no theme: small
// talk and praise with no topic are a legitimate "no theme".
func TestDefaultTaxonomyTagsRealisticFeedback(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"I was charged twice for the May renewal and nobody has answered my refund request.", []string{"billing", "refunds", "subscription-changes"}},
		{"Can you send the invoice again with our VAT ID on it? Finance will not pay without it.", []string{"billing", "invoices"}},
		{"My card keeps getting declined when I try to update the payment method.", []string{"billing", "payment-methods"}},
		{"We'd like to switch to the annual plan, how do we do that?", []string{"billing", "subscription-changes"}},
		{"Honestly the per-seat pricing is way too expensive for a team of our size.", []string{"pricing"}},
		{"You raised the price by 30% at renewal without any warning.", []string{"billing", "price-increases", "pricing", "subscription-changes"}},
		{"SSO is locked behind the enterprise plan, which we can't justify.", []string{"authentication", "plan-limits", "pricing", "security-privacy", "sso"}},
		{"Every page takes forever to load, even on a fast office connection.", []string{"load-times", "performance"}},
		{"The activity feed takes 35 seconds to load every morning.", []string{"load-times", "performance"}},
		{"The desktop app eats 3 GB of memory after an hour and the fans never stop.", []string{"performance", "resource-usage"}},
		{"The whole site was down for two hours this morning and the status page showed green.", []string{"outages", "reliability"}},
		{"Saving a draft shows 'Something went wrong' and the changes are gone.", []string{"errors", "reliability"}},
		{"The iPhone app crashes as soon as I open a project with photos.", []string{"crashes", "ios", "mobile", "reliability"}},
		{"Half of yesterday's notes disappeared after the update.", []string{"data-loss", "reliability"}},
		{"Our CRM contacts are out of sync again, the same records show up twice.", []string{"reliability", "sync-failures"}},
		{"The first week was rough: the setup wizard skipped the import of our old tickets.", []string{"onboarding", "setup-and-migration"}},
		{"Getting started was confusing, there are too many options and no tutorial.", []string{"learning-curve", "onboarding", "ui-ux"}},
		{"The verification email never arrived so I couldn't finish signing up.", []string{"onboarding", "signup"}},
		{"Please add a Slack integration so alerts land in our ops channel.", []string{"feature-requests", "integrations", "notifications", "slack"}},
		{"The Salesforce sync fails every night with a timeout error.", []string{"errors", "integrations", "reliability", "salesforce", "sync-failures"}},
		{"Your REST API returns 429 even though we are well under the rate limit.", []string{"api", "integrations"}},
		{"The webhook payload is missing the customer id.", []string{"integrations", "webhooks"}},
		{"The new UI is cluttered and I can't find the settings anymore.", []string{"navigation", "ui-ux", "visual-design"}},
		{"Please support screen readers, our blind colleagues cannot use the toolbar.", []string{"accessibility", "ui-ux"}},
		{"Is there a dark mode? My eyes hurt in the evening.", []string{"dark-mode", "ui-ux"}},
		{"Exporting to CSV cuts off everything after the first thousand rows.", []string{"csv-export", "data-export"}},
		{"We need a way to download all our data before the contract ends.", []string{"data-export"}},
		{"The Android app drains my battery overnight.", []string{"android", "mobile", "performance", "resource-usage"}},
		{"The mobile version is unusable on a small screen.", []string{"mobile"}},
		{"We must have SAML single sign-on with Okta before security will approve you.", []string{"authentication", "security-privacy", "sso"}},
		{"I keep getting logged out and have to reset my password every week.", []string{"authentication", "security-privacy"}},
		{"Do you have a SOC 2 report and a signed DPA for GDPR?", []string{"compliance", "security-privacy"}},
		{"Guests can see every project, we need proper permissions and roles.", []string{"collaboration", "permissions", "security-privacy"}},
		{"The API docs don't say which fields are required.", []string{"api-docs", "documentation"}},
		{"The help center article about importing is out of date.", []string{"documentation", "help-center", "onboarding", "setup-and-migration"}},
		{"Support took five days to reply and the agent was rude.", []string{"agent-quality", "response-time", "support-experience"}},
		{"Maria from support was incredibly helpful and solved my problem in minutes.", []string{"agent-quality", "support-experience"}},
		{"Thanks, that answered my question.", []string{"agent-quality", "support-experience"}},
		{"It would be great to schedule reports to go out every Monday.", []string{"data-export", "feature-requests", "scheduled-exports"}},
		{"Any plans to add a calendar view? Is it on the roadmap?", []string{"feature-requests", "roadmap"}},
		{"I get far too many email notifications, please let me mute threads.", []string{"notifications"}},
		{"Search never finds records by their title.", []string{"search"}},
		{"The dashboard charts don't match the numbers in the export.", []string{"data-export", "reporting-analytics"}},
		{"Great product, the team loves it.", nil},
		{"Looking forward to next week's call.", nil},
		{"Hello, just checking in.", nil},
	}
	tagger := enrich.NewKeywordTagger(enrich.DefaultTaxonomy())
	for _, tc := range cases {
		it := tag(t, tagger, "", tc.text)
		if got, want := sorted(themeNames(it)), sorted(tc.want); !slices.Equal(got, want) {
			t.Errorf("%q\n got %q\nwant %q", tc.text, got, want)
		}
	}
}
