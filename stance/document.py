"""A prepared article: folded text, sentences, quotations and the voice (own / quoted) of every position.

Built once per article and shared by the relevance gate and the stance scoring, which only ask it questions.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from stance.model import VoiceKind
from stance.prefix import WordIndex
from stance.rules import LanguageRules
from stance.text import Folded, Sentence, Span, paragraphs, quotations, sentences, snippet, word_matches

# Quotations of at most this many words are mentions or scare quotes ("sex work"), not someone speaking.
SHORT_QUOTE_WORDS = 4
# A paragraph opening with a dash is reported speech in Swedish, Spanish, French, Polish and Russian news.
_DASH_SPEECH = re.compile(r"^[–—―]\s")
# "Schwarzer: Ich bin ..." - an interview answer. One to three words then a colon, at the paragraph start.
_SPEAKER_LABEL = re.compile(r"^(\w[\w.'’\-]*)(?:\s+\w[\w.'’\-]*){0,2}:\s+\S")
# Labels that are the interviewer's or the outlet's own, not a quoted speaker.
_OWN_LABELS = frozenset(
    "q question questions frage fragen pregunta question fråga update note editor editors photo image "
    "read related source sources tags tag by von par por av".split()
)


@dataclass
class Document:
    original: str  # title + blank line + text
    folded_text: Folded
    title_end: int  # offsets below this are the headline
    sentences: list[Sentence]
    spans: list[Span]
    quoted_paragraphs: set[int]
    paragraph_spans: list[tuple[int, int]] = field(default_factory=list)
    # Paragraphs holding an interviewee's answers (their prompts excluded), when the piece is laid out as one.
    interview_answers: set[int] = field(default_factory=set)
    skip_until: int = 0  # a repeated headline at the top of the text is not counted twice
    _starts: list[int] = field(default_factory=list)
    _span_starts: list[int] = field(default_factory=list)
    _attributed: dict[int, bool] = field(default_factory=dict)
    _index: WordIndex | None = None
    _snippets: dict[int, str] = field(default_factory=dict)
    _openers: dict[int, int] = field(default_factory=dict)
    _concessions: dict[int, int | None] = field(default_factory=dict)
    _outside: dict[int, str] = field(default_factory=dict)
    _folded_sentences: dict[int, str] = field(default_factory=dict)

    _word_keys: re.Pattern[str] | None = None

    @classmethod
    def prepare(cls, title: str, text: str, word_keys: re.Pattern[str] | None = None) -> Document:
        title = title.strip()
        original = f"{title}\n\n{text}" if title else text
        title_end = len(title)
        paras = paragraphs(original)
        answers, prompts = _interview_paragraphs(original, paras, title_end)
        doc = cls(
            original=original,
            folded_text=Folded(original),
            title_end=title_end,
            sentences=sentences(original, paras),
            spans=sorted(quotations(original, paras), key=lambda span: (span.start, span.end)),
            quoted_paragraphs=_speech_paragraphs(original, paras, title_end) | answers | prompts,
            paragraph_spans=paras,
            interview_answers=answers,
        )
        doc._word_keys = word_keys
        doc._starts = [s.start for s in doc.sentences]
        doc._span_starts = [s.start for s in doc.spans]
        if title:
            doc.skip_until = _repeated_headline_end(original, paras, title_end)
        return doc

    # --- positions -------------------------------------------------------------------------------------------

    @property
    def folded(self) -> str:
        return self.folded_text.text

    def matches(self, pattern: re.Pattern[str], prefixes: frozenset[str] | None) -> Iterator[re.Match[str]]:
        """Word-boundary matches of a rule pattern in the folded text (via the word index when possible)."""
        if self._index is None:
            self._index = WordIndex(self.folded, self._word_keys)
        return self._index.matches(pattern, prefixes)

    def to_original(self, position: int) -> int:
        return self.folded_text.to_original(position)

    def sentence_at(self, position: int) -> Sentence | None:
        """The sentence holding an original-text position (None for the blank line after the title)."""
        index = bisect.bisect_right(self._starts, position) - 1
        if index < 0:
            return None
        sentence = self.sentences[index]
        return sentence if position <= sentence.end else None

    def span_at(self, position: int) -> Span | None:
        index = bisect.bisect_right(self._span_starts, position) - 1
        while index >= 0:
            span = self.spans[index]
            if span.contains(position):
                return span
            if span.end < position and span.start < position - 2000:
                break
            index -= 1
        return None

    def in_title(self, position: int) -> bool:
        return position < self.title_end

    def folded_sentence(self, sentence: Sentence) -> str:
        cached = self._folded_sentences.get(sentence.index)
        if cached is None:
            cached = self.folded[self.fold_offset(sentence.start) : self.fold_offset(sentence.end)]
            self._folded_sentences[sentence.index] = cached
        return cached

    def fold_offset(self, original: int) -> int:
        return self.folded_text.to_folded(original)

    def snippet(self, sentence: Sentence | None, position: int) -> str:
        if sentence is None:
            return snippet(self.original, max(0, position - 150), position + 150)
        cached = self._snippets.get(sentence.index)
        if cached is None:
            cached = self._snippets[sentence.index] = snippet(self.original, sentence.start, sentence.end)
        return cached

    # --- voice ------------------------------------------------------------------------------------------------

    def outside_quotes(self, sentence: Sentence) -> str:
        """The folded sentence with quotation interiors blanked, for cues that must be the author's words."""
        cached = self._outside.get(sentence.index)
        if cached is not None:
            return cached
        folded = self.folded_sentence(sentence)
        # Spans are sorted by start: only those starting before the sentence ends can overlap it (nested ones too).
        last = bisect.bisect_left(self._span_starts, sentence.end)
        overlapping = [
            span for span in self.spans[:last] if span.end > sentence.start and span.words > SHORT_QUOTE_WORDS
        ]
        if not overlapping:
            self._outside[sentence.index] = folded
            return folded
        text = list(folded)
        base = self.fold_offset(sentence.start)
        for span in overlapping:
            low = max(self.fold_offset(span.start + 1), base) - base
            high = min(self.fold_offset(span.end - 1), base + len(text)) - base
            for index in range(max(low, 0), max(high, 0)):
                text[index] = " "
        result = self._outside[sentence.index] = "".join(text)
        return result

    def attributed(self, sentence: Sentence, rules: LanguageRules | None) -> bool:
        """Is this sentence reported speech ("..., said X", "according to X", "X argues that ...")?"""
        cached = self._attributed.get(sentence.index)
        if cached is not None:
            return cached
        result = False
        if rules is not None and rules.attribution is not None:
            plain = self.outside_quotes(sentence)
            if _reports(rules, plain):
                result = not (rules.first_person is not None and _found(rules.first_person, plain))
        self._attributed[sentence.index] = result
        return result

    def voice_at(self, position: int, sentence: Sentence | None, rules: LanguageRules | None) -> VoiceKind:
        if self.span_at(position) is not None:
            return "quoted"
        if sentence is None:
            return "own"
        if sentence.paragraph in self.quoted_paragraphs:
            return "quoted"
        return "quoted" if self.attributed(sentence, rules) else "own"


