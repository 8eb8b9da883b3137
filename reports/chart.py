"""The trend chart: weekly stance counts as stacked bars, milestones marked. Hand-written SVG, no plotting
library: small, deterministic (the golden test compares it byte for byte) and safe to embed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

# Colour-blind-safe (ColorBrewer Dark2) and the same order everywhere in the report.
COLOURS = {"supportive": "#1b9e77", "opposed": "#d95f02", "neutral": "#7570b3"}
WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 36, 64


@dataclass(frozen=True, slots=True)
class WeekBar:
    week: str  # "2015-W33"
    counts: dict[str, int]  # stance -> relevant articles
    milestones: tuple[str, ...] = ()  # labels of milestones falling in this week
    current: bool = False
    collected: bool | None = None  # False: nothing at all was stored for this week (None: not known)


def trend_svg(bars: Sequence[WeekBar], title: str) -> str:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max([sum(b.counts.values()) for b in bars] + [1])
    step = _nice_step(top)
    ymax = ((top + step - 1) // step) * step
    slot = plot_w / max(len(bars), 1)
    bar_w = max(4.0, slot * 0.7)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'font-family="sans-serif" font-size="11" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="18" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for tick in range(0, ymax + 1, step):
        y = TOP + plot_h - plot_h * tick / ymax
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{tick}</text>')
    years = {bar.week[:4] for bar in bars}
    for i, bar in enumerate(bars):
        x = LEFT + slot * i + (slot - bar_w) / 2
        base = float(TOP + plot_h)
        total = sum(bar.counts.values())
        for stance in ("supportive", "opposed", "neutral"):
            count = bar.counts.get(stance, 0)
            if not count:
                continue
            h = plot_h * count / ymax
            base -= h
            out.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{COLOURS[stance]}">'
                f"<title>{escape(bar.week)}: {count} {stance}</title></rect>"
            )
        label_x = LEFT + slot * i + slot / 2
        if total:
            out.append(f'<text x="{label_x:.1f}" y="{base - 3:.1f}" text-anchor="middle" fill="#333">{total}</text>')
        elif bar.collected is False:
            out.append(
                f'<text x="{label_x:.1f}" y="{TOP + plot_h - 4}" text-anchor="middle" fill="#999" font-size="9">'
                "no data</text>"
            )
        weight = ' font-weight="bold"' if bar.current else ""
        out.append(
            f'<text x="{label_x:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle" fill="#333"{weight}>'
            f"{escape(bar.week[-3:])}</text>"
        )
        # Twelve weeks across New Year: each year is named under its first week on the chart.
        if len(years) > 1 and (i == 0 or bars[i - 1].week[:4] != bar.week[:4]):
            out.append(
                f'<text x="{label_x:.1f}" y="{TOP + plot_h + 27}" text-anchor="middle" fill="#555">'
                f"{escape(bar.week[:4])}</text>"
            )
        line_x = LEFT + slot * i + 1  # at the start of the milestone's week, beside its bar
        right_half = line_x > LEFT + plot_w / 2
        for j, label in enumerate(bar.milestones):
            out.append(
                f'<line x1="{line_x:.1f}" x2="{line_x:.1f}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#222" '
                'stroke-dasharray="3,3"/>'
            )
            text_x, anchor = (line_x - 3, "end") if right_half else (line_x + 3, "start")
            room = (line_x - LEFT) if right_half else (WIDTH - RIGHT - line_x)
            shown = _fit(label, int(room / 5.5))  # about 5.5 px a character at 10 px
            out.append(
                f'<text x="{text_x:.1f}" y="{TOP + 10 + 12 * j}" fill="#222" font-size="10" text-anchor="{anchor}">'
                f"<title>{escape(label)}</title>{escape(shown)}</text>"
            )
    legend_x = LEFT
    for stance, colour in COLOURS.items():
        out.append(f'<rect x="{legend_x}" y="{HEIGHT - 22}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{legend_x + 14}" y="{HEIGHT - 13}">{stance}</text>')
        legend_x += 100
    caption = "relevant articles per ISO week (totals above the bars)"
    out.append(f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 13}" text-anchor="end" fill="#555">{caption}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _fit(label: str, chars: int) -> str:
    """A milestone label cut at a word to fit the chart (the full text is the element's title)."""
    if len(label) <= chars:
        return label
    cut = label[: max(chars - 1, 8)].rsplit(" ", 1)[0]
    return cut + "…"


def _nice_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if top / step <= 6:
            return step
    return 10_000
