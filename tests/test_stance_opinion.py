"""News vs opinion, side claims and concessive rebuttals (docs/rules.md, "Claims, opinion and rebuttals").

Every text here was written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stance.classify import _concession, _labelled_opinion, _opinion_marks, _rebuttal, classify
from stance.document import Document
from stance.errors import RuleFileError
from stance.rules import RuleSet, load_ruleset

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "topics" / "amnesty-2015.toml"

NEWS = (
    "Amnesty International voted in Dublin on Tuesday to back a policy on sex work. "
    "Supporters of the resolution said criminal laws push the trade underground and put sex workers at risk. "
    "Critics said demand fuels trafficking and that the Nordic model works. "
    "The final policy is due next year."
)
OPINION_SUPPORT = (
    "Amnesty's vote on sex work was the humane choice. "
    "We have watched police raids drive women away from help. "
    "Critics say the resolution is a gift to traffickers. But criminal laws endanger the very women we want to "
    "protect, and we should listen to sex workers. "
    "Why would anyone prefer a law that keeps them afraid of the police?"
)
OPINION_OPPOSE = (
    "Amnesty's resolution on sex work will fail the women it names. "
    "I spent ten years in the trade; I know that demand fuels trafficking. "
    "Supporters say decriminalisation brings safety. Yet the buyers and pimps profit most, and we must not "
    "pretend otherwise. "
    "Why should women carry the cost of this experiment? "
    "Governments should resist this policy and protect women's equality."
)


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_ruleset(RULES)


def _marks(ruleset: RuleSet, text: str) -> int:
    rules = ruleset.rules_for("en")
    assert rules is not None
    return _opinion_marks(Document.prepare("", text, ruleset.word_keys), rules)


def test_news_report_has_few_opinion_marks_and_stays_neutral(ruleset: RuleSet) -> None:
    assert _marks(ruleset, NEWS) < ruleset.scoring.opinion_min  # type: ignore[union-attr]
    result = classify(ruleset, title="Amnesty votes on sex work policy", text=NEWS, language="en")
    assert result.stance == "neutral"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(OPINION_SUPPORT, "supportive", id="supportive-opinion"),
        pytest.param(OPINION_OPPOSE, "opposed", id="opposed-opinion"),
    ],
)
def test_opinion_piece_claims_decide(ruleset: RuleSet, text: str, expected: str) -> None:
    assert _marks(ruleset, text) >= ruleset.scoring.opinion_min  # type: ignore[union-attr]
    result = classify(ruleset, title="On Amnesty's vote", text=text, language="en")
    assert result.stance == expected
    assert any(e.kind in ("claim", "stance") and e.voice == "own" for e in result.evidence)


def test_claim_counts_less_in_news(ruleset: RuleSet) -> None:
    text = "Amnesty International adopted the policy on sex work in Dublin. Criminal laws endanger sex workers."
    result = classify(ruleset, title="Amnesty policy", text=text, language="en")
    claims = [e for e in result.evidence if e.kind == "claim"]
    assert claims and all(abs(e.weight) < 1.0 for e in claims)


@pytest.mark.parametrize(
    ("language", "sentence", "expected"),
    [
        pytest.param("en", "But the law endangers them.", True, id="en-but"),
        pytest.param("de", "Doch das Verbot schadet.", True, id="de-doch"),
        pytest.param("fr", "Mais la loi les expose.", True, id="fr-mais"),
        pytest.param("es", "Pero la ley las expone.", True, id="es-pero"),
        pytest.param("sv", "Men lagen skadar dem.", True, id="sv-men"),
        pytest.param("en", "Butter prices rose.", False, id="en-no-word-prefix"),
        pytest.param("sv", "Mentorer hjälper.", False, id="sv-no-word-prefix"),
    ],
)
def test_rebuttal_opens_with_an_adversative(ruleset: RuleSet, language: str, sentence: str, expected: bool) -> None:
    rules = ruleset.rules_for(language)
    assert rules is not None
    doc = Document.prepare("", sentence, ruleset.word_keys)
    assert _rebuttal(doc, rules, 0) is expected


def test_rebuttal_sentence_weighs_more(ruleset: RuleSet) -> None:
    plain = "Amnesty adopted its sex work policy in Dublin. The vote was a humane decision."
    rebutted = "Amnesty adopted its sex work policy in Dublin. But the vote was a humane decision."
    weights = []
    for text in (plain, rebutted):
        result = classify(ruleset, title="", text=text, language="en")
        verdicts = ("en.supportive.verdict-positive", "en.supportive.predicative-positive")
        weights.append(max(e.weight for e in result.evidence if e.rule_id in verdicts))
    assert weights[1] == pytest.approx(weights[0] * ruleset.scoring.rebuttal_factor)  # type: ignore[union-attr]


def test_new_scoring_keys_are_validated(tmp_path: Path) -> None:
    text = RULES.read_text(encoding="utf-8").replace("rebuttal_factor = 1.5", "rebuttal_factor = 9", 1)
    path = tmp_path / "x.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"scoring\.rebuttal_factor"):
        load_ruleset(path)


def test_paragraph_opening_questions_are_layout_not_rhetoric(ruleset: RuleSet) -> None:
    explainer = (
        "What did Amnesty decide? Delegates adopted a resolution on sex work.\n"
        "What happens next? The board drafts the policy.\n"
        "Who objects? Several women's groups."
    )
    rhetorical = (
        "Amnesty decided on sex work. Who could object to safety?\n"
        "The board drafts the policy. Is that so radical?\n"
        "Several groups objected. Why would they?"
    )
    assert _marks(ruleset, explainer) == 0
    assert _marks(ruleset, rhetorical) == 3


def test_opinion_threshold_is_lower_than_news(ruleset: RuleSet) -> None:
    scoring = ruleset.scoring
    assert scoring is not None
    assert 0 < scoring.opinion_threshold < scoring.threshold


def _verdict_weights(ruleset: RuleSet, text: str, rule_id: str, language: str = "en") -> list[float]:
    """Own-voice weights of a verdict rule (or of the predicative verdict that may win the same words)."""
    result = classify(ruleset, title="", text=text, language=language)
    ids = {rule_id, rule_id.rsplit(".", 1)[0] + ".predicative-positive"}
    return [e.weight for e in result.evidence if e.rule_id in ids and e.voice == "own"]


def test_a_concession_counts_less_than_a_plain_verdict(ruleset: RuleSet) -> None:
    scoring = ruleset.scoring
    assert scoring is not None and scoring.concession_factor < 1
    lead = "Amnesty adopted its sex work policy in Dublin. "
    plain = _verdict_weights(ruleset, lead + "The vote was a humane decision.", "en.supportive.verdict-positive")
    granted = _verdict_weights(
        ruleset, lead + "Of course the vote was a humane decision.", "en.supportive.verdict-positive"
    )
    assert plain and granted
    assert granted[0] == pytest.approx(plain[0] * scoring.concession_factor)


def test_the_words_after_a_concessions_turn_are_a_rebuttal(ruleset: RuleSet) -> None:
    scoring = ruleset.scoring
    assert scoring is not None
    lead = "Amnesty adopted its sex work policy in Dublin. "
    plain = _verdict_weights(ruleset, lead + "The vote was a humane decision.", "en.supportive.verdict-positive")
    turned = _verdict_weights(
        ruleset,
        lead + "Of course some readers will be uneasy, but the vote was a humane decision.",
        "en.supportive.verdict-positive",
    )
    assert turned[0] == pytest.approx(plain[0] * scoring.rebuttal_factor)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        pytest.param("de", "Amnesty hat in Dublin beschlossen. Zwar war der Beschluss ein Fehler, aber egal.", id="de"),
        pytest.param("sv", "Amnesty fattade beslutet i Dublin. Visserligen var beslutet ett svek, men ändå.", id="sv"),
    ],
)
def test_concessions_in_other_languages(ruleset: RuleSet, language: str, text: str) -> None:
    rules = ruleset.rules_for(language)
    assert rules is not None
    doc = Document.prepare("", text, ruleset.word_keys)
    from stance.classify import _concession

    granted_until = _concession(doc, rules, 1)
    assert granted_until is not None
    assert doc.original[granted_until:].startswith(("aber", "men"))
    assert _concession(doc, rules, 0) is None


@pytest.mark.parametrize(
    ("sentence", "reported"),
    [
        pytest.param("The organisation should withdraw that demand.", False, id="noun-demand"),
        pytest.param("A policy that protected women would have said so.", False, id="counterfactual"),
        pytest.param("Needless to say, the vote was a mistake.", False, id="set-phrase"),
        pytest.param("Campaigners demand that Amnesty withdraw the policy.", True, id="verb-demand"),
        pytest.param("The vote was a mistake, critics said.", True, id="said"),
    ],
)
def test_attribution_cues_that_report_nobody(ruleset: RuleSet, sentence: str, reported: bool) -> None:
    rules = ruleset.rules_for("en")
    doc = Document.prepare("", sentence, ruleset.word_keys)
    assert doc.attributed(doc.sentences[0], rules) is reported


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        pytest.param(
            "en", "Amnesty's vote on sex work in Dublin was hard but right.", "supportive", id="en-hard-but-right"
        ),
        pytest.param(
            "en", "Amnesty's vote on sex work in Dublin was well meant but wrong.", "opposed", id="en-well-meant"
        ),
        pytest.param(
            "de", "Der Beschluss von Amnesty zur Sexarbeit ist bitter, aber konsequent.", "supportive", id="de-bitter"
        ),
        pytest.param(
            "es",
            "La decisión de Amnistía sobre el trabajo sexual es bienintencionada pero equivocada.",
            "opposed",
            id="es",
        ),
    ],
)
def test_a_verdict_after_the_turn_of_a_sentence(ruleset: RuleSet, language: str, text: str, expected: str) -> None:
    assert classify(ruleset, title="", text=text, language=language).stance == expected


def test_without_negates_what_follows(ruleset: RuleSet) -> None:
    base = "Amnesty adopted its sex work policy in Dublin. "
    plain = classify(ruleset, title="", text=base + "The policy damages its credibility.", language="en")
    negated = classify(
        ruleset, title="", text=base + "The policy passed without damaging its credibility.", language="en"
    )
    assert any(e.rule_id == "en.opposed.credibility" and e.weight < 0 for e in plain.evidence)
    assert any(e.rule_id == "en.opposed.credibility" and e.kind == "negation" for e in negated.evidence)


@pytest.mark.parametrize(
    ("language", "sentence", "expected"),
    [
        pytest.param("en", "The decision, in my view, is clearly right.", "supportive", id="en-right"),
        pytest.param("en", "The decision is not right.", "neutral", id="en-negated-no-match"),
        pytest.param("de", "Der Beschluss ist falsch.", "opposed", id="de-falsch"),
        pytest.param("fr", "Cette décision est juste.", "supportive", id="fr-juste"),
        pytest.param("es", "La decisión es equivocada.", "opposed", id="es-equivocada"),
        pytest.param("sv", "Beslutet är klokt.", "supportive", id="sv-klokt"),
    ],
)
def test_predicative_verdicts(ruleset: RuleSet, language: str, sentence: str, expected: str) -> None:
    lead = {
        "en": "Amnesty voted in Dublin on its sex work policy. ",
        "de": "Amnesty hat in Dublin über die Sexarbeit abgestimmt. ",
        "fr": "Amnesty a voté à Dublin sur le travail du sexe. ",
        "es": "Amnistía votó en Dublín sobre el trabajo sexual. ",
        "sv": "Amnesty röstade i Dublin om sexarbete. ",
    }[language]
    result = classify(ruleset, title="", text=lead + sentence, language=language)
    matched = {e.rule_id for e in result.evidence if "predicative" in e.rule_id and e.voice == "own"}
    side = {"supportive": "supportive.predicative-positive", "opposed": "opposed.predicative-negative"}
    assert matched == ({f"{language}.{side[expected]}"} if expected in side else set())


def test_a_negated_claim_is_cancelled_not_turned_into_the_other_sides(ruleset: RuleSet) -> None:
    text = "Amnesty hat in Dublin über Prostitution abgestimmt. Der Körper einer Frau ist keine Ware."
    result = classify(ruleset, title="", text=text, language="de")
    negated = [e for e in result.evidence if e.rule_id == "de.opposed.argument-gleichstellung"]
    assert negated and all(e.kind == "negation" and e.weight == 0 for e in negated)


def test_opinion_marks_are_whole_words(ruleset: RuleSet) -> None:
    # "four", "welcome", "famous" end in "our", "me", "us": none of them is the author speaking.
    news = (
        "Amnesty published four reports on sex work. Everyone was welcome at the launch. "
        "The famous venue in Dublin was full."
    )
    assert _marks(ruleset, news) == 0
    assert _marks(ruleset, "We went to Dublin. Our view is clear. Governments should listen.") == 3


# An argued piece with a mild own-voice lean: a rubric or an author's note, not its marks, says it is opinion.
MILD = (
    "Amnesty International's delegates voted in Dublin this week on a policy on sex work. "
    "Public health researchers have documented for two decades how clients and sex workers meet. "
    "Where condoms are seized as evidence, sex workers stop carrying them."
)


@pytest.mark.parametrize(
    ("title", "text", "opinion"),
    [
        pytest.param("Opinion: the evidence on Amnesty's vote", MILD, True, id="headline-prefix"),
        pytest.param("The evidence on Amnesty's vote", f"COMMENT\n\n{MILD}", True, id="rubric-line"),
        pytest.param("The evidence on Amnesty's vote", f"{MILD}\n\nDr Jo Hart is a lecturer in epidemiology.",
                     True, id="author-note"),
        pytest.param("The evidence on Amnesty's vote", f"{MILD}\n\nShe writes in a personal capacity.", True,
                     id="personal-capacity"),
        pytest.param("Opinion polls and Amnesty's vote", MILD, False, id="word-in-a-headline"),
        pytest.param("The evidence on Amnesty's vote", MILD, False, id="no-label"),
        pytest.param("The evidence on Amnesty's vote", f"{MILD}\n\nJo Hart is a spokeswoman for the council.", False,
                     id="news-tail-line"),
    ],
)  # fmt: skip
def test_a_rubric_or_an_authors_note_makes_a_piece_opinion(title: str, text: str, opinion: bool) -> None:
    ruleset = load_ruleset(RULES)
    rules = ruleset.rules_for("en")
    assert rules is not None
    doc = Document.prepare(title, text, ruleset.word_keys_for("en"))
    assert _labelled_opinion(doc, rules) is opinion
    # The same mild lean is a side in an argued piece and stays neutral in a report.
    stance = classify(ruleset, title=title, text=text, language="en").stance
    assert stance == ("supportive" if opinion else "neutral")


LEAD = "Amnesty International voted in Dublin to back a policy to decriminalise sex work. "


@pytest.mark.parametrize(
    ("language", "text", "stance"),
    [
        pytest.param("en", LEAD + "Critics say it hands the trade to pimps. But the laws we have now do not catch "
                     "pimps; they catch women who work together.", "supportive", id="en-critics-rebutted"),
        pytest.param("en", LEAD + "Critics say it hands the trade to pimps, but the laws we have now catch women "
                     "instead.", "supportive", id="en-turn-in-the-sentence"),
        pytest.param("en", LEAD + "Critics say it hands the trade to pimps. They add that buyers will multiply. But "
                     "the laws we have now catch women instead.", "supportive", id="en-report-runs-on"),
        pytest.param("en", "Amnesty International's delegates voted in Dublin on prostitution laws. I exaggerate, "
                     "say Amnesty's defenders. But the buyers are still there.", "opposed", id="en-inverted-order"),
        pytest.param("en", "Amnesty International's delegates voted in Dublin on prostitution laws. Supporters of "
                     "the decision say it brings safety. But the buyers are still there, and so is the debt.",
                     "opposed", id="en-supporters-rebutted"),
        # News answers one speaker with another: no rebuttal in the author's voice.
        pytest.param("en", LEAD + "Critics say it hands the trade to pimps. But Amnesty said trafficking remains a "
                     "crime.", "neutral", id="en-news-answers-with-a-speaker"),
        pytest.param("en", LEAD + "Critics say it hands the trade to pimps. The final policy is due next year.",
                     "neutral", id="en-not-rebutted"),
        # The Nordic model's supporters are not the decision's: the phrase does not match.
        pytest.param("en", LEAD + "Supporters of the Nordic model say it works. But the evidence is thin.",
                     "neutral", id="en-other-supporters"),
        pytest.param("es", "Amnistía Internacional votó en Dublín a favor de despenalizar el trabajo sexual. Los "
                     "críticos dicen que eso es regalar el negocio a los proxenetas. Pero lo que tenemos hoy ya es un "
                     "regalo para ellos.", "supportive", id="es-criticos-rebatidos"),
        pytest.param("pl", "Amnesty International zdecydowała w Dublinie o dekryminalizacji prostytucji. Zwolennicy "
                     "decyzji przekonują, że chodzi o bezpieczeństwo kobiet. Ale rynek urósł.", "opposed",
                     id="pl-zwolennicy-odparci"),
    ],
)  # fmt: skip
def test_the_other_side_reported_and_rebutted_in_the_authors_words_is_the_authors_side(
    language: str, text: str, stance: str
) -> None:
    result = classify(load_ruleset(RULES), title="", text=text, language=language)
    assert result.stance == stance
    rebutted = [e for e in result.evidence if e.kind == "rebutted" and e.weight != 0]
    assert bool(rebutted) is (stance != "neutral")


@pytest.mark.parametrize(
    ("language", "text", "stance"),
    [
        pytest.param("en", LEAD + "It is easy to make fun of a human rights organisation that consults for two years. "
                     "It is harder to dismiss what it found.", "supportive", id="en-easy-to-mock"),
        pytest.param("sv", "Amnesty International röstade i Dublin för att avkriminalisera sexarbete. Det är bekvämt "
                     "att avfärda Amnesty som naivt.", "supportive", id="sv-bekvamt-att-avfarda"),
        # Reported, the same words are the speaker's.
        pytest.param("en", "Amnesty International's delegates voted in Dublin on prostitution laws. The vote will be "
                     "read by traffickers as good news.", "opposed", id="en-good-news-for-traffickers"),
        pytest.param("en", LEAD + "\"It is easy to make fun of a human rights organisation that consults for two "
                     "years,\" the council's chair said.", "neutral", id="en-quoted"),
    ],
)  # fmt: skip
def test_defending_the_decision_against_its_easy_dismissal_is_the_authors_side(
    language: str, text: str, stance: str
) -> None:
    assert classify(load_ruleset(RULES), title="", text=text, language=language).stance == stance


def test_a_phrase_inside_a_longer_phrase_of_the_other_side_adds_nothing() -> None:
    ruleset = load_ruleset(RULES)
    text = "Amnesty International voted in Dublin for a policy on prostitution. The real betrayal would have been "
    text += "ignoring the people it concerns."
    result = classify(ruleset, title="", text=text, language="en")
    matched = {e.rule_id: e.matched for e in result.evidence if e.kind != "relevance"}
    assert "en.supportive.the-real-betrayal" in matched
    assert "en.opposed.betrayal" not in matched  # "betrayal" lies inside the longer, more specific phrase
    assert result.stance == "supportive"


@pytest.mark.parametrize(
    ("language", "title", "text", "stance"),
    [
        pytest.param("sv", "När Amnesty tappar sin kompass", "LEDARE\n\nAmnesty har i Dublin beslutat att verka för "
                     "avkriminalisering av sexköp.", "opposed", id="sv-kompass"),
        pytest.param("en", "Not in my name", "Amnesty International voted in Dublin to back the decriminalisation of "
                     "the sex trade.", "opposed", id="en-not-in-my-name"),
        # Reported, the slogan is the protesters'.
        pytest.param("en", "Members protest Amnesty vote", "Amnesty International voted in Dublin to back the "
                     "decriminalisation of the sex trade. \"Not in my name,\" read one placard outside.", "neutral",
                     id="en-reported-slogan"),
        # Denying the critics' charge; verdicts that follow their noun; pride in the decision.
        pytest.param("es", "No, Amnistía no defiende a los proxenetas", "Amnistía Internacional publicó su política "
                     "sobre el trabajo sexual tras la votación de Dublín.", "supportive", id="es-denies-the-charge"),
        pytest.param("es", "¿Defiende Amnistía a los proxenetas?", "Amnistía Internacional publicó su política sobre "
                     "el trabajo sexual tras la votación de Dublín. Sus críticos dicen que sí; la organización dice "
                     "que no.", "neutral", id="es-the-charge-asked"),
        pytest.param("it", "Amnesty, una decisione storica", "Amnesty International ha votato a Dublino per la "
                     "depenalizzazione del lavoro sessuale.", "supportive", id="it-verdict-after-noun"),
        pytest.param("en", "Statement from our local group", "Amnesty International's council voted in Dublin on "
                     "sex work. We want to set out why our group is proud of the decision.", "supportive",
                     id="en-proud"),
        # An explainer sets out the debate.
        # Its questions and the debate's vocabulary would make an unlabelled piece opinion; the rubric says explainer.
        pytest.param("fr", "Comprendre : ce qu'Amnesty a voté à Dublin", "Décryptage\n\nQue dit la résolution ?\n"
                     "Amnesty International demande la dépénalisation du travail du sexe. Les abolitionnistes parlent "
                     "de système prostitutionnel. Pourquoi ce vote divise-t-il ? Qui a raison ?", "neutral",
                     id="fr-decryptage"),
        pytest.param("ru", "Что решила Amnesty International и почему это вызвало скандал", "ОБЪЯСНЯЕМ\n\n"
                     "11 августа в Дублине Международный совет Amnesty International принял резолюцию о "
                     "декриминализации секс-работы.", "neutral", id="ru-scandal-described"),
    ],
)  # fmt: skip
def test_the_authors_verdict_and_the_pieces_genre(language: str, title: str, text: str, stance: str) -> None:
    assert classify(load_ruleset(RULES), title=title, text=text, language=language).stance == stance


@pytest.mark.parametrize(
    ("title", "text", "stance"),
    [
        pytest.param("A hard choice, and the right one", "Amnesty International voted in Dublin this week to back "
                     "the decriminalisation of consensual sex work between adults.", "supportive", id="headline-verdict"),
        pytest.param("Sex worker groups react", "Amnesty International voted in Dublin to back the "
                     "decriminalisation of sex work. Groups in South Africa and India also issued statements welcoming "
                     "the decision.", "neutral", id="statements-reported"),
    ],
)  # fmt: skip
def test_a_headline_verdict_counts_and_reported_statements_do_not(title: str, text: str, stance: str) -> None:
    assert classify(load_ruleset(RULES), title=title, text=text, language="en").stance == stance


def test_numbered_questions_are_an_explainers_layout_not_rhetoric(ruleset: RuleSet) -> None:
    layout = "1. What is the policy?\nA document on sex work.\n\n2. Who opposes it?\nSeveral groups.\n\n3. Is it binding?\nNo."
    rhetoric = "Who is protected by this law? Nobody. Why would anyone defend it? I cannot see why."
    assert _marks(ruleset, layout) == 0
    assert _marks(ruleset, rhetoric) >= 2


def test_credit_given_before_the_turn_is_a_concession(ruleset: RuleSet) -> None:
    """ "Amnesty deserves credit for X. But ..." grants a point: the credit counts a concession's share of its
    weight, and the piece's verdict (doubling down) decides."""
    text = (
        "Amnesty International published its sex work policy this week, after the vote in Dublin. "
        "Amnesty deserves credit for its research into police abuse. But it has attached that research to a "
        "conclusion it does not support. We wonder why. Rather than reflect, Amnesty has doubled down. We think it "
        "should listen to its members."
    )
    result = classify(ruleset, title="Quick take", text=text, language="en")
    credit = next(e for e in result.evidence if e.matched == "deserves credit")
    factor = ruleset.scoring.concession_factor  # type: ignore[union-attr]
    assert credit.weight == pytest.approx(1.5 * factor)
    assert result.stance == "opposed"


