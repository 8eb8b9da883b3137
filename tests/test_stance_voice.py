"""Whose voice is the text's own: an organisation's statement, an open letter's signatories, an interviewee; and the
neutral-news test every such cue must pass (a report of the same words stays neutral). Texts written for these
tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from stance.classify import classify
from stance.model import FLAG_INTERVIEW, FLAG_STATEMENT, StanceResult
from stance.rules import RuleSet, load_ruleset

RULES = Path(__file__).resolve().parent.parent / "topics" / "amnesty-2015.toml"


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_ruleset(RULES)


def run(ruleset: RuleSet, title: str, text: str, language: str = "en") -> StanceResult:
    return classify(ruleset, title=title, text=text, language=language)


RELEASE = """PRESS RELEASE

London, 12 August 2015 - The Harbour Sex Workers' Alliance today responded to the vote at Amnesty International's \
International Council Meeting in Dublin on a policy to decriminalise sex work.

"This is a historic victory for human rights and for every sex worker who has been arrested for trying to stay \
safe," said Jane Doe, the Alliance's coordinator.

"Criminalisation pushes us into the shadows and keeps us from reporting violence to the police," she added.

Media contact: press@alliance.example, +44 20 0000 0000"""

REPORT = """The Harbour Sex Workers' Alliance and the Coalition for Women's Equality reacted sharply on Wednesday to \
the vote at Amnesty International's council meeting in Dublin on a policy to decriminalise sex work.

"This is a historic victory for human rights," said Jane Doe, the Alliance's coordinator.

"It is a betrayal of women and a gift to pimps," said Ann Roe of the Coalition, which is urging members to \
reverse the decision."""

LETTER = """Open letter to Amnesty International

Dear Secretary General,

We, the undersigned survivors of prostitution and women's organisations, write to you after the vote in Dublin on \
your proposed policy to decriminalise the sex trade.

Your resolution would decriminalise pimps and sex buyers. We urge Amnesty to reverse this decision. A policy that \
treats the purchase of women's bodies as a job is a betrayal of the women you claim to protect.

Amnesty says that "decriminalisation is the best way to protect sex workers". The experience of our members says \
otherwise.

Signed: 46 organisations"""

LETTER_NEWS = """More than forty women's organisations have signed an open letter urging Amnesty International to \
reverse the decision its council took in Dublin on a policy to decriminalise sex work, calling the vote a betrayal.

Amnesty said the policy was the best way to protect sex workers' human rights and that trafficking would remain a \
crime."""

INTERVIEW = """The epidemiologist Maria Lind has studied HIV among sex workers for twenty years. We asked her about \
Amnesty International's vote in Dublin to support a policy of decriminalisation.

Why did Amnesty vote this way?
I think they looked at the evidence. Every study I know shows that criminalisation drives sex work underground and \
puts workers at risk of violence and HIV.

Critics call it a gift to pimps. Is it?
No. It is a historic step for human rights. We finally have a human rights organisation that listens to sex \
workers themselves."""

EXPLAINER = """Amnesty International's council voted in Dublin on Tuesday for a policy to decriminalise sex work. \
Here is what the vote means.

What did Amnesty vote for?
The resolution asks its board to develop a policy supporting the decriminalisation of consensual adult sex work.

Who is against it?
Women's rights groups call it a betrayal of women and a gift to pimps. Supporters call it a historic victory for \
human rights."""


def test_a_press_release_speaks_through_its_quoted_officers(ruleset: RuleSet) -> None:
    result = run(ruleset, "Sex workers' alliance hails Amnesty vote", RELEASE)
    assert FLAG_STATEMENT in result.flags
    assert result.stance == "supportive"
    quoted_own = [e for e in result.evidence if e.kind != "relevance" and "historic" in e.matched.casefold()]
    assert quoted_own and all(e.voice == "own" for e in quoted_own)


def test_a_news_report_of_the_same_words_stays_neutral(ruleset: RuleSet) -> None:
    result = run(ruleset, "Amnesty vote divides campaigners", REPORT)
    assert FLAG_STATEMENT not in result.flags
    assert result.stance == "neutral"
    assert all(e.voice == "quoted" for e in result.evidence if e.kind == "stance")


