package sample

// The text below was written for this generator. Sentences are short on
// purpose: a record is assembled from an opener, one or two theme
// sentences, a detail and a closing, so a few dozen lines give thousands of
// distinct, plausible records.

// themeText is what customers say about one theme of the bundled taxonomy.
type themeText struct {
	theme  string   // a theme name of enrich's default taxonomy
	weight float64  // relative share of feedback about it
	titles []string // ticket and forum titles
	says   []string // complaint or request sentences; {page}, {n}, {weekday} are filled in
	// plans multiplies weight for accounts on these plans: who raises a
	// theme depends on who they are, which is what makes accounts and ARR
	// per theme worth looking at.
	plans map[string]float64
}

var catalog = []themeText{
	{theme: "sync-failures", weight: 5,
		titles: []string{"Calendar out of sync", "Sync failed overnight", "Records not syncing", "Duplicated records after sync"},
		says: []string{
			"Since the last update our calendar is out of sync with the web app.",
			"The nightly sync failed again and half of the contacts are missing.",
			"Tasks created on the phone are not syncing to the web app for hours.",
			"We keep getting sync conflicts and duplicate records after every sync run.",
			"The sync error says the remote changed, but nobody touched it.",
			"Projects stopped syncing between our two teams on {weekday}.",
		}},
	{theme: "csv-export", weight: 6,
		titles: []string{"CSV export times out", "Excel export broken", "Export to spreadsheet is truncated", "CSV columns shifted"},
		says: []string{
			"The CSV export of the {page} never finishes for more than {n} rows.",
			"Exporting to Excel cuts the file off halfway through.",
			"Our finance team needs a spreadsheet every Monday and the CSV comes out with shifted columns.",
			"Accented names are garbled when I open the CSV export in Excel.",
			"The export to xlsx drops every custom field we added.",
		}},
	{theme: "load-times", weight: 7,
		titles: []string{"Pages slow to load", "Stuck on the loading screen", "Load times doubled", "Spinner forever"},
		says: []string{
			"The {page} takes {n} seconds to load every single morning.",
			"Load times have roughly doubled since last month.",
			"I stare at the spinner for ages before the {page} shows anything.",
			"The app is stuck loading whenever more than two of us are online.",
			"Page load on the {page} is painfully slow on a normal office connection.",
		}},
	{theme: "invoices", weight: 4, plans: map[string]float64{"free": 0.2, "enterprise": 1.8},
		titles: []string{"Wrong VAT number on invoice", "Missing receipts", "Invoice address incorrect", "Need a PO number on invoices"},
		says: []string{
			"Our invoice still shows the old billing address after we changed it twice.",
			"Accounting needs the VAT number printed on every invoice and it is missing.",
			"I cannot download receipts for the last {n} months.",
			"Please let us add a purchase order number to the invoices.",
		}},
	{theme: "price-increases", weight: 3, plans: map[string]float64{"free": 0.3, "starter": 2, "pro": 1.5},
		titles: []string{"Price increase is steep", "New pricing hurts small teams", "Renewal price went up"},
		says: []string{
			"The new pricing is a big jump for a team of our size.",
			"Our renewal came in with a price increase of almost forty percent.",
			"Prices went up again and nothing new was added for us.",
			"We were told we would be grandfathered, but the price hike applied anyway.",
		}},
	{theme: "plan-limits", weight: 4, plans: map[string]float64{"free": 3, "starter": 2, "enterprise": 0.2},
		titles: []string{"Seat limit too low", "Storage limit reached", "Feature locked behind higher tier"},
		says: []string{
			"We hit the seat limit on our plan after hiring {n} people.",
			"Audit logs are locked behind a higher tier, which is hard to justify.",
			"The storage limit on our plan fills up in a couple of weeks.",
			"Basic automation is only available on the enterprise plan.",
		}},
	{theme: "slack", weight: 3,
		titles: []string{"Slack notifications stopped", "Slack app disconnects", "Post updates to a Slack channel"},
		says: []string{
			"The Slack app disconnects every few days and we only notice later.",
			"Updates no longer arrive in our Slack channel since {weekday}.",
			"We would love to reply to comments straight from Slack.",
		}},
	{theme: "authentication", weight: 4, plans: map[string]float64{"enterprise": 2.5},
		titles: []string{"Logged out constantly", "Password reset email never arrives", "SSO login loop"},
		says: []string{
			"The app logs me out several times a day.",
			"The password reset email never arrives, so two colleagues are locked out.",
			"Signing in with our company SSO sends us in a login loop.",
			"The session expires while I am in the middle of writing a long note.",
		}},
	{theme: "navigation", weight: 3,
		titles: []string{"Settings are hard to find", "Too many clicks", "Sidebar confusing"},
		says: []string{
			"Settings are buried three levels deep and hard to find.",
			"It takes too many clicks to get from a project to its reports.",
			"The new sidebar moved everything and I cannot find the archive.",
		}},
	{theme: "ios", weight: 2,
		titles: []string{"iPhone app crashes on launch", "iPad layout broken"},
		says: []string{
			"The iPhone app closes itself as soon as I open a project.",
			"On the iPad the editor is cut off at the right edge.",
			"The iOS widget shows yesterday's numbers.",
		}},
	{theme: "android", weight: 2,
		titles: []string{"Android app drains battery", "Android build missing features"},
		says: []string{
			"The Android app drains my battery even when I do not use it.",
			"Half the features of the web app are missing on Android.",
		}},
	{theme: "response-time", weight: 3, plans: map[string]float64{"free": 0.3, "enterprise": 2},
		titles: []string{"No reply to my ticket", "Support slow to respond"},
		says: []string{
			"I opened a ticket {n} days ago and still have no reply.",
			"Support used to reply within an hour; now it took days to respond.",
			"We are on the business plan and the first response took longer than the SLA.",
		}},
	{theme: "setup-and-migration", weight: 3, plans: map[string]float64{"free": 1.5, "starter": 1.5, "enterprise": 0.5},
		titles: []string{"Import from our old tool failed", "Setup wizard confusing", "Migration help needed"},
		says: []string{
			"Importing our projects from the old tool failed at eighty percent.",
			"The setup wizard skips the step where we map our custom fields.",
			"We are switching from a competitor and need help to migrate {n} projects.",
		}},
	{theme: "reporting-analytics", weight: 4, plans: map[string]float64{"free": 0.4, "pro": 1.5, "enterprise": 1.8},
		titles: []string{"Need custom reports", "Charts are wrong", "Weekly report request"},
		says: []string{
			"We need custom reports that group time by client and by month.",
			"The charts on the analytics page do not match the numbers in the table.",
			"A weekly report by email would save our managers a lot of time.",
		}},
	{theme: "notifications", weight: 3,
		titles: []string{"Too many emails", "Missing notifications", "Daily digest request"},
		says: []string{
			"We get far too many email notifications for tiny changes.",
			"I never get notified when someone mentions me in a comment.",
			"A daily digest instead of one alert per change would be much better.",
		}},
	{theme: "permissions", weight: 2, plans: map[string]float64{"free": 0.2, "enterprise": 3},
		titles: []string{"Need read-only role", "Guests see too much"},
		says: []string{
			"We need a read only role for our external accountants.",
			"Guest access shows clients every internal comment.",
			"Only admins should be able to delete projects; right now any role can.",
		}},
	{theme: "outages", weight: 2,
		titles: []string{"Site down again", "Service unavailable this morning"},
		says: []string{
			"The site was down for an hour on {weekday} and the status page said nothing.",
			"We got service unavailable errors during our busiest hour.",
		}},
	{theme: "search", weight: 3,
		titles: []string{"Search misses results", "Need saved filters"},
		says: []string{
			"Search does not find tasks by their comments, only by title.",
			"Please add saved filters so we do not rebuild the same view every day.",
			"The search results ignore the project I am in.",
		}},
	{theme: "dark-mode", weight: 1, plans: map[string]float64{"free": 2},
		titles: []string{"Dark mode please"},
		says: []string{
			"A dark mode would be easier on the eyes during late shifts.",
			"Please add a dark theme to the desktop app.",
		}},
}