@pytest.mark.parametrize(
    ("language", "text", "stance"),
    [
        pytest.param("es", "Amnistía Internacional votó en Dublín a favor de despenalizar el trabajo sexual. Creo que "
                     "Amnistía ha optado por escucharlas.", "supportive", id="es-chose-to-listen"),
        pytest.param("de", "Amnesty International hat in Dublin über Sexarbeit abgestimmt. Wir fragen uns, warum. Ich meine: "
                     "Amnesty hätte gut daran getan, sich auf die Anbietenden zu beschränken.", "opposed", id="de-counterfactual"),
        pytest.param("de", "Amnesty International hat in Dublin über Sexarbeit abgestimmt. Wir fragen uns, warum. Wir finden: Amnesty hat "
                     "diesem Geschäft ein Gütesiegel verliehen.", "opposed", id="de-guetesiegel"),
        pytest.param("es", "Amnistía Internacional votó en Dublín a favor de despenalizar el trabajo sexual. Las "
                     "asociaciones de trabajadoras sexuales dijeron que Amnistía ha optado por escucharlas.", "neutral",
                     id="es-listening-reported"),
    ],
)  # fmt: skip
def test_choosing_to_listen_and_counterfactual_advice(language: str, text: str, stance: str) -> None:
    assert classify(load_ruleset(RULES), title="", text=text, language=language).stance == stance