def test_an_open_letter_is_its_signatories_voice_and_the_words_it_reports_are_not(ruleset: RuleSet) -> None:
    result = run(ruleset, "Open letter: reverse the Dublin decision", LETTER)
    assert FLAG_STATEMENT in result.flags
    assert result.stance == "opposed"
    amnesty_quote = [e for e in result.evidence if "best way" in e.matched.casefold()]
    assert amnesty_quote and all(e.voice == "quoted" for e in amnesty_quote)


def test_news_about_an_open_letter_stays_neutral(ruleset: RuleSet) -> None:
    result = run(ruleset, "Women's groups sign letter against Amnesty plan", LETTER_NEWS)
    assert FLAG_STATEMENT not in result.flags
    assert result.stance == "neutral"


def test_an_interviewee_speaks_for_the_interview_but_the_prompts_do_not(ruleset: RuleSet) -> None:
    result = run(ruleset, "'The evidence is clear': an epidemiologist on Amnesty's vote", INTERVIEW)
    assert FLAG_INTERVIEW in result.flags
    assert result.stance == "supportive"
    prompt = [e for e in result.evidence if "gift to pimps" in e.snippet]
    assert prompt and all(e.voice == "quoted" for e in prompt)


def test_an_explainers_questions_and_answers_stay_the_outlets_neutral_account(ruleset: RuleSet) -> None:
    result = run(ruleset, "Amnesty's sex work vote: questions and answers", EXPLAINER)
    assert FLAG_INTERVIEW not in result.flags and FLAG_STATEMENT not in result.flags
    assert result.stance == "neutral"


@pytest.mark.parametrize(
    ("language", "title", "text", "stance"),
    [
        pytest.param(
            "de",
            "Stellungnahme zum Beschluss von Amnesty International",
            "Wir begrüßen den Beschluss von Amnesty International in Dublin, die Sexarbeit zu entkriminalisieren. "
            "Das ist ein historischer Schritt für die Menschenrechte von Sexarbeiterinnen.",
            "supportive",
            id="de-statement",
        ),
        pytest.param(
            "en",
            "Amnesty must think again",
            "Amnesty International voted in Dublin for a policy to decriminalise the sex trade. We strongly urge "
            "Amnesty to reverse this decision, which is a betrayal of women.",
            "opposed",
            id="en-we-urge-is-own-voice",
        ),
    ],
)
def test_first_person_plural_is_the_texts_own_voice(
    ruleset: RuleSet, language: str, title: str, text: str, stance: str
) -> None:
    assert run(ruleset, title, text, language).stance == stance


