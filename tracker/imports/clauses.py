"""Where one forecast of a sentence ends and the next begins: the condition of "if ..., then
..." and its main clause, the stretches of a sentence holding one cue each ("Trump has a 66-100
chance of winning, while Biden has a 33-100 chance"), and a second forecast that shares its
wording with the first ("will likely recoup most losses and finish the year down 3%", "17 named
storms, 9 hurricanes and four major hurricanes").
"""

from __future__ import annotations

import itertools
import re

from tracker.record import wep

_MODAL_END = re.compile(
    r"(?:\bwill|\bwould|\bcould|\bmay|\bmight|\bshould|['\u2019]ll|\bto|\blikely|\bexpects?|"
    r"\bforecasts?|\bpredicts?|\bsees?|\bprojects?|\bexpecting|\bforecasting|\bpredicting|"
    r"\bprojecting)$",
    re.IGNORECASE,
)
# A list of figures that share one wording, each a forecast of its own: "is expected to reach
# 3.2%, in the United Kingdom 4.3% and in Ireland 3.0%", "inflation of 2.1% in Western Europe
# and 2.4% in North America".
_FIGURE = r"[$\u20ac\u00a3]?\d[\d.,]*\s*(?:%|percent|per\s+cent|million|billion|bn|trillion)"
# The same, with a currency code before it ("CHF5.16 billion").
_FIGURE_START = rf"(?:[A-Z]{{3}}\s?)?{_FIGURE}"
_LISTED_FIGURE = re.compile(
    rf"(?:,\s+|\s+and\s+)(?:(?:in|for)\s+(?:the\s+)?[A-Z][\w.]*(?:\s+[A-Z][\w.]*){{0,3}}\s+{_FIGURE}"
    rf"|{_FIGURE}\s+(?:in|for)\s+(?:the\s+)?(?:[A-Z][\w.]*|20\d\d|next\s+year))"
)
# A list of counts right after a wording: "17 named storms, 9 hurricanes and four major
# hurricanes" (each count a number and a plural noun with at most three words before it).
_COUNT = (
    r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r"\s+(?:[\w-]+\s+){0,3}?[a-z-]+s\b"
)
_COUNT_LIST = re.compile(
    # (a parenthesis between dashes may come first: "forecast — considered one of the best
    # — calls for 17 named storms")
    rf"\s+(?:[\u2014\u2013]\s+[^\u2014\u2013.;]{{1,100}}?\s+[\u2014\u2013]\s+)?(?:[a-z]+\s+){{0,3}}?"
    rf"{_COUNT}(?P<rest>(?:,\s+{_COUNT})*,?\s+and\s+{_COUNT})",
    re.IGNORECASE,
)
_COUNT_ITEM = re.compile(rf"(?:,\s+(?:and\s+)?|\s+and\s+)(?P<n>{_COUNT})", re.IGNORECASE)
_AND_VERB = re.compile(r"\s+and\s+(?:also\s+|then\s+|even\s+)?(?P<verb>[a-z]+)\s+(?P<next>\S+)")
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_AND_FIGURE = re.compile(
    r"\s+and\s+(?=[$\u20ac\u00a3]?\d[\d.,]*\s*(?:%|million|billion|bn|m|trillion)?[^,;]{0,30}?"
    r"(?:\b(?:in|by|for|(?:at|by)\s+the\s+end\s+of)\s+(?:20\d\d|next\s+year)|\bnext\s+year"
    # "100 million doses by the end of March, and 300 million by the end of July"
    rf"|\b(?:by|at)\s+the\s+(?:end|middle|start)\s+of\s+{_MONTH}|\bby\s+{_MONTH})\b)"
)
# A second year for the same forecast: "are expecting price drops in 2023 and 2024".
_AND_YEAR = re.compile(r"\bin\s+20\d\d\s+and\s+(?=20\d\d\b)")
# A forecast's comparison with the consensus, the analysts' forecast: "compared with an estimate
# of $14.35 billion", "above analysts' estimate of 32 cents".
_ESTIMATE = re.compile(
    r",?\s+(?:compared\s+with|versus|vs\.?|above|below|ahead\s+of|beating|topping|missing)\s+"
    r"(?=(?:an?\s+|the\s+)?(?:(?:analysts|Wall\s+Street)['\u2019]s?\s+|consensus\s+|average\s+)*"
    r"(?:estimates?|forecasts?|expectations?)\s+(?:of|for)\s+[$\u20ac\u00a3]?\d)"
)
# The same event again at a later time: "will cut rates in September, and again in December".
_AND_AGAIN = re.compile(r",?\s+and\s+again\s+(?=(?:in|on|by|at|next|later)\b)")
# A forecast's figure it replaces, an entry of its own: "to reach 2.6% this year, down from
# 2.7% in the previous month", "2.8% in 2025 (up from 2.2%)", "more than the previous estimate
# of 9.7%". A figure of now ("down from 3% last year") is not one.
_SUPERSEDED = re.compile(
    rf",\s+(?=(?:up|down)\s+from\s+{_FIGURE}\s+(?:in|at)\s+(?:the|its|their|an?)\s+"
    r"(?:\w+\s+)?(?:month|survey|poll|forecast|estimate|outlook|report|projection)s?\b)"
    rf"|\s+\((?=(?:up|down)\s+from\s+{_FIGURE}\))"
    rf"|\b(?=(?:the|its|their)\s+(?:previous|earlier|prior|initial|original)\s+(?:estimate|forecast|"
    r"projection|prediction|call|target|guidance)\s+(?:of|for)\s+)"
    r"|,\s+(?=(?:up|down)\s+from\s+(?:USD\s*|[$\u20ac\u00a3])?\d[\d.,]*\s*(?:%|percent|million|"
    r"billion)?\s+previously\b)"
)
_OBJECT_START = re.compile(
    r"(?:the|a|an|its|their|his|her|our|it|them|up|down|out|on|in|to|into|at|by|from|with|over|"
    r"below|above|rates?|prices?|interest|[$\u20ac\u00a3]?\d\S*)$",
    re.IGNORECASE,
)