@pytest.mark.parametrize(
    ("language", "text"),
    [
        pytest.param("no", "Amnesty har rett i at dagens praksis har svakheter. Men svaret er ikke å gi opp prinsippet.",
                     id="no"),
        pytest.param("de", "Amnesty hat recht, dass die Polizei Frauen schikaniert. Aber daraus folgt nicht alles.", id="de"),
        pytest.param("fr", "Amnesty a raison de dénoncer les violences policières. Mais elle se trompe de remède.",
                     id="fr"),
    ],
)  # fmt: skip
def test_granting_amnesty_a_point_opens_a_concession(ruleset: RuleSet, language: str, text: str) -> None:
    rules = ruleset.rules_for(language)
    assert rules is not None
    doc = Document.prepare("", text, ruleset.word_keys)
    assert _concession(doc, rules, 0) is not None


def test_the_outlets_appeal_to_its_readers_is_no_opinion_mark(ruleset: RuleSet) -> None:
    """A subscription or donation appeal left in the page ("unser Journalismus", "support our journalism") is the
    outlet speaking of itself: its "wir" and "our" do not make a news report opinion."""
    appeal = (
        "Als Genossenschaft gehören wir unseren Leser:innen. Und unser Journalismus ist kostenfrei zugänglich. "
        "Unsere Leser:innen müssen nichts bezahlen."
    )
    rules = ruleset.rules_for("de")
    assert rules is not None
    assert _opinion_marks(Document.prepare("", appeal, ruleset.word_keys), rules) == 0
    assert (
        _opinion_marks(
            Document.prepare("", "Wir meinen: das ist falsch. Unsere Regierung muss handeln.", ruleset.word_keys), rules
        )
        == 2
    )
    assert _marks(ruleset, "Support our journalism: subscribe today. We need our readers.") == 0


