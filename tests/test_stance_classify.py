"""Stance classifier behaviour on texts written for presswatch (tests/fixtures/stance)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stance.classify import classify
from stance.document import Document
from stance.model import FLAG_NO_RULES_FOR_LANGUAGE, FLAG_UNCERTAIN, StanceResult
from stance.rules import RuleSet, load_ruleset
from tests.builders import FIXTURE_FILES, RULES, read_fixture
from tests.builders import STANCE_FIXTURES as FIXTURES


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_ruleset(RULES)


def run(ruleset: RuleSet, title: str, text: str, language: str | None = "en") -> StanceResult:
    return classify(ruleset, title=title, text=text, language=language)


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in FIXTURE_FILES])
def test_fixture_labels(ruleset: RuleSet, path: Path) -> None:
    fixture = read_fixture(path)
    result = classify(ruleset, title=fixture.title, text=fixture.text, language=fixture.language)
    assert result.stance == fixture.expect, [(e.rule_id, e.weight, e.voice) for e in result.evidence]
    assert result.relevant == (fixture.expect != "off_topic")
    assert result.ruleset_version == ruleset.version
    assert -1.0 <= result.score <= 1.0 and 0.0 <= result.confidence <= 1.0


def test_every_rule_language_has_supportive_opposed_and_off_topic_fixtures() -> None:
    fixtures = [read_fixture(p) for p in FIXTURE_FILES]
    for language in ("en", "de", "fr", "es", "sv", "pl", "ru", "it", "pt", "nl", "no", "da"):
        expected = {f.expect for f in fixtures if f.language == language}
        assert {"supportive", "opposed", "off_topic"} <= expected, language


def test_supportive_piece_quoting_an_opponent_at_length_is_decided_by_its_own_voice(ruleset: RuleSet) -> None:
    fixture = read_fixture(FIXTURES / "en_supportive_quotes_opponent.txt")
    result = classify(ruleset, title=fixture.title, text=fixture.text, language="en")
    assert result.stance == "supportive"
    quoted = [e for e in result.evidence if e.voice == "quoted" and e.weight < 0]
    own = [e for e in result.evidence if e.voice == "own" and e.weight > 0]
    # The opponent's words are kept as evidence, marked quoted, across both paragraphs of the quotation.
    assert {"en.opposed.betrayal", "en.opposed.should-reject"} <= {e.rule_id for e in quoted}
    assert any(e.rule_id == "en.supportive.historic" for e in own)


def test_same_words_outside_quotes_flip_the_label(ruleset: RuleSet) -> None:
    quoted = 'Amnesty International voted for the resolution on sex work. "It is a betrayal of women," said a critic.'
    own = "Amnesty International voted for the resolution on sex work. It is a betrayal of women."
    assert run(ruleset, "", quoted).stance == "neutral"
    assert run(ruleset, "", own).stance == "opposed"


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param("“It is a betrayal of women,” she said.", id="curly"),
        pytest.param("„It is a betrayal of women“, she said.", id="german-low-high"),
        pytest.param("« It is a betrayal of women », she said.", id="guillemets-spaced"),
        pytest.param("»It is a betrayal of women«, she said.", id="guillemets-reversed"),
        pytest.param("”It is a betrayal of women”, she said.", id="swedish-same-marks"),
        pytest.param("She called it ‘a betrayal of women and a grave mistake’ on Tuesday.", id="single-curly"),
        pytest.param("According to the campaign, the vote is a betrayal of women.", id="attributed-according-to"),
        pytest.param("The campaign argues that the vote is a betrayal of women.", id="attributed-argues"),
    ],
)
def test_quoted_or_attributed_speech_is_not_the_articles_voice(ruleset: RuleSet, sentence: str) -> None:
    text = f"Amnesty International voted in Dublin for the resolution on sex work. {sentence}"
    result = run(ruleset, "", text)
    assert result.stance == "neutral"
    stance_evidence = [e for e in result.evidence if e.kind != "relevance" and abs(e.weight) >= 1]
    assert stance_evidence and all(e.voice == "quoted" for e in stance_evidence)


def test_first_person_speech_stays_the_authors_voice(ruleset: RuleSet) -> None:
    text = "Amnesty International voted in Dublin for the resolution on sex work. As I wrote last week, it is a betrayal of women."
    assert run(ruleset, "", text).stance == "opposed"


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        pytest.param("The Amnesty resolution on sex work is a historic victory.", False, id="plain"),
        pytest.param("The Amnesty resolution on sex work is not a historic victory.", True, id="negated"),
        pytest.param("The Amnesty resolution on sex work is never a historic victory.", True, id="never"),
        pytest.param("The Amnesty resolution on sex work isn't a historic victory.", True, id="contraction"),
        pytest.param("The Amnesty resolution on sex work isn’t a historic victory.", True, id="curly-contraction"),
        pytest.param(
            "Not only is the Amnesty resolution on sex work a historic victory, it is overdue.",
            False,
            id="not-only-is-no-negation",
        ),
    ],
)
def test_negation_flips_a_stance_phrase(ruleset: RuleSet, text: str, negated: bool) -> None:
    result = run(ruleset, "", text)
    historic = [e for e in result.evidence if e.rule_id == "en.supportive.historic"]
    assert len(historic) == 1
    if negated:
        assert historic[0].kind == "negation" and historic[0].weight < 0
        assert result.score < 0 and result.stance != "supportive"
    else:
        assert historic[0].kind == "stance" and result.stance == "supportive"


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        pytest.param(
            "de", "Der Beschluss von Amnesty zur Prostitution ist kein Verrat an den Frauen.", 1, id="de-kein"
        ),
        pytest.param("fr", "La décision d'Amnesty sur la prostitution n'est pas une trahison.", 1, id="fr-pas"),
        pytest.param("es", "La decisión de Amnistía sobre la prostitución no es una traición.", 1, id="es-no"),
        pytest.param("sv", "Amnestys beslut om prostitution är inte ett svek.", 1, id="sv-inte"),
        pytest.param(
            "de", "Der Beschluss von Amnesty zur Prostitution ist ein Verrat an den Frauen.", -1, id="de-plain"
        ),
    ],
)
def test_negation_in_other_languages_flips_the_sign(ruleset: RuleSet, language: str, text: str, expected: int) -> None:
    result = run(ruleset, "", text, language)
    betrayal = [e for e in result.evidence if e.kind in ("stance", "negation")]
    assert betrayal and (betrayal[0].weight > 0) == (expected > 0)


def test_framing_vocabulary_alone_does_not_decide(ruleset: RuleSet) -> None:
    supporters = (
        "Amnesty International voted on its policy on sex work. Sex workers and sex worker groups followed the vote."
    )
    opponents = (
        "Amnesty International voted on its policy on prostitution. Pimps and sex buyers are part of the sex trade."
    )
    for text in (supporters, opponents):
        result = run(ruleset, "", text)
        assert result.stance == "neutral"
        assert all(abs(e.weight) < 1 for e in result.evidence if e.kind == "framing")
    assert run(ruleset, "", supporters).score > 0 > run(ruleset, "", opponents).score


def test_scare_quotes_around_supporters_terms_count_against(ruleset: RuleSet) -> None:
    plain = "Amnesty International voted on its policy on sex work."
    scare = 'Amnesty International voted on its policy on so-called "sex work".'
    assert run(ruleset, "", scare).score < run(ruleset, "", plain).score
    assert any(
        e.rule_id == "en.opposed.scare-quoted-terms" and e.voice == "own" for e in run(ruleset, "", scare).evidence
    )


def test_headline_verdict_weighs_more_than_body(ruleset: RuleSet) -> None:
    body = "Amnesty International voted in Dublin for the resolution on sex work."
    in_title = run(ruleset, "Amnesty's vote is a betrayal", body)
    in_body = run(ruleset, "Amnesty votes", body + " It is a betrayal.")
    assert in_title.score < in_body.score < 0


@pytest.mark.parametrize(
    ("title", "text"),
    [
        pytest.param(
            "Amnesty warns of torture in prisons",
            "Amnesty International published a report on torture and a vote in parliament on prison reform.",
            id="amnesty-other-subject",
        ),
        pytest.param(
            "Sex work law passes",
            "Parliament voted to decriminalise sex work. Sex worker groups called it a historic victory.",
            id="sex-work-without-amnesty",
        ),
        pytest.param(
            "Amnesty and sex work",
            "Reportage | 2009-03-07\nThe Amnesty section decided not to take a policy on prostitution this year.",
            id="dateline-before-the-debate",
        ),
    ],
)
def test_relevance_near_misses_are_off_topic(ruleset: RuleSet, title: str, text: str) -> None:
    result = run(ruleset, title, text)
    assert (result.relevant, result.stance, result.score) == (False, "off_topic", 0.0)


def test_unknown_language_is_relevant_neutral_and_flagged(ruleset: RuleSet) -> None:
    fixture = read_fixture(FIXTURES / "cs_unknown_language.txt")
    assert fixture.language == "cs" and "cs" not in ruleset.languages
    result = classify(ruleset, title=fixture.title, text=fixture.text, language=fixture.language)
    assert result.language == "cs"
    assert (result.relevant, result.stance) == (True, "neutral")
    assert FLAG_NO_RULES_FOR_LANGUAGE in result.flags
    assert any(e.kind == "relevance" for e in result.evidence)


@pytest.mark.parametrize("code", ["en-GB", "EN", "en_us", " en "])
def test_language_codes_are_normalised(ruleset: RuleSet, code: str) -> None:
    result = run(ruleset, "", "Amnesty International voted for the policy on sex work. It is a historic victory.", code)
    assert result.language == "en" and result.stance == "supportive"


def test_evidence_rows_are_complete(ruleset: RuleSet) -> None:
    fixture = read_fixture(FIXTURES / "en_opposed_opinion.txt")
    result = classify(ruleset, title=fixture.title, text=fixture.text, language="en")
    assert result.evidence
    for evidence in result.evidence:
        assert evidence.rule_id and evidence.kind in ("relevance", "stance", "framing", "claim", "negation")
        assert evidence.matched and 0 < len(evidence.snippet) <= 300
        assert evidence.voice in ("own", "quoted") and evidence.language in ("en", "*")
        if evidence.kind != "relevance":
            assert evidence.matched.casefold() in evidence.snippet.casefold()
    assert any(v.name == "Coalition Against Trafficking in Women" for v in result.voices) is False
    assert result.evidence[2].voice == "own"  # after the two relevance rows, the author's strongest cue


def test_voices_are_recorded_without_deciding(ruleset: RuleSet) -> None:
    fixture = read_fixture(FIXTURES / "en_neutral_news_both_sides.txt")
    result = classify(ruleset, title=fixture.title, text=fixture.text, language="en")
    sides = {v.name: v.side for v in result.voices}
    assert sides["Coalition Against Trafficking in Women"] == "opposed"
    assert sides["Celebrity signatories of the CATW letter"] == "opposed"
    assert result.stance == "neutral"


def test_small_margin_is_flagged_uncertain(ruleset: RuleSet) -> None:
    # One weak-to-moderate cue near the threshold.
    near = run(ruleset, "", "Amnesty International voted for its policy on sex work, an important step.")
    assert near.stance == "supportive" and FLAG_UNCERTAIN in near.flags
    clear = run(
        ruleset, "", "Amnesty International voted for its policy on sex work. A historic victory, long overdue."
    )
    assert clear.stance == "supportive" and FLAG_UNCERTAIN not in clear.flags
    assert clear.confidence > near.confidence


def test_empty_text_is_off_topic(ruleset: RuleSet) -> None:
    result = classify(ruleset, title="", text="")
    assert result.stance == "off_topic" and result.language == "und"


def test_the_organisation_refers_back_to_amnesty_once_it_is_named(ruleset: RuleSet) -> None:
    text = (
        "Amnesty International has long campaigned against torture. Its reports have saved lives. "
        "Readers were therefore surprised this week. The organisation voted in Dublin to decriminalise sex work."
    )
    assert run(ruleset, "A surprising week", text).relevant
    # Without the organisation being named first, "the organisation" refers to nobody we track.
    unnamed = "Readers were surprised this week. The organisation voted in Dublin to decriminalise sex work."
    assert not run(ruleset, "A surprising week", unnamed).relevant


def test_short_rubric_lines_do_not_use_up_the_lead(ruleset: RuleSet) -> None:
    text = (
        "EDITORIAL\nBy the editors\nThe decision to decriminalise sex work was taken in Dublin on Tuesday. "
        "Delegates debated for hours."
    )
    assert run(ruleset, "Amnesty's choice", text).relevant
    padded = (
        "Our editorial board met twice this week to discuss it at length. Opinions in the room differed widely. "
        "The decision to decriminalise sex work was taken on Tuesday."
    )
    assert not run(ruleset, "Amnesty's choice", padded).relevant


def test_the_event_may_be_named_beside_the_subject(ruleset: RuleSet) -> None:
    text = (
        "Amnesty International has found a new cause: sex workers and the people who run brothels. "
        "Nobody saw it coming. "
        "The delegates' vote to decriminalise the trade was greeted with surprise."
    )
    assert run(ruleset, "A new cause", text).relevant


INTERVIEW = (
    "After the vote in Dublin we spoke to an Amnesty adviser about the policy on sex work.\n"
    "\n"
    "Critics call the resolution a betrayal. Is it?\n"
    "It is not. It is a historic step for the human rights of sex workers.\n"
    "\n"
    "What about the Nordic model?\n"
    "The Nordic model endangers sex workers. It is a grave mistake.\n"
)


def test_interview_answers_and_prompts_are_not_the_outlets_voice(ruleset: RuleSet) -> None:
    result = run(ruleset, "An interview on the vote", INTERVIEW)
    assert result.relevant and result.stance == "neutral"
    assert not [e for e in result.evidence if e.voice == "own" and e.kind != "relevance" and e.weight != 0]
    # The same lines as one article's own paragraphs (no prompt-and-answer blocks) decide its stance.
    essay = INTERVIEW.replace("\n\n", "\n").replace("Is it?", "Is it.").replace("Nordic model?", "Nordic model.")
    assert run(ruleset, "An interview on the vote", essay).stance != "neutral"


def test_a_french_inverted_question_needs_its_hyphens(ruleset: RuleSet) -> None:
    rules = ruleset.rules_for("fr")
    doc = Document.prepare(
        "", "Le contraste est saisissant, et il ne tourne pas à l'avantage de Paris.", ruleset.word_keys
    )
    assert not doc.attributed(doc.sentences[0], rules)
    asked = Document.prepare("", "Cette décision est-elle juste, demande-t-elle.", ruleset.word_keys)
    assert asked.attributed(asked.sentences[0], rules)


def test_the_author_citing_evidence_is_not_reported_speech(ruleset: RuleSet) -> None:
    rules = ruleset.rules_for("en")
    doc = Document.prepare(
        "", "Study after study in The Lancet says that criminal laws endanger them.", ruleset.word_keys
    )
    assert not doc.attributed(doc.sentences[0], rules)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        pytest.param(
            "sv",
            "Amnesty International har länge kämpat mot tortyr. Rapporterna har räddat liv. Läsarna blev förvånade. "
            "Organisationen röstade i Dublin för att avkriminalisera sexarbete.",
            id="sv-organisationen",
        ),
        pytest.param(
            "es",
            "Amnistía Internacional lleva décadas luchando contra la tortura. Sus informes han salvado vidas. "
            "Los lectores se sorprendieron. La organización votó en Dublín despenalizar el trabajo sexual.",
            id="es-la-organizacion",
        ),
    ],
)
def test_coreferents_in_other_languages(ruleset: RuleSet, language: str, text: str) -> None:
    assert run(ruleset, "", text, language).relevant


@pytest.mark.parametrize(
    ("language", "title", "text", "relevant"),
    [
        pytest.param("sv", "Medlemmar lämnar svenska Amnesty",
                     "Svenska Amnesty har fått ett hundratal utträdesanmälningar sedan beslutet i Dublin, uppger "
                     "organisationen.", True, id="sv-decision-in-dublin"),
        pytest.param("de", "Abend in der Ortsgruppe",
                     "Die Amnesty-Ortsgruppe trifft sich wie jeden Dienstag. Auf der Tagesordnung steht der "
                     "Beschluss von Dublin.", True, id="de-beschluss-von-dublin"),
        # Amnesty's Irish section is based in Dublin and is in the news on other subjects.
        pytest.param("en", "Amnesty Ireland launches abortion campaign",
                     "Amnesty International Ireland launched a campaign in Dublin on Monday to repeal the Eighth "
                     "Amendment. Its director said the meeting in Dublin drew hundreds of supporters.", False,
                     id="en-amnesty-ireland"),
        # The name inside someone else's long quotation is not the author's account of the subject.
        pytest.param("en", "Local group meets",
                     "Amnesty's local group met on Tuesday. \"We will talk about many things tonight, including the "
                     "decision in Dublin that everyone keeps asking us about,\" its chair said.", False,
                     id="en-name-only-quoted"),
    ],
)  # fmt: skip
def test_the_decisions_own_name_beside_the_organisation_makes_a_text_relevant(
    ruleset: RuleSet, language: str, title: str, text: str, relevant: bool
) -> None:
    result = run(ruleset, title, text, language)
    assert result.relevant is relevant
    named = [e for e in result.evidence if e.rule_id == "relevance.decision_named"]
    assert bool(named) is relevant


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        # The negation ends with its clause: the verdict after the comma is the author's, unnegated.
        pytest.param("The Nordic model does not hold up, and Amnesty was right to say so.", False,
                     id="negation-ends-at-the-comma"),
        pytest.param("The vote was not a victory for human rights.", True, id="negation-in-the-clause"),
        # "right to say so" is the author's verdict on a speaker, not reported speech.
        pytest.param("Amnesty was right to say so: the law fails sex workers.", False, id="right-to-say"),
    ],
)  # fmt: skip
def test_negation_stays_in_its_clause_and_a_verdict_on_a_speaker_is_the_authors(
    ruleset: RuleSet, text: str, negated: bool
) -> None:
    lead = "Amnesty International voted in Dublin for a policy on sex work. "
    result = run(ruleset, "", lead + text)
    verdicts = [e for e in result.evidence if e.rule_id in ("en.supportive.amnesty-is-right", "en.supportive.victory")]
    assert verdicts and all(e.voice == "own" for e in verdicts)
    assert all((e.kind == "negation") is negated for e in verdicts)
    assert result.stance == ("neutral" if negated else "supportive")


def test_the_organisation_and_the_decisions_name_far_apart_are_relevant_with_the_subject_named() -> None:
    """A members' letter names Amnesty in its first line, "the decision taken in Dublin" in the next paragraph and
    brothels further on: relevant. Without the subject, Amnesty and a Dublin meeting are not the topic."""
    from stance.rules import load_ruleset

    ruleset = load_ruleset(RULES)
    filler = "We have met on the first Thursday of every month for thirty years and written thousands of letters. " * 3
    letter = (
        "An open letter from members of Amnesty International's local group. "
        + filler
        + "Following the decision taken in Dublin, seven of us have cancelled our direct debits. "
        + filler
        + "We cannot accept that a movement for the vulnerable asks states to stop prosecuting brothel owners."
    )
    found = classify(ruleset, title="Why we are leaving", text=letter, language="en")
    assert found.stance != "off_topic"
    assert any(e.rule_id == "relevance.decision_named" for e in found.evidence)
    unrelated = letter.replace("stop prosecuting brothel owners", "stop writing letters for prisoners")
    assert classify(ruleset, title="Why we are leaving", text=unrelated, language="en").stance == "off_topic"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        pytest.param("de", "Der Amnesty-Beschluss zur Sexarbeit spaltet die Frauenbewegung.", id="de-compound"),
        pytest.param("sv", "Amnestybeslutet om sexarbete splittrar kvinnorörelsen.", id="sv-compound"),
        pytest.param("no", "Amnestyvedtaket om sexarbeid splitter kvinnebevegelsen.", id="no-compound"),
    ],
)  # fmt: skip
def test_a_compound_that_names_the_decision_is_the_event(ruleset: RuleSet, language: str, text: str) -> None:
    assert run(ruleset, "", text, language).relevant


def test_coverage_in_a_language_without_rules_is_relevant_and_flagged_not_off_topic(ruleset: RuleSet) -> None:
    result = run(ruleset, "", "Amnestyn päätös seksityön dekriminalisoinnista Dublinissa jakaa mielipiteitä.", "fi")
    assert result.relevant and result.stance == "neutral"
    assert FLAG_NO_RULES_FOR_LANGUAGE in result.flags


def test_the_men_who_buy_women_name_the_subject(ruleset: RuleSet) -> None:
    letter = (
        "Sir, I have been a member of Amnesty International since 1979. This week I cancelled my direct debit, "
        "because I cannot see how a resolution protecting men who buy women defends anyone."
    )
    assert run(ruleset, "Cancelled", letter, "en").relevant


def test_a_headline_naming_the_organisation_and_the_event_names_the_decision(ruleset: RuleSet) -> None:
    statement = (
        "Today the organisation published what it promised last August. We have read it. Most of us were in "
        "prostitution for years, and we do not recognise our lives in it."
    )
    assert run(ruleset, "Survivors' network responds to Amnesty policy", statement, "en").relevant
    assert not run(ruleset, "Survivors' network responds to Amnesty", statement, "en").relevant