@pytest.mark.parametrize(
    ("language", "title", "text", "stance"),
    [
        # Organisations' first-person verdicts count in their statements, not in news of them.
        pytest.param("en", "Statement on Amnesty's vote",
                     "STATEMENT\n\nWe deeply regret the vote of Amnesty International in Dublin to decriminalise the "
                     "sex trade, and we call on Amnesty to reverse it.", "opposed", id="en-statement"),
        pytest.param("en", "Women's council regrets Amnesty vote",
                     "\"We deeply regret the vote of Amnesty International in Dublin to decriminalise the sex trade,\" "
                     "the council's director said on Wednesday.", "neutral", id="en-news-of-it"),
        pytest.param("de", "Pressemitteilung",
                     "Pressemitteilung\n\nWir bedauern den Beschluss von Amnesty International in Dublin, den "
                     "Sexkauf zu entkriminalisieren.", "opposed", id="de-statement"),
        pytest.param("de", "Frauenrat bedauert Amnesty-Beschluss",
                     "„Wir bedauern den Beschluss von Amnesty International in Dublin, den Sexkauf zu "
                     "entkriminalisieren“, sagte die Sprecherin des Frauenrats.", "neutral", id="de-news-of-it"),
        pytest.param("fr", "Communiqué",
                     "Communiqué de presse\n\nNous nous félicitons de la décision d'Amnesty International à Dublin "
                     "de dépénaliser le travail du sexe.", "supportive", id="fr-statement"),
        pytest.param("es", "Comunicado",
                     "Comunicado\n\nLamentamos la decisión de Amnistía Internacional en Dublín de despenalizar la "
                     "prostitución.", "opposed", id="es-statement"),
        # A statement that names its issuer in the third person speaks for it; news of it stays neutral.
        pytest.param("de", "Pressemitteilung",
                     "PRESSEMITTEILUNG\n\nDas Bündnis Rote Laterne begrüßt den Beschluss von Amnesty International "
                     "in Dublin, sich für die Entkriminalisierung der Sexarbeit einzusetzen.", "supportive",
                     id="de-statement-names-itself"),
        pytest.param("de", "Amnesty-Beschluss spaltet Verbände",
                     "Das Bündnis Rote Laterne begrüßt den Beschluss von Amnesty International in Dublin, sich für "
                     "die Entkriminalisierung der Sexarbeit einzusetzen. Der Frauenring verurteilt den Beschluss "
                     "dagegen scharf.", "neutral", id="de-news-of-both-reactions"),
        pytest.param("de", "Bündnis begrüßt Amnesty-Beschluss",
                     "Das Bündnis Rote Laterne begrüßt den Beschluss von Amnesty International in Dublin, sich für "
                     "die Entkriminalisierung der Sexarbeit einzusetzen.", "neutral", id="de-news-of-one-reaction"),
        pytest.param("pt", "Nota à imprensa",
                     "NOTA À IMPRENSA\n\nO Coletivo Rosa saúda a decisão tomada em Dublin pela Anistia "
                     "Internacional de defender a descriminalização do trabalho sexual.", "supportive",
                     id="pt-statement-names-itself"),
        pytest.param("pt", "Coletivos reagem à decisão da Anistia",
                     "O Coletivo Rosa saúda a decisão tomada em Dublin pela Anistia Internacional de defender a "
                     "descriminalização do trabalho sexual. A Frente Abolicionista repudia a decisão.", "neutral",
                     id="pt-news-of-both-reactions"),
        pytest.param("en", "Statement",
                     "STATEMENT\n\nThe Women's Forum condemns the decision taken by Amnesty International in Dublin "
                     "to back the decriminalisation of the sex trade.", "opposed", id="en-statement-names-itself"),
        # Amnesty named before the words: the statement reports Amnesty's view, which is not the issuer's.
        pytest.param("en", "Statement",
                     "STATEMENT\n\nAmnesty International welcomes the decision of its own council in Dublin to "
                     "back the decriminalisation of sex work, its secretary general said.", "neutral",
                     id="en-statement-reports-amnesty"),
        # Calls to distance from the decision, or to stand behind it, count in letters, not in news of them.
        pytest.param("sv", "Öppet brev till Amnesty Sverige",
                     "Öppet brev\n\nVi är medlemmar i Amnesty sedan länge. Vi ber styrelsen att ta avstånd från "
                     "beslutet i Dublin om att avkriminalisera sexköp.", "opposed", id="sv-letter-asks-distance"),
        pytest.param("sv", "Medlemmar kräver besked av Amnesty",
                     "Ett hundratal medlemmar uppmanar Amnesty Sverige att ta avstånd från beslutet i Dublin om att "
                     "avkriminalisera sexköp, skriver de i ett brev.", "neutral", id="sv-news-of-the-request"),
        pytest.param("de", "Frauenverbände fordern Umkehr",
                     "Mehrere Frauenverbände haben Amnesty International aufgefordert, den Beschluss zur "
                     "Entkriminalisierung der Sexarbeit zurückzunehmen.", "neutral", id="de-news-of-the-request"),
        pytest.param("da", "Åbent brev: Vi står bag Amnestys beslutning",
                     "Åbent brev\n\nVi er socialrådgivere og sundhedspersonale. Vi står bag Amnestys beslutning i "
                     "Dublin om afkriminalisering af sexarbejde.", "supportive", id="da-letter-stands-behind"),
        # German dismissals, verdicts and headline reactions.
        # A short dismissal rebuts the critics as "But ..." does.
        pytest.param("de", "Kommentar",
                     "Amnesty hat in Dublin beschlossen, sich für die Entkriminalisierung der Sexarbeit einzusetzen. "
                     "Kritikerinnen sprechen von einem Geschenk an Zuhälter. Das ist nicht überzeugend.",
                     "supportive", id="de-dismissal-rebuts"),
        pytest.param("de", "Amnesty liegt richtig",
                     "Amnesty hat in Dublin beschlossen, sich für die Entkriminalisierung der Sexarbeit einzusetzen.",
                     "supportive", id="de-liegt-richtig"),
        # "zu Recht" (rightly) qualifies anything; it is not a verdict on the decision.
        pytest.param("de", "Amnesty und die Sexarbeit",
                     "Amnesty hat in Dublin beschlossen, sich für die Entkriminalisierung der Sexarbeit einzusetzen. "
                     "Die Empörung darüber wäre zu Recht gewaltig, sagen manche.", "neutral", id="de-zu-recht"),
        # A headline reporting a group's outrage is their reaction, not the outlet's.
        pytest.param("de", "Amnesty für Straffreiheit bei Sexarbeit – Frauenverbände empört",
                     "Amnesty International will sich für die Entkriminalisierung der Sexarbeit einsetzen, "
                     "beschloss der Rat in Dublin.", "neutral", id="de-headline-reaction"),
        # Side-taking and verdicts on the other side's case count in the author's words; the same words reported of
        # others (members quitting, abolitionists' indignation, a group on Amnesty's side) stay news.
        pytest.param("da", "Hvorfor jeg skiftede mening", "Jeg har læst Amnestys politik om sexarbejde fra Dublin. "
                     "Så ja, jeg er kommet over på Amnestys side i den her sag.", "supportive", id="da-on-amnestys-side"),
        pytest.param("ru", "Колонка", "Я прочитала решение Amnesty о секс-работе, принятое в Дублине. "
                     "Так что да, я на стороне Amnesty.", "supportive", id="ru-on-amnestys-side"),
        pytest.param("da", "Amnesty splitter Danmark", "Amnesty International stemte i Dublin for at afkriminalisere "
                     "sexarbejde. Sexarbejdernes forening siger, at de er på Amnestys side, mens kvindeorganisationer "
                     "kritiserer beslutningen.", "neutral", id="da-side-reported"),
        pytest.param("en", "Members quit Amnesty over sex work vote", "Amnesty International has lost members in "
                     "several countries since its vote in Dublin to back the decriminalisation of sex work, "
                     "local groups said. The organisation said it stood by the decision.", "neutral",
                     id="en-resignations-reported"),
        pytest.param("fr", "Prostitution : Amnesty vote pour la dépénalisation, les abolitionnistes s'indignent",
                     "Les délégués d'Amnesty International, réunis à Dublin, ont adopté une résolution en faveur de la "
                     "dépénalisation du travail du sexe. Les associations de travailleuses du sexe ont salué la "
                     "décision.", "neutral", id="fr-indignation-reported"),
        pytest.param("en", "Editorial: The vote in Dublin", "Amnesty International's policy on sex work asks states "
                     "to stop treating consenting adults as criminals. That is a position this newspaper can "
                     "support.", "supportive", id="en-position-we-can-support"),
        pytest.param("en", "Editorial: The vote in Dublin", "Amnesty International's policy on sex work asks states "
                     "to stop prosecuting buyers and managers. That is a position this newspaper cannot support.",
                     "opposed", id="en-position-we-cannot-support"),
        pytest.param("en", "Comment", "Amnesty's policy on sex work, adopted in Dublin, starts from the evidence. "
                     "The argument of the abolitionist campaign falls apart once you ask who the law protects.",
                     "supportive", id="en-opponents-case-fails"),
        # A passive report of an accusation is the accusers' word, not the author's ("Amnesty beskyldes for at svigte").
        pytest.param("da", "Modigt af Amnesty", "LEDER\n\nDelegerede i Dublin stemte for at arbejde for "
                     "afkriminalisering af sexarbejde. Amnesty beskyldes for at svigte ofrene for menneskehandel.",
                     "supportive", id="da-passive-accusation"),
        pytest.param("sv", "Amnesty röstade i Dublin", "Amnesty röstade i Dublin för att avkriminalisera sexarbete. "
                     "Beslutet beskrivs som ett svek av flera kvinnoorganisationer.", "neutral", id="sv-passive-report"),
        # Uncertainty is not a negated verdict, and a columnist who says so is decided at the news threshold.
        pytest.param("en", "Both camps in the Amnesty row", "Amnesty International voted in Dublin on sex work. I do "
                     "not know whether Amnesty is right. The evidence on the sex trade is thin.", "neutral",
                     id="en-does-not-know-whether"),
        # "Nein danke, Amnesty" is a refusal, not thanks.
        pytest.param("de", "Das Bordell Europas als Vorbild? Nein danke, Amnesty", "Amnesty International hat in "
                     "Dublin beschlossen, für die Entkriminalisierung der Sexarbeit zu werben.", "opposed",
                     id="de-nein-danke"),
        # A press release closes with "Ends": the issuing charity, named in the third person, speaks.
        pytest.param("en", "HIV charity backs Amnesty's policy", "Positive Futures Trust today welcomed the "
                     "publication of Amnesty International's policy on the human rights of sex workers.\n\nEnds",
                     "supportive", id="en-release-ends"),
        # Members leaving, reported in a headline, are news; the signatories leaving in their own letter are not.
        pytest.param("sv", "Medlemmar lämnar Amnesty efter beslutet om sexarbete", "Flera hundra medlemmar har "
                     "lämnat Amnesty sedan organisationen i Dublin röstade för att avkriminalisera sexarbete.",
                     "neutral", id="sv-members-leave-reported"),
        pytest.param("no", "Åpent brev: Derfor melder vi oss ut", "Etter vedtaket i Dublin om sexarbeid i Amnesty "
                     "har vi bestemt oss for å melde oss ut.", "opposed", id="no-we-leave"),
    ],
)  # fmt: skip
def test_whose_voice_counts(ruleset: RuleSet, language: str, title: str, text: str, stance: str) -> None:
    """The text's own voice decides: an organisation in its own text, not in news that reports it."""
    assert run(ruleset, title, text, language).stance == stance