@pytest.mark.parametrize(
    ("language", "title", "text", "own_rule", "counted"),
    [
        # "It does not." answers the critics' reported claim as "But ..." would.
        pytest.param("en", "Comment: Amnesty's policy", "Amnesty International published its policy on sex work this "
                     "week, after the vote in Dublin. Critics have spent the past year claiming that Amnesty wants to "
                     "legalise pimping. It does not. The policy keeps trafficking and coercion crimes.",
                     "en.supportive.critics-rebutted", True, id="en-terse-denial"),
        # Crying betrayal is the author's charge against the critics, not the author's word for the decision.
        pytest.param("fr", "Tribune", "Les délégués d'Amnesty International ont voté à Dublin pour la dépénalisation du "
                     "travail du sexe. Je le dis franchement : refuser de débattre en criant à la trahison, c'est parler "
                     "à la place des premières concernées. Pourquoi ne pas les écouter ?",
                     "fr.opposed.trahison", False, id="fr-crying-betrayal"),
    ],
)  # fmt: skip
def test_the_authors_answer_to_the_critics_is_the_authors_side(
    language: str, title: str, text: str, own_rule: str, counted: bool
) -> None:
    result = classify(load_ruleset(RULES), title=title, text=text, language=language)
    assert any(e.rule_id == own_rule and e.voice == "own" and e.weight != 0 for e in result.evidence) is counted
    assert result.stance == "supportive"