# A figure tacked on with "with": "expected revenue of CHF5.16 billion, with organic growth of
# 9.2%", "growth of 14%, with margins of 39.5% by year end" (a measure and its figure), but not
# "with volumes dipping to 1.39 billion" or "with the majority above $200" (how the first goes).
_WITH_FIGURE = re.compile(
    rf",\s+with\s+(?:[\w-]+\s+){{1,5}}?of\s+(?:around\s+|about\s+|roughly\s+)?"
    rf"(?:{_FIGURE_START}|[$\u20ac\u00a3]\d[\d,.]*)"
    # "..., with sales reaching 400 million by 2023": a figure with a later date of its own.
    rf"|,\s+with\s+[^,;]{{3,60}}?{_FIGURE}\s+(?:by|in)\s+(?:the\s+end\s+of\s+)?20\d\d\b"
)


def _lead(text: str) -> int:
    """How many commas and spaces open `text`."""
    return len(text) - len(text.lstrip(", "))


def coordinated(clause: str, wordings: list[wep.Wording]) -> list[wep.Wording]:
    """A second forecast that shares its wording with the first: "will likely recoup most
    losses and finish the year down 3%" (a verb joined by "and"), "a surplus of 1.1 million bpd
    in 2025 and 1.6 million bpd in 2026" (a figure for another year), "revenue of CHF5 billion,
    with organic growth of 9.2%" (a measure added with "with"). Each is read with the wording of
    the forecast it follows."""
    import lemminflect  # here, not at the top: see facts._past_form

    found: list[wep.Wording] = []
    for wording in wordings:
        semicolon = clause.find(";", wording.end)
        limit = semicolon if semicolon >= 0 else len(clause)
        figure = _WITH_FIGURE.search(clause, wording.end, limit)
        if figure and figure.start() - wording.end < 160:
            at = figure.start() + len(figure.group(0)) - len(figure.group(0).lstrip(", "))
            if all(w.start != at for w in found):
                found.append(wep.Wording(at, at + 4, wording.reading))
        for later in (_SUPERSEDED, _AND_AGAIN, _AND_YEAR, _ESTIMATE):
            for match in later.finditer(clause, wording.end, min(limit, wording.end + 200)):
                at = match.start() + _lead(match[0]) if later is _AND_AGAIN else match.end()
                if all(abs(w.start - at) > 4 for w in found):
                    found.append(wep.Wording(at, at + 2, wording.reading))
    joined: list[wep.Wording] = []
    for wording in wordings:  # "will likely": one wording, read as one
        last = joined[-1] if joined else None
        if last is not None and not clause[last.end : wording.start].strip():
            phrase = clause[last.start : wording.end]
            joined[-1] = wep.Wording(last.start, wording.end, wep.read_phrase(phrase))
        else:
            joined.append(wording)
    for wording in joined:
        if not _MODAL_END.search(wording.reading.phrase):
            continue
        stop = _BREAK.search(clause, wording.end)
        end = stop.start() if stop else len(clause)
        tail = clause[wording.end : min(end, wording.end + 160)]
        for match in _AND_VERB.finditer(tail):
            verb = match["verb"]
            lemmas = lemminflect.getAllLemmas(verb)
            if lemmas.get("VERB") != (verb,) or verb in ("be", "have", "do"):
                continue
            if "NOUN" in lemmas and not _OBJECT_START.match(match["next"]):
                continue
            at = wording.end + match.start() + 1
            if all(w.start != at for w in found):
                found.append(wep.Wording(at, at + 3, wording.reading))
            break
        else:
            figure = _AND_FIGURE.search(tail)
            if figure:
                at = wording.end + figure.start() + 1
                if all(w.start != at for w in found):
                    found.append(wep.Wording(at, at + 3, wording.reading))
        counts = _COUNT_LIST.match(clause, wording.end)
        if counts:
            # "calls for 17 named storms, 9 hurricanes and four major hurricanes": a forecast
            # for each count of the list
            for item in _COUNT_ITEM.finditer(clause, counts.start("rest"), counts.end()):
                # each piece starts at its count, or at the "and" before it
                lead = re.match(r",?\s*", item.group(0))
                at = item.start() + (lead.end() if lead else 0)
                if all(abs(w.start - at) > 4 for w in found):
                    found.append(wep.Wording(at, at + 3, wording.reading))
        if not re.search(_FIGURE, tail[:80]):
            continue  # a list goes on from the wording's own figure
        for item in _LISTED_FIGURE.finditer(tail):
            lead = re.match(r",?\s*", item.group(0))
            at = wording.end + item.start() + (lead.end() if lead else 0)
            if item.start() > 0 and all(abs(w.start - at) > 4 for w in found):
                found.append(wep.Wording(at, at + 3, wording.reading))
    return found


