"""Text preparation for the classifier: case folding with offsets kept, paragraphs, sentences and quotations.

Everything here is pure and independent of letter case: sentence and quotation boundaries are found from
punctuation and spacing only, never from capital letters, so that upper-casing an article changes nothing.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

# Every double-quote style folds to '"', every single-quote style to "'", so rule patterns need only one form.
_QUOTE_FOLD_CHARS = {
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "«": '"',
    "»": '"',
    "＂": '"',
    "‹": '"',
    "›": '"',
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "ʼ": "'",
    "`": "'",
    "´": "'",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "‐": "-",
    "‑": "-",
}
_QUOTE_FOLD = str.maketrans(_QUOTE_FOLD_CHARS)
_DOUBLE_MARKS = frozenset('"“”„‟«»＂‹›')
_SINGLE_MARKS = frozenset("‘’‚‛'")
_ANY_MARK = re.compile("[" + re.escape("".join(sorted(_DOUBLE_MARKS | _SINGLE_MARKS))) + "]")
_OPEN_BEFORE = frozenset("([{—–-:/")  # a quote mark right after these opens a quotation
_CLOSE_AFTER = frozenset(".,;:!?)]}—–-…")  # a quote mark right before these closes one
# A sentence ends after [.!?…] (closing quotes and brackets after it go with the gap) or after [:;] when a
# quotation opens next; group 1 is the gap between the sentences. The punctuation is matched rather than looked
# behind at so that the regex engine can skip ahead to it (a leading look-behind is tried at every position).
_SENTENCE_END = re.compile(r"(?:[.!?…]|[:;](?=\s+[\"“„«‘]))([\"'”’»)\]]*\s+)")
_WORD = re.compile(r"\w+")
# A period after one of these does not end a sentence: titles, initials, dates and set abbreviations of the twelve
# rule languages ("Dr.", "U.S.", "Aug.", "z. B.", "bzw.", "M.", "S.A.", "t.ex.", "np.", "т. е."). Compared case-
# folded, with inner periods kept ("u.s", "m.in"); any single letter is an initial ("J. K. Rowling", "z. B.").
# Words that as often end a sentence are left out ("no.", "etc.", "usw.", "osv.", "и т. д.", "art.", "me.").
ABBREVIATIONS = frozenset(
    """
    mr mrs ms messrs dr drs prof rev hon gen col lt sgt capt gov rep st jr sr mt ft vs approx dept univ corp
    jan feb apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e a.m p.m ph.d
    hr hrn fr frau frl bzw vgl ggf inkl evtl sog z.b d.h u.a o.ä s.o s.u u.u ca nr abs bspw dt
    mme mmes mlle mm cf env p.ex s.a
    sra srta dra dña lic ee.uu p.ej ud uds núm pág
    sig sig.ra sigg dott dott.ssa avv pag p.es
    exa exmo exma v.exa
    dhr mevr mw bijv o.a d.w.z m.b.t i.p.v t.a.v m.a.w
    t.ex bl.a dvs s.k jfr resp f.d
    f.eks mht pga hhv jf evt
    np m.in tzw tj ul ks mgr inż
    т.е т.н проф ул
    """.split()
)


# No replacement above is itself replaced, so replacing the characters one after another equals str.translate,
# which costs a dict look-up per character (~40 ns: 0.2 ms for a 5,000-character article) where each str.replace
# is one fast scan.
_QUOTE_PAIRS = tuple(_QUOTE_FOLD_CHARS.items())
# Two or more whitespace characters: the runs that fold to one space and shift offsets. Written "\s\s+" rather than
# "\s{2,}" because the regex engine then skips ahead to the next whitespace character (about twice as fast).
_LONG_RUN = re.compile(r"\s\s+")


def fold_quotes(text: str) -> str:
    """Every quote mark style to '"' or "'", odd spaces to ' ', odd hyphens to '-': text.translate(_QUOTE_FOLD)."""
    for char, replacement in _QUOTE_PAIRS:
        if char in text:
            text = text.replace(char, replacement)
    return text


def collapse_whitespace(text: str) -> str:
    r"""Every whitespace run as one space, at the ends too: re.sub(r"\s+", " ", text), about three times as fast.

    str.split and the regex "\s" know the same whitespace characters (str.isspace).
    """
    words = text.split()
    if not words:
        return " " if text else ""
    return (" " if text[0].isspace() else "") + " ".join(words) + (" " if text[-1].isspace() else "")


class Folded:
    """The text rules are matched against: case-folded, quote marks unified, every whitespace run one space.

    Keeps a piecewise-linear map back to the original text (segment starts in both coordinates), so matches
    can be reported as written. Whitespace runs of two or more characters and the rare letters that fold to
    several ('ß' -> 'ss') are the only places where the two texts differ in length, and the only segment starts.
    """

    __slots__ = ("_fold_starts", "_orig_starts", "text")

    def __init__(self, original: str) -> None:
        translated = fold_quotes(original)  # one character for one: offsets unchanged
        folded = translated.casefold()
        # Case folding maps each character on its own, never to or from whitespace (tests check every code point),
        # so collapsing the runs after folding equals folding each stretch between runs.
        self.text = collapse_whitespace(folded)
        fold_starts = [0]
        orig_starts = [0]
        self._fold_starts = fold_starts
        self._orig_starts = orig_starts
        if len(folded) == len(translated):
            # The common case: only whitespace runs of two or more characters shift offsets.
            removed = 0
            for match in _LONG_RUN.finditer(translated):
                removed += match.end() - match.start() - 1
                fold_starts.append(match.end() - removed)
                orig_starts.append(match.end())
            return
        self._map_expanding(translated)

    def _map_expanding(self, translated: str) -> None:
        """Segment starts for a text with letters that fold to several ('ß' -> 'ss', 'İ' -> 'i̇', 'ﬁ' -> 'fi').

        Each folded letter of an expanding one maps back to that one original letter.
        """
        expanding = sorted(char for char in set(translated) if len(char.casefold()) != 1)
        shifts = re.compile(r"\s\s+|[" + re.escape("".join(expanding)) + "]")
        fold_starts, orig_starts = self._fold_starts, self._orig_starts
        shift = 0  # folded offset minus original offset after the last shift
        for match in shifts.finditer(translated):
            start, end = match.span()
            if end - start > 1:  # a whitespace run: one space
                shift -= end - start - 1
            else:
                produced = len(translated[start].casefold())
                for extra in range(produced):
                    fold_starts.append(start + shift + extra)
                    orig_starts.append(start)
                shift += produced - 1
            fold_starts.append(end + shift)
            orig_starts.append(end)

    def to_original(self, position: int) -> int:
        index = bisect.bisect_right(self._fold_starts, position) - 1
        return self._orig_starts[index] + (position - self._fold_starts[index])

    def to_folded(self, position: int) -> int:
        index = bisect.bisect_right(self._orig_starts, position) - 1
        folded = self._fold_starts[index] + (position - self._orig_starts[index])
        if index + 1 < len(self._fold_starts):
            folded = min(folded, self._fold_starts[index + 1])  # inside a collapsed run: its single space
        return folded


def fold_pattern_literal(source: str) -> str:
    """Prepare a rule pattern: fold the letters as the text is folded (escapes untouched), let a space match any
    run of spaces or hyphens and a hyphen match a hyphen, a space or nothing ('sex-work', 'sex work', 'sexwork')."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(source):
        char = source[index]
        if char == "\\" and index + 1 < len(source):
            out.append(source[index : index + 2])
            index += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
            out.append(char.translate(_QUOTE_FOLD).casefold())
        elif char == "[":
            in_class = True
            out.append(char)
        elif char in " -":
            quantified = index + 1 < len(source) and source[index + 1] in "?*+{"
            if quantified:
                out.append(r"[\s\-]")  # the author's own quantifier applies to one separator
            else:
                out.append(r"[\s\-]+" if char == " " else r"[\s\-]?")
        else:
            out.append(char.translate(_QUOTE_FOLD).casefold())
        index += 1
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int  # offsets into the prepared text
    end: int
    paragraph: int
    index: int  # position in the document, 0-based; the title's sentences come first


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # offset of the opening mark
    end: int  # offset just after the closing mark (or the end of the quoted paragraph)
    words: int

    def contains(self, position: int) -> bool:
        """Inside the quotation proper: the opening mark itself counts as outside (scare-quote rules match it)."""
        return self.start < position < self.end


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line: extracted articles put one paragraph per line."""
    out = []
    for match in re.finditer(r"[^\n]+", text):
        chunk = match.group()
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            out.append((match.start() + lead, match.start() + len(chunk.rstrip())))
    return out


# The word (with inner periods: "u.s", "z. b") just before a period.
_WORD_BEFORE = re.compile(r"(\w+(?:\.\s?\w+)*)$")


def _abbreviation_before(text: str, period: int) -> bool:
    word = _WORD_BEFORE.search(text, max(0, period - 24), period)
    if word is None:
        return False
    token = word.group(1).casefold().replace(" ", "")
    last = token.rsplit(".", 1)[-1]
    return (len(last) == 1 and last.isalpha()) or last in ABBREVIATIONS or token in ABBREVIATIONS


def sentences(text: str, paras: list[tuple[int, int]], first_index: int = 0) -> list[Sentence]:
    out: list[Sentence] = []
    for number, (start, end) in enumerate(paras):
        cursor = start
        for match in _SENTENCE_END.finditer(text, start, end):
            if text[match.start()] == "." and _abbreviation_before(text, match.start()):
                continue
            gap = match.start(1)
            if gap > cursor:
                out.append(Sentence(cursor, gap, number, first_index + len(out)))
            cursor = match.end()
        if end > cursor:
            out.append(Sentence(cursor, end, number, first_index + len(out)))
    return out


def _can_open(text: str, position: int) -> bool:
    before = text[position - 1] if position > 0 else " "
    after = text[position + 1] if position + 1 < len(text) else " "
    if text[position] in "„‚":
        return True
    if text[position] in "«‹" and (before.isspace() or before in _OPEN_BEFORE):
        return True  # French style puts a space inside: « texte »
    return (before.isspace() or before in _OPEN_BEFORE or before in _DOUBLE_MARKS) and not after.isspace()


def _can_close(text: str, position: int) -> bool:
    before = text[position - 1] if position > 0 else " "
    after = text[position + 1] if position + 1 < len(text) else " "
    if text[position] in "„‚":
        return False
    if text[position] in _SINGLE_MARKS and before.isalnum() and after.isalnum():
        return False  # an apostrophe inside a word: don't, l'homme
    if text[position] in "»›" and (after.isspace() or after in _CLOSE_AFTER):
        return True
    return not before.isspace() and (after.isspace() or after in _CLOSE_AFTER or after in _DOUBLE_MARKS)


def quotations(text: str, paras: list[tuple[int, int]]) -> list[Span]:
    """Quoted passages in every common style, including quotations that run over several paragraphs.

    Double marks (" “ ” „ « ») pair by context: a mark after a space opens, one before a space or punctuation
    closes, so both “English”, „German“, »German« and ”Swedish” styles work. Single marks (‘ ’ ') count only
    when an opening and a closing mark pair up inside one paragraph, since a lone one is usually an apostrophe.
    A paragraph that ends inside a double quotation carries it on when the next paragraph opens with a quote
    mark (the typographic convention) or closes a quotation it never opened.
    """
    spans: list[Span] = []
    carried_from: int | None = None
    for number, (start, end) in enumerate(paras):
        open_at: int | None = None
        depth = 0
        if carried_from is not None:
            first = text[start]
            closes_unopened = _closes_before_opening(text, start, end)
            if first in _DOUBLE_MARKS or closes_unopened:
                open_at = carried_from
                depth = 1
                if first in _DOUBLE_MARKS and not closes_unopened:
                    start += 1  # the repeated opening mark of a continued quotation
            else:
                spans.append(_span(text, carried_from, paras[number - 1][1]))
            carried_from = None
        single_open: int | None = None
        for mark in _ANY_MARK.finditer(text, start, end):
            position = mark.start()
            char = text[position]
            if char in _DOUBLE_MARKS:
                if open_at is None:
                    if _can_open(text, position):
                        open_at, depth = position, 1
                elif _can_close(text, position):
                    depth -= 1
                    if depth == 0:
                        spans.append(_span(text, open_at, position + 1))
                        open_at = None
                elif _can_open(text, position):
                    depth += 1  # a nested quotation using the same marks
            elif char in _SINGLE_MARKS and open_at is None:
                if single_open is None:
                    if _can_open(text, position):
                        single_open = position
                elif _can_close(text, position):
                    spans.append(_span(text, single_open, position + 1))
                    single_open = None
        if open_at is not None:
            carried_from = open_at
        elif single_open is not None and single_open == start:
            # A paragraph that opens with a single quote mark and never closes it is a quotation cut short.
            spans.append(_span(text, single_open, end))
    if carried_from is not None:
        spans.append(_span(text, carried_from, paras[-1][1]))
    return spans


def _closes_before_opening(text: str, start: int, end: int) -> bool:
    for mark in _ANY_MARK.finditer(text, start, end):
        if mark.group() in _DOUBLE_MARKS:
            return _can_close(text, mark.start()) and not _can_open(text, mark.start())
    return False


def word_matches(
    pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None
) -> Iterator[re.Match[str]]:
    """Matches of a rule pattern that start at a word boundary.

    Rule patterns carry no leading look-behind, which would stop the regex engine from skipping ahead to
    the pattern's first letters (about 40 times slower); the start boundary is checked here instead.
    """
    position = start
    limit = len(text) if end is None else end
    search = pattern.search
    while True:
        match = search(text, position, limit)
        if match is None:
            return
        start = match.start()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            position = start + 1
            continue
        yield match
        position = match.end() if match.end() > start else start + 1


def _span(text: str, start: int, end: int) -> Span:
    return Span(start, end, len(_WORD.findall(text, start, end)))


def snippet(text: str, start: int, end: int, limit: int = 300) -> str:
    """The sentence as a one-line string of at most `limit` characters, centred on nothing in particular."""
    plain = " ".join(text[start:end].split())
    return plain if len(plain) <= limit else plain[: limit - 1].rstrip() + "…"