def test_an_interviewee_who_declines_to_take_a_side_is_not_arguing_for_one() -> None:
    """An interview is argued by genre, so a small lean decides it; an interviewee who says they cannot say who is
    right is read at the news threshold instead."""
    interview = (
        "Interview\nNach dem Beschluss von Amnesty International in Dublin zur Sexarbeit sprachen wir mit einer "
        "Soziologin.\n\nWas hat Amnesty beschlossen?\nDie Delegierten wollen die Entkriminalisierung "
        "einvernehmlicher Sexarbeit unter Erwachsenen, auch für Kunden.\n\nWer hat also recht?\n"
    )
    ruleset = load_ruleset(RULES)
    declines = classify(ruleset, title="Interview", text=interview + "Das kann ich Ihnen nicht sagen.", language="de")
    leans = classify(
        ruleset, title="Interview", text=interview + "Ich finde, darauf gibt es keine kurze Antwort.", language="de"
    )
    assert declines.stance == "neutral"
    assert leans.stance == "supportive"  # the same small lean decides an interview that does not decline


def test_an_interview_under_an_explainers_rubric_is_still_an_interview(ruleset: RuleSet) -> None:
    interview = (
        "Fragen und Antworten\nNach dem Beschluss von Amnesty International in Dublin zur Sexarbeit: ein Gespräch mit "
        "einer Soziologin.\n\nWas hat Amnesty beschlossen?\nDie Delegierten wollen die Entkriminalisierung "
        "einvernehmlicher Sexarbeit unter Erwachsenen, auch für Kunden.\n\nWer hat also recht?\nIch finde, darauf "
        "gibt es keine kurze Antwort."
    )
    result = classify(ruleset, title="Fragen und Antworten", text=interview, language="de")
    assert "interview" in result.flags
    assert result.stance == "supportive"  # the interviewee's small lean decides, as in any interview


def test_a_verdict_asked_as_a_question_in_a_q_and_a_is_no_verdict(ruleset: RuleSet) -> None:
    """In questions and answers the prompt "Har Amnesty truffet den rigtige beslutning?" is the interviewer's
    question; the same words as the author's statement decide."""
    interview = (
        "Amnesty International stemte i Dublin for afkriminalisering af sexarbejde. Vi har talt med en forsker.\n\n"
        "Har Amnesty truffet den rigtige beslutning?\nDet er et politisk valg.\n\n"
        "Hvad ved vi så?\nAt området er dårligt undersøgt."
    )
    asked = classify(ruleset, title="Forsker om Amnesty", text=interview, language="da")
    assert all(e.voice != "own" for e in asked.evidence if e.rule_id == "da.supportive.vurdering-positiv")
    stated = classify(
        ruleset,
        title="Leder",
        text="Amnesty International stemte i Dublin for afkriminalisering af sexarbejde. Amnesty har truffet den "
        "rigtige beslutning.",
        language="da",
    )
    assert any(e.voice == "own" for e in stated.evidence if e.rule_id == "da.supportive.vurdering-positiv")
