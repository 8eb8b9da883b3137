"""`presswatch classify`: articles from JSON Lines in, one JSON line of stance and evidence out, no warehouse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from typing import IO, Any

from flows.jsonl import article_problem, json_lines
from stance.classify import classify
from stance.model import StanceResult
from stance.rules import RuleSet


def result_json(item_id: Any, result: StanceResult) -> dict[str, Any]:
    """The output line of one article: its id, the label and the evidence that produced it."""
    return {
        "id": item_id,
        "relevant": result.relevant,
        "stance": result.stance,
        "score": round(result.score, 4),
        "confidence": round(result.confidence, 4),
        "language": result.language,
        "flags": list(result.flags),
        "ruleset_version": result.ruleset_version,
        "evidence": [asdict(evidence) for evidence in result.evidence],
        "voices": [{"name": v.name, "side": v.side, "mentions": v.mentions} for v in result.voices],
    }


def classify_lines(ruleset: RuleSet, stream: IO[bytes], name: str) -> Iterator[tuple[str, str | None]]:
    """(output line, problem) per input line: the result as JSON, or `{"line": N, "error": ...}` and the problem
    ("FILE:N: why") for a line that is not an article."""
    for number, item, invalid in json_lines(stream, name):
        problem = invalid or article_problem(item)
        if problem is not None:
            yield json.dumps({"line": number, "error": problem}), f"{name}:{number}: {problem}"
            continue
        result = classify(ruleset, title=str(item.get("title") or ""), text=item["text"], language=item.get("language"))
        yield json.dumps(result_json(item.get("id"), result), ensure_ascii=False), None