def test_the_author_denying_the_critics_word_in_scare_quotes_is_the_authors_voice(ruleset: RuleSet) -> None:
    lead = "Amnesty International voted in Dublin for a policy to decriminalise sex work. "
    denied = run(ruleset, "", lead + 'So no, I don\'t think Amnesty has "abandoned women".')
    betrayal = [e for e in denied.evidence if e.rule_id == "en.opposed.betrayal"]
    assert betrayal and all(e.voice == "own" and e.kind == "negation" and e.weight > 0 for e in betrayal)
    # Reported, the same denial is the speaker's; unnegated, the quoted word is only mentioned.
    reported = run(ruleset, "", lead + 'She said she does not think Amnesty has "abandoned women".')
    mentioned = run(ruleset, "", lead + 'Critics say Amnesty has "abandoned women".')
    for result in (reported, mentioned):
        assert all(e.voice == "quoted" for e in result.evidence if e.rule_id == "en.opposed.betrayal")


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        pytest.param("fr", "Journal d'une travailleuse du sexe : le jour où Amnesty a voté",
                     "BLOG\n\nMardi soir, Amnesty International a voté à Dublin pour la dépénalisation du travail du "
                     "sexe. Je suis travailleuse du sexe depuis dix ans. Je n'ai jamais donné un centime à Amnesty. "
                     "Je crois que je vais commencer.", id="fr-blog"),
        pytest.param("en", "What the vote means to me",
                     "BLOG\n\nAmnesty International voted in Dublin to back the decriminalisation of sex work. I have "
                     "done sex work for nine years. Yesterday I cried on the bus.", id="en-blog"),
    ],
)  # fmt: skip
def test_a_sex_workers_own_blog_leans_supportive(ruleset: RuleSet, language: str, title: str, text: str) -> None:
    result = run(ruleset, title, text, language)
    assert result.stance == "supportive"
    assert any(e.rule_id.endswith("sex-worker-voice") and e.voice == "own" for e in result.evidence)


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        pytest.param("This morning I cancelled the standing order I set up in 1992.", "opposed", id="cancelled"),
        pytest.param("I renewed my membership this week.", "supportive", id="renewed"),
        # Others' departures, reported, are not the writer's.
        pytest.param("Several of your correspondents have announced that they are leaving Amnesty.", "neutral",
                     id="reported-departures"),
    ],
)  # fmt: skip
def test_a_letter_writers_own_membership_is_their_verdict(ruleset: RuleSet, text: str, stance: str) -> None:
    lead = "Sir, - I read your report on Amnesty International's vote in Dublin on sex work. "
    assert run(ruleset, "Letters", lead + text).stance == stance
