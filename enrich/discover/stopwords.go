package discover

import "strings"

// stopword holds common English words that say nothing about a theme.
// Every text is read without them, whatever its language: feedback in
// another language quotes English product words and phrases often enough.
var stopword = wordSet(
	// Greetings and sign-offs ("hello", "regards") come last: they open and
	// close tickets on every subject.
	`a about above after again against all also am an and any app are arent as at
be because been before being below between both but by can cant could couldnt did didnt do does doesnt doing dont
down during each even ever every few for from further get gets getting got had hadnt has hasnt have havent having he
her here hers him his how however i id if ill im in into is isnt it its itself ive just keep know let like lot make
many me more most much must my myself need no nor not now of off on once one only or other our ours out over own
please pretty really same see she should so some still such than thank thanks that thats the their them then there
these they thing things think this those though through to too under until up use used using very want was wasnt way
we well were werent what when where which while who why will with wont would wouldnt yes yet you youre your yours
hello hey dear regards cheers sincerely`)

// stopwordsOf holds, for the languages whose feedback is common enough to
// be worth it, their words that say nothing about a theme (articles,
// pronouns, auxiliaries, greetings and sign-offs) together with the
// English ones. Words under three letters are dropped anyway and are not
// listed. A text is read without its own language's words only when its
// record says which language it is in: German "die" and "war" are English
// words too.
var stopwordsOf = map[string]map[string]bool{
	"de": withEnglish(`der die das den dem des ein eine einen einem einer eines und oder aber ist sind war waren wird
werden wurde wurden hat haben habe hatte hatten ich sie wir ihr ihre ihren ihrem ihrer mich mir uns euch nicht kein
keine keinen keiner mit von zum zur auf für aus nach wie wenn dass auch noch nur schon sehr dann doch mal man sich
bitte danke hallo vielen gruß grüße gruss grüsse freundlichen liebe lieber kann können konnte muss müssen soll sollte
will wollen immer wieder jetzt mehr beim seit bis durch gegen ohne über unter vor hier dort diese dieser dieses
diesem diesen alle alles etwas einfach leider gibt geht gerne ganz was wer warum weil denn sein seine seiner unser
unsere unseren unserer mein meine meinen meinem meiner dein deine euer also bei`),
	"es": withEnglish(`los las del una uno unos unas que por para con sin sobre entre hasta desde pero más muy está
están esta este esto estos estas ese esa eso son era fue ser hay han has hemos tiene tienen tengo como cuando donde
qué porque pues también todo todos toda todas nada algo mucho poco nos les mis tus sus nuestro nuestra hola gracias
saludos favor buenas buenos días usted ustedes ellos ellas ella puedo puede pueden hacer cada otro otra otros cual
cuál sólo solo aún siempre nunca bien mal así`),
	"fr": withEnglish(`les des une que qui pour par avec sans dans sur sous est sont était été être avoir ont avons
mais plus très pas aussi comme quand tout tous toute toutes rien bien cette ces cet mon mes ton tes son ses notre
nos votre vos leur leurs nous vous ils elles elle lui moi toi peut peux pouvez faire fait encore déjà bonjour
merci cordialement salut madame monsieur svp depuis chez aux entre alors donc car même ici`),
	"pt": withEnglish(`não que com para por uma uns umas dos das nos nas pelo pela mas mais muito também está estão
esse essa isso este esta isto ser foi era são tem têm tenho como quando onde porque todo todos toda todas nada algo
seu sua seus suas meu minha nosso nossa você vocês ele ela eles elas olá obrigado obrigada favor bom boa dia
sempre nunca ainda pode posso podem fazer`),
	"it": withEnglish(`che con per non una uno del della dei delle degli dal dalla nel nella nei sul sulla sono era
stato essere avere hanno abbiamo come quando dove perché tutto tutti tutta tutte niente qualcosa molto poco anche
ancora già questo questa questi queste quello quella mio mia miei tuo tua suo sua nostro nostra vostro loro noi voi
lui lei ciao grazie saluti cordiali buongiorno posso può possono fare sempre mai solo più`),
	"nl": withEnglish(`het een van voor met niet maar ook als bij naar zijn was waren wordt worden heeft hebben heb
kan kunnen moet moeten wil willen dat deze die dit wat wie waar waarom omdat wanneer nog wel geen meer heel erg zeer
hier daar ons onze mijn jullie hun hallo dank bedankt groeten vriendelijke graag alstublieft aan uit over door tot`),
}

// elides lists the languages that write an article or pronoun into the
// next word with an apostrophe ("l'export", "dell'app"): their texts are
// split there, where English joins "can't" into one word.
var elides = map[string]bool{"fr": true, "it": true}

// stopwordsFor returns the words a text in language (a primary subtag
// such as "de"; "" when unknown) is read without.
func stopwordsFor(language string) map[string]bool {
	if m, ok := stopwordsOf[language]; ok {
		return m
	}
	return stopword
}

func wordSet(list string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(list) {
		m[w] = true
	}
	return m
}

func withEnglish(list string) map[string]bool {
	m := wordSet(list)
	for w := range stopword {
		m[w] = true
	}
	return m
}
