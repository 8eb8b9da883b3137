"""Loading and validating topic rule files: the real one, and broken ones that must fail with file, line, key."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest

from stance.errors import RuleFileError, StanceError
from stance.rules import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "topics" / "amnesty-2015.toml"

MINIMAL = """\
[topic]
title = "A test topic"

[[milestones]]
date = 2015-08-11
label = "The vote"

[relevance]
anchors = ['amnesty']

[relevance.subject]
"*" = ['sex work']

[relevance.events]
"*" = ['vote']

[scoring]
threshold = 1.5

[language.en]
negation = ['not']

[[stance.en.supportive]]
id = "historic"
pattern = 'historic'
weight = 2.0

[[stance.en.supportive]]
id = "win"
pattern = 'a win'
weight = 1.0

[[stance.en.opposed]]
id = "betrayal"
pattern = 'betrayal'
weight = 2.5
"""


def write(tmp_path: Path, text: str, name: str = "x.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(needle)


def test_the_project_rule_file_loads() -> None:
    ruleset = load_ruleset(RULES)
    assert ruleset.topic == "amnesty-2015"
    defaults = ROOT / "stance" / "languages.toml"
    assert ruleset.version == hashlib.sha256(RULES.read_bytes() + b"\0" + defaults.read_bytes()).hexdigest()[:12]
    assert {"en", "de", "fr", "es", "sv"} <= set(ruleset.languages)
    assert [m.date for m in ruleset.milestones] == [dt.date(2015, 8, 11), dt.date(2016, 5, 26)]
    assert ruleset.title and ruleset.path == RULES
    rule_ids = [r.rule_id for lang in ruleset.language_rules for r in lang.rules]
    assert len(rule_ids) == len(set(rule_ids))


def test_every_rule_says_where_it_came_from() -> None:
    ruleset = load_ruleset(RULES)
    for language in ruleset.language_rules:
        for rule in language.rules:
            assert rule.origin.strip(), rule.rule_id
    assert all(actor.origin for actor in ruleset.actors)


def test_minimal_file_loads_with_defaults(tmp_path: Path) -> None:
    ruleset = load_ruleset(write(tmp_path, MINIMAL, "tiny-topic.toml"))
    assert ruleset.topic == "tiny-topic" and ruleset.languages == ("en",)
    weights = {r.rule_id: r.weight for r in ruleset.language_rules[0].rules}
    assert weights == {"en.supportive.historic": 2.0, "en.supportive.win": 1.0, "en.opposed.betrayal": -2.5}


def test_version_changes_with_the_bytes(tmp_path: Path) -> None:
    first = load_ruleset(write(tmp_path, MINIMAL, "a.toml")).version
    second = load_ruleset(write(tmp_path, MINIMAL + "\n# a comment\n", "b.toml")).version
    assert first != second and len(first) == 12


@pytest.mark.parametrize(
    ("change", "key", "needle", "occurrence", "message"),
    [
        pytest.param(
            ("weight = 1.0", "weight = 7"),
            "stance.en.supportive[1].weight",
            "weight = 7",
            1,
            "must be a number between -5 and 5",
            id="bad-weight",
        ),
        pytest.param(
            ("weight = 1.0", 'weight = "high"'),
            "stance.en.supportive[1].weight",
            'weight = "high"',
            1,
            "must be a number between -5 and 5",
            id="weight-not-a-number",
        ),
        pytest.param(
            ("threshold = 1.5", "threshold = 1.5\nthreshhold = 2"),
            "scoring.threshhold",
            "threshhold = 2",
            1,
            "unknown key",
            id="unknown-key",
        ),
        pytest.param(
            ('id = "betrayal"', 'id = "betrayal"\ncolour = "red"'),
            "stance.en.opposed[0].colour",
            'colour = "red"',
            1,
            "unknown key",
            id="unknown-key-in-rule",
        ),
        pytest.param(
            ("pattern = 'a win'", "pattern = 'a (win'"),
            "stance.en.supportive[1].pattern",
            "pattern = 'a (win'",
            1,
            "invalid regular expression",
            id="bad-regex",
        ),
        pytest.param(
            ('id = "win"', 'id = "historic"'),
            "stance.en.supportive[1].id",
            'id = "historic"',
            2,
            "duplicate rule id",
            id="duplicate-id",
        ),
        pytest.param(
            ("date = 2015-08-11", 'date = "11 August"'),
            "milestones[0].date",
            'date = "11 August"',
            1,
            "must be a TOML date",
            id="bad-date",
        ),
        pytest.param(
            ("[language.en]", "[language.english]"),
            "language.english",
            "[language.english]",
            1,
            "two-letter",
            id="bad-language-code",
        ),
    ],
)
def test_invalid_values_name_file_line_and_key(
    tmp_path: Path, change: tuple[str, str], key: str, needle: str, occurrence: int, message: str
) -> None:
    text = MINIMAL.replace(*change)
    path = write(tmp_path, text)
    with pytest.raises(RuleFileError) as caught:
        load_ruleset(path)
    error = caught.value
    assert (error.key, error.line) == (key, line_of(text, needle, occurrence))
    assert str(error) == f"{path}:{error.line}: {key}: {error.message}"
    assert message in error.message
    assert "\n" not in str(error)


def test_malformed_toml_names_file_line_and_key(tmp_path: Path) -> None:
    text = MINIMAL.replace("threshold = 1.5", "threshold = = 1.5")
    path = write(tmp_path, text)
    with pytest.raises(RuleFileError) as caught:
        load_ruleset(path)
    assert caught.value.line == line_of(text, "threshold = = 1.5")
    assert caught.value.key == "threshold"
    assert str(caught.value).startswith(f"{path}:{caught.value.line}: threshold: malformed TOML")


@pytest.mark.parametrize(
    ("section", "key", "expected_line"),
    [
        pytest.param("[scoring]\nthreshold = 1.5\n", "scoring", 1, id="missing-scoring"),
        pytest.param('[topic]\ntitle = "A test topic"\n', "topic", 1, id="missing-topic"),
    ],
)
def test_missing_section_names_file_line_and_key(tmp_path: Path, section: str, key: str, expected_line: int) -> None:
    path = write(tmp_path, MINIMAL.replace(section, ""))
    with pytest.raises(RuleFileError) as caught:
        load_ruleset(path)
    assert (caught.value.key, caught.value.line) == (key, expected_line)
    assert str(caught.value) == f"{path}:{expected_line}: {key}: missing required section"


def test_missing_key_points_at_its_table(tmp_path: Path) -> None:
    text = MINIMAL.replace("weight = 2.5\n", "")
    path = write(tmp_path, text)
    with pytest.raises(RuleFileError) as caught:
        load_ruleset(path)
    assert caught.value.key == "stance.en.opposed[0].weight"
    assert caught.value.line == line_of(text, "[[stance.en.opposed]]")


def test_unreadable_file_is_a_rule_file_error(tmp_path: Path) -> None:
    with pytest.raises(StanceError) as caught:
        load_ruleset(tmp_path / "absent.toml")
    assert isinstance(caught.value, RuleFileError)
    assert "absent.toml" in str(caught.value)


JOB_KILLER = MINIMAL.replace("[language.en]\nnegation = ['not']\n", "").replace(
    "[[stance.en.opposed]]",
    "[[stance.en.opposed]]\nid = \"job-killer\"\npattern = 'job killer'\nweight = 2.0\n\n[[stance.en.opposed]]",
    1,
)


def test_a_topic_without_language_sections_inherits_quotes_attribution_and_negation(tmp_path: Path) -> None:
    from stance.classify import classify

    assert "[language" not in JOB_KILLER
    ruleset = load_ruleset(write(tmp_path, JOB_KILLER))
    lead = "Amnesty held a vote on sex work this week."
    reported = classify(ruleset, title="", text=f"{lead} The hosts said it was a job killer.", language="en")
    negated = classify(ruleset, title="", text=f"{lead} The ban is not a job killer.", language="en")
    own = classify(ruleset, title="", text=f"{lead} This is a job killer.", language="en")
    assert reported.stance == "neutral"
    assert [e.voice for e in reported.evidence if e.rule_id.endswith("job-killer")] == ["quoted"]
    assert negated.stance != "opposed"
    assert own.stance == "opposed"  # the rule itself works: the defaults are what changed the other two


def test_a_topics_language_table_adds_to_the_defaults(tmp_path: Path) -> None:
    from stance.classify import classify

    extended = JOB_KILLER.replace(
        "[[stance.en.supportive]]", "[language.en]\nattribution = ['opined']\n\n[[stance.en.supportive]]", 1
    )
    ruleset = load_ruleset(write(tmp_path, extended))
    lead = "Amnesty held a vote on sex work this week."
    for sentence in ("The hosts opined it was a job killer.", "The hosts said it was a job killer."):
        result = classify(ruleset, title="", text=f"{lead} {sentence}", language="en")
        assert result.stance == "neutral", sentence


# What may prompt a rule (bench/corpus/README.md, "Held-out hygiene"): a paragraph of the seed article, a named
# development or tuning set, a documented public fact, or a suggestion round on human labels. Held-out sets never.
KNOWN_SOURCE = re.compile(
    r"seed ¶\d|\b(dev|blind|blind-demo|blind-final|blind-s2|tune-2|tune-3|tune-4a|tune-4b|tune-5c|tune-5d|tune-6e|tune-6f|tune-7g|tune-7h)\.jsonl|public record|documented"
    r"|suggested from \d+ labels"
)


def test_every_rule_and_actor_names_the_source_that_prompted_it() -> None:
    ruleset = load_ruleset(RULES)
    origins = [(rule.rule_id, rule.origin) for rules in ruleset.language_rules for rule in rules.rules]
    origins += [(actor.name, actor.origin) for actor in ruleset.actors]
    unsourced = [(name, origin) for name, origin in origins if not KNOWN_SOURCE.search(origin)]
    assert not unsourced
    assert not [name for name, origin in origins if "heldout" in origin.casefold()]
    assert not [name for name, origin in origins if origin.casefold().strip() in ("general cue", "")]


def test_the_confidence_curve_needs_both_its_keys(tmp_path: Path) -> None:
    from stance.rules import check_rule_file

    both = MINIMAL.replace("threshold = 1.5", "threshold = 1.5\nconfidence_intercept = 0.1\nconfidence_slope = 1.6")
    assert check_rule_file(write(tmp_path, both, "both.toml")) == []
    ruleset = load_ruleset(write(tmp_path, both, "both.toml"))
    assert ruleset.scoring is not None and ruleset.scoring.confidence_slope == 1.6
    one = MINIMAL.replace("threshold = 1.5", "threshold = 1.5\nconfidence_intercept = 0.1")
    errors = check_rule_file(write(tmp_path, one, "one.toml"))
    assert [str(e).split(": ", 1)[1] for e in errors] == [
        "scoring: confidence_intercept and confidence_slope go together"
    ]
    with pytest.raises(RuleFileError, match="go together"):
        load_ruleset(write(tmp_path, one, "one.toml"))