_CONDITION_FIRST = re.compile(
    r"^(?P<lead>\W*(?:but|and|so|yet|still|now)?,?\s*)"
    r"(?P<word>if|unless|should|provided\s+that|as\s+long\s+as|without|absent|"
    r"in\s+the\s+absence\s+of)\s+(?!(?:a\s+)?(?:doubt|question|fail|delay)\b)"
    r"(?P<condition>[^,;]+?)(?:,\s*(?:then\s+)?|\s+then\s+)(?P<main>.+)$",
    re.IGNORECASE | re.DOTALL,
)
# "Analysts say that if talks fail then prices will rise": "if ... then" inside a sentence.
_CONDITION_THEN = re.compile(
    r"^.*?\b(?P<word>if)\s+(?P<condition>[^,;]+?),?\s+then\s+(?P<main>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_CONDITION_LAST = re.compile(
    r"^(?P<main>.+?),?\s+(?P<word>if|unless|provided\s+that|as\s+long\s+as)\s+"
    r"(?P<condition>[^,;]+?)[.!]?$",
    re.IGNORECASE | re.DOTALL,
)
_NOT_CONDITIONAL = re.compile(
    r"\b(?:ask|asks|asked|wonder|wonders|wondered|know|see|whether|even)\s*$"
)


def split_condition(sentence: str) -> tuple[str | None, int, int]:
    """(condition, start, end of the main clause) of "if ..., then ...", "without a deal, ...",
    "... if ... then ..." and "... if ..."."""
    first = _CONDITION_FIRST.match(sentence)
    if first:
        condition = first.group("condition").strip()
        word = " ".join(first.group("word").lower().split())
        if word not in ("if", "should", "provided that", "as long as"):
            condition = f"{word} {condition}"  # "unless ...", "without a deal"
        return condition, first.start("main"), len(sentence)
    then = _CONDITION_THEN.match(sentence)
    if then:
        return then.group("condition").strip(), then.start("main"), len(sentence)
    last = _CONDITION_LAST.match(sentence)
    if last and not _NOT_CONDITIONAL.search(last.group("main")):
        condition = last.group("condition").strip()
        if last.group("word").lower() == "unless":
            condition = "unless " + condition
        return condition, 0, last.end("main")
    return None, 0, len(sentence)


