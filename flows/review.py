"""What `presswatch review` prints: the least sure articles of a week, each with a command to label it.

Pure: a review list in, lines out. The CLI prints them.
"""

from __future__ import annotations

from warehouse.review import ReviewList


def shell_quoted(text: str) -> str:
    """`text` in single quotes for a POSIX shell, always (a URL's `?` and `&` must not reach the shell)."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


def review_lines(review: ReviewList, *, topic: str, week: str, program: str = "presswatch") -> list[str]:
    if not review.items:
        return [f"{week}: no relevant article without a human label for {topic}; nothing to review"]
    shown = len(review.items)
    lines = [
        f"{week}, {topic}: the {shown} least sure of {review.candidates} relevant articles without a human label, "
        "least sure first. Each command confirms the machine's label; change --stance to correct it "
        "(supportive, opposed, neutral or off_topic).",
    ]
    for number, item in enumerate(review.items, start=1):
        flags = f" [{', '.join(item.flags)}]" if item.flags else ""
        lines += [
            "",
            f"{number}. {item.title}",
            f"   {item.outlet or '?'} · {item.published} · {item.url}",
            f"   machine: {item.stance}, confidence {item.confidence:.2f}, score {item.score:+.2f}{flags}",
        ]
        if item.evidence:
            lines += [f"   {e.weight:+.2f}  {e.rule_id}  “{' '.join(e.matched.split())}”" for e in item.evidence]
        else:
            lines.append("   no own-voice evidence: no stance cue in the author's own voice")
        lines.append(f"   {program} label {shell_quoted(item.url)} --topic {topic} --stance {item.stance}")
    return lines
