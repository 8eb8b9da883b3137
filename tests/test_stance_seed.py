"""The seed article (kept outside the project, in ../shared) must classify as supportive, on its own voice."""

from __future__ import annotations

from pathlib import Path

import pytest

from stance.classify import classify
from stance.rules import load_ruleset
from tests.builders import RULES

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "amnesty-2015-article.txt"


@pytest.mark.skipif(not SEED.exists(), reason=f"seed article not available at {SEED} (CI has no ../shared)")
def test_seed_article_is_supportive_with_own_voice_evidence() -> None:
    result = classify(load_ruleset(RULES), title="", text=SEED.read_text(encoding="utf-8"))
    assert result.language == "en" and result.relevant
    assert result.stance == "supportive"
    own = [e for e in result.evidence if e.voice == "own" and e.kind == "stance" and e.weight > 0]
    assert len(own) >= 3
    # The abolitionist it quotes at length is evidence too, but quoted.
    assert any(e.voice == "quoted" and e.weight < 0 for e in result.evidence)