def _found(pattern: re.Pattern[str], text: str) -> bool:
    return next(word_matches(pattern, text), None) is not None


def _reports(rules: LanguageRules, plain: str) -> bool:
    """An attribution cue that is not part of a phrase reporting nobody ("its core demand", "would have said") and
    whose speaker is not the author ("we urge", "wir fordern", "vi krever": first-person speech stays own)."""
    assert rules.attribution is not None
    cues = list(word_matches(rules.attribution, plain))
    if not cues:
        return False
    covered = (
        [(m.start(), m.end()) for m in word_matches(rules.attribution_exceptions, plain)]
        if rules.attribution_exceptions is not None
        else []
    )
    for cue in cues:
        if any(start <= cue.start() < end for start, end in covered):
            continue
        if rules.self_reference is not None and _spoken_by_self(rules.self_reference, plain, cue.start()):
            continue
        return True
    return False


# A first-person pronoun this many words before a reporting verb makes it the author's own speech ("we strongly
# urge", "vi krever", "nous demandons"); further back it is usually someone else's ("we asked X, who said").
_SELF_SPEAKER_WORDS = 2


def _spoken_by_self(self_reference: re.Pattern[str], plain: str, cue: int) -> bool:
    words = plain[max(0, cue - 40) : cue].split()[-_SELF_SPEAKER_WORDS:]
    return any(self_reference.fullmatch(word.strip(",;:\"'")) for word in words)


def _speech_paragraphs(text: str, paras: list[tuple[int, int]], title_end: int) -> set[int]:
    out = set()
    for number, (start, end) in enumerate(paras):
        if start < title_end:
            continue  # "Topic: verdict" is a headline pattern, not a speaker label
        chunk = " ".join(text[start:end].split())
        if _DASH_SPEECH.match(chunk):
            out.add(number)
            continue
        label = _SPEAKER_LABEL.match(chunk)
        # An answer runs on; a short "Name: something" line is more likely a caption or heading.
        if label and len(chunk) > 60 and label.group(1).casefold().strip(".") not in _OWN_LABELS:
            out.add(number)
    return out


# An interviewer's prompt is one short line; longer first lines are an article's own paragraphs.
PROMPT_WORDS = 40
# This many prompt-and-answer blocks whose prompt is a question make a piece an interview (or a Q&A).
INTERVIEW_QUESTIONS = 2


def _interview_paragraphs(text: str, paras: list[tuple[int, int]], title_end: int) -> tuple[set[int], set[int]]:
    """Prompts and answers of an interview laid out as blocks: a short prompt line, then the answer's lines.

    In an interview the answers are the interviewee's words and the prompts the interviewer's (often the critics'
    objections put to the interviewee): neither is the outlet's verdict. A piece counts as an interview when at
    least two blank-line-separated blocks open with a short line ending in "?" followed by more lines; then
    every such prompt-and-answer block after the first of them is someone else's voice. The introduction before
    the first question stays the outlet's own. Returns (answer paragraphs, prompt paragraphs).
    """
    blocks: list[list[int]] = []
    for number, (start, _) in enumerate(paras):
        if start < title_end:
            continue
        if blocks and "\n\n" not in text[paras[number - 1][1] : start].replace(" ", "").replace("\t", ""):
            blocks[-1].append(number)
        else:
            blocks.append([number])

    def prompt(block: list[int]) -> str | None:
        if len(block) < 2:
            return None
        start, end = paras[block[0]]
        line = text[start:end].strip()
        return line if len(line.split()) <= PROMPT_WORDS else None

    questions = [i for i, block in enumerate(blocks) if (line := prompt(block)) is not None and line.endswith("?")]
    if len(questions) < INTERVIEW_QUESTIONS:
        return set(), set()
    laid_out = [block for block in blocks[questions[0] :] if prompt(block) is not None]
    return {number for block in laid_out for number in block[1:]}, {block[0] for block in laid_out}


def _repeated_headline_end(original: str, paras: list[tuple[int, int]], title_end: int) -> int:
    """If one of the first lines of the text repeats the headline, the offset where it ends (else 0)."""
    headline = " ".join(original[:title_end].casefold().split())
    for start, end in paras[1:4]:
        if start < title_end:
            continue
        if " ".join(original[start:end].casefold().split()) == headline:
            return end
    return 0