// praise is said without any theme: it keeps a realistic share of
// untagged feedback in the sample.
var praise = []string{
	"Overall we are happy with the product and the team loves it.",
	"Keep up the good work, it has made our week much calmer.",
	"Honestly one of the better tools we use every day.",
	"Thanks for listening to customers, it shows.",
}

// pages are places in the product customers name.
var pages = []string{"projects page", "timesheet view", "client overview", "team calendar", "activity feed", "board view"}

var weekdays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}

var openers = map[string][]string{
	"ticket":    {"Hi team,", "Hello,", "Hi there,", "Good morning,", ""},
	"chat":      {"hey", "hi!", "quick question:", "hello again,", ""},
	"forum":     {"Has anyone else seen this?", "Posting here in case others have the same problem.", "Long-time user here.", ""},
	"interview": {"We asked about their week.", "We asked what slows the team down.", "We talked through their last month.", "We asked about daily use."},
	"review":    {"Pros: easy to start with. Cons:", "We have used it for a year.", "Solid tool with some rough edges.", ""},
	"survey":    {"", "Main reason for my score:", "If I could change one thing:"},
}

var details = []string{
	"This happens on Chrome and Firefox alike.",
	"It affects everyone in our team.",
	"We reported this before but it came back.",
	"It blocks our month-end close.",
	"Our customers have started to notice.",
	"We lose about an hour a week to it.",
	"",
	"",
}

var closings = map[string][]string{
	"ticket":    {"Thanks, {first}", "Best regards, {first}", "Any update would help.", "Please advise."},
	"chat":      {"thx", "can you check?", "", "let me know"},
	"forum":     {"Any workaround?", "Would love to hear from the team.", "+1 if you have the same.", ""},
	"interview": {"{first} said this comes up in every team meeting.", "{first} called it the main reason they would look elsewhere.", "{first} added that they still recommend us to peers."},
	"review":    {"Would still recommend.", "Hoping this improves.", "Three stars until it is fixed.", ""},
	"survey":    {"", "Otherwise fine."},
}

var firstNames = []string{"Ana", "Ben", "Chloe", "Dev", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kira", "Luis", "Mei", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Viktor", "Wen", "Yara", "Zoe"}

var lastNames = []string{"Adler", "Banerjee", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quintero", "Rossi", "Silva", "Tanaka"}

var companyFirst = []string{"Amber", "Birch", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Indigo", "Juniper", "Kestrel", "Lumen", "Maple", "Nimbus", "Orchid", "Pioneer", "Quarry", "Riverbend", "Summit", "Tidal", "Upland", "Vantage", "Willow", "Yarrow", "Zephyr"}

var companyRegion = []string{"Europe", "Americas", "Asia", "Nordics", "Iberia", "Benelux", "Canada", "Australia"}

var companySecond = []string{"Labs", "Logistics", "Health", "Foods", "Studio", "Analytics", "Retail", "Capital", "Robotics", "Media", "Systems", "Travel"}