# Where one forecast of a sentence may end and the next begin.
_BREAK = re.compile(
    r"\s*;\s*|\s+[\u2013\u2014-]\s+|[\u2013\u2014]|\s*\u2026\s+(?=[A-Z])"
    r"|,\s+[\u201c\"]?(?=(?:and|while|whereas|but|although|though|which|when)\b)"
    r"|\s+(?=(?:while|whereas)\b)"
    r"|,\s+(?=[A-Z0-9])"
    r"|,\s+(?=(?:the\s+)?(?:remainder|rest|others)\b)"
    r"|\s+(?=(?:and|but)\s+(?:\w+\s+){0,7}?(?:will|would|could|may|might|is|are|has|have|see|sees|"
    r"said|says)\b)"
    # "..., with Southampton having a 2.3% chance", "the 35% favourite with Johnson given
    # 21%", but not "likely to win, with a 92.8% chance" (one forecast and its number).
    r"|,\s+(?=with\s+(?!(?:an?|the|only|just|about|around)\s+[\d.]+\s*%)(?!an?\s+\d))"
    r"|\s+(?=with\s+(?:(?:an?|the)\s+)?[A-Z]|with\s+the\s+(?:betting\s+)?odds\b)"
    r"|\s+(?=and\s+(?:an?|the)\s+[\d.]+\s*%(?!\s+implied))"
    r"|,\s+(?=(?:an?|the)\s+(?:\w+\s+){0,2}(?:that|which)\s+(?:will|would|could|may|might)\b)",
)


# "Gartner predicts that by 2028, 30% of ... will": a time phrase after "that" opens the clause
# it introduces, so the comma after it is no break.
_INTRODUCED = re.compile(
    r"\bthat\s+(?:by|in|from|until|before|after|over|within|during|next|this)\b[^,;]{0,25}$",
    re.IGNORECASE,
)


# "While the bill is expected to pass, the fight is expected to go on": the comma that closes a
# clause opening the sentence ends a forecast, unless what follows only judges it ("While some
# hope sanctions might work, this is unlikely").
_OPENING_CLAUSE = re.compile(
    r"\W*(?:While|Although|Though|Whereas|Even\s+though|Even\s+if)\b[^,;:]{3,200}?,\s+"
    r"(?!(?:this|that|it|which)\s+(?:is|was|seems|looks|appears)\b)"
)


def clauses(text: str, anchors: list[int], more: list[int] | None = None) -> list[tuple[int, int]]:
    """The stretches of `text` holding one forecast each, for cues at `anchors` (offsets):
    the text is cut at clause breaks (and at `more`), and each stretch holding a cue runs on
    over the following stretches without one. One stretch (the whole text) when the cues share
    a stretch."""
    breaks = [
        m.end()
        for m in _BREAK.finditer(text)
        if m.start() > 0 and not _INTRODUCED.search(text, max(0, m.start() - 40), m.start())
    ] + list(more or ())
    opening = _OPENING_CLAUSE.match(text)
    if opening:
        breaks.append(opening.end())
    cuts = [0, *sorted(set(breaks)), len(text)]
    pieces = [(a, b) for a, b in itertools.pairwise(cuts) if b > a]
    marked = [any(a <= x < b for x in anchors) for a, b in pieces]
    if sum(marked) < 2:
        return [(0, len(text))]
    spans: list[list[int]] = []
    lead = 0  # stretches before the first cue belong to the first forecast
    for (a, b), has in zip(pieces, marked, strict=True):
        if has:
            spans.append([a if spans else lead, b])
        elif spans:
            spans[-1][1] = b
    result = []
    for a, b in spans:
        piece = text[a:b]
        left = len(piece) - len(piece.lstrip(" ,;:\u2013\u2014-"))
        right = len(piece.rstrip(" ,;:.\u2013\u2014-"))
        if right > left:
            result.append((a + left, a + right))
    return result or [(0, len(text))]
