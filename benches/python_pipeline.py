#!/usr/bin/env python3
"""The Python twin of `claimstance run`, for the whole-run benchmark.

The job a Python user would assemble from well-known packages: read a JSONL
dump, normalize each text (boilerplate lines and dateline prefixes dropped
with the rules of lexicons/boilerplate.csv, compiled by the `regex` package;
NFKC and typographic quotes folded with `unicodedata` and `str.translate`),
split sentences with spaCy's sentencizer (blank English pipeline) or pySBD,
find actor aliases from lexicons/actors.csv with pyahocorasick
(leftmost-longest, word boundaries, case-sensitive where the lexicon says so),
score each sentence with VADER, and write documents.csv, normalized.csv,
sentences.csv, mentions.csv, claims.csv and doc_stance.csv with the csv
module. Documents are annotated by a multiprocessing pool (two workers by
default) whose `imap` keeps the input order.

It is a like-for-like load, not a re-implementation of the annotation guide:
offsets are character offsets into the normalized text, only the line and
prefix boilerplate rules are applied (not the section, list and caption
rules), and a "claim" is a sentence with an actor mention and a VADER
compound score of at least 0.05 in magnitude (its first actor is the holder,
the sign is the stance). `--no-normalize` skips normalization and
normalized.csv (the twin as it was before 2026-11-30).

Usage (from the repo root, in the venv that benches/whole_run.py creates):
    target/pybench/bin/python benches/python_pipeline.py DUMP.jsonl --out DIR
        [--segmenter spacy|pysbd] [--workers 2] [--actors lexicons/actors.csv]
        [--boilerplate lexicons/boilerplate.csv] [--no-normalize]
Prints one summary line on stdout: documents, sentences, mentions, claims,
bytes read and seconds.
"""

import argparse
import bisect
import csv
import json
import multiprocessing
import os
import sys
import time
import unicodedata

# Lexicon `case` values meaning "match the alias exactly as written".
CASE_SENSITIVE_VALUES = {"sensitive", "exact", "cs", "match", "yes", "true", "1", "case"}

# Per-worker state, built once by `init_worker`.
_segment = None
_automaton_exact = None
_automaton_folded = None
_vader = None
_line_rules = None
_prefix_rules = None
_except_rules = None
_any_line_rule = None
_any_prefix_rule = None

# Typographic quotes and dashes folded to ASCII before matching and scoring.
FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
                      "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
                      "\u2013": "-", "\u2014": "-", "\u00a0": " "})


def read_actor_aliases(path):
    """(alias, actor, case_sensitive) rows of an actors.csv lexicon."""
    aliases = []
    if not os.path.exists(path):
        return aliases
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            alias = (row.get("alias") or "").strip()
            actor = (row.get("actor") or "").strip()
            if not alias or not actor or alias.startswith("#") or actor.startswith("#"):
                continue
            case = (row.get("case") or "").strip().lower()
            if case:
                sensitive = case in CASE_SENSITIVE_VALUES
            else:
                # No case column value: short all-capital aliases (US, IS, UN)
                # are only meant in capitals.
                sensitive = alias.isupper() and len(alias) <= 4
            aliases.append((alias, actor, sensitive))
    return aliases


def read_boilerplate(path):
    """Compiled (pattern, kind, max_bytes) rules of a boilerplate.csv lexicon,
    grouped by scope: line, prefix and except (the other scopes are left out)."""
    import regex

    rules = {"line": [], "prefix": [], "except": []}
    if not os.path.exists(path):
        return rules
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            pattern = row.get("pattern") or ""
            if not pattern or pattern.startswith("#"):
                continue
            scope = (row.get("scope") or "").strip() or "line"
            if scope not in rules:
                continue
            try:
                compiled = regex.compile(pattern, regex.V1)
            except regex.error:
                continue
            max_bytes = (row.get("max_bytes") or "").strip()
            rules[scope].append((compiled, row.get("kind") or "", int(max_bytes) if max_bytes.isdigit() else None))
    return rules


def any_of(rules):
    """One pattern matching what any of `rules` matches: a cheap first test,
    since most lines match no rule."""
    import regex

    parts = []
    for rule, _, _ in rules:
        pattern = rule.pattern
        parts.append(f"(?i:{pattern[4:]})" if pattern.startswith("(?i)") else f"(?:{pattern})")
    return regex.compile("|".join(parts), regex.V1) if parts else None


def normalize(text):
    """The kept text (boilerplate lines and dateline prefixes dropped, lines
    joined by blank lines, NFKC and quotes folded), and the characters dropped."""
    kept, dropped = [], 0
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        size = len(line.encode("utf-8"))
        if (
            _any_line_rule is not None
            and _any_line_rule.fullmatch(line)
            and any((limit is None or size <= limit) and rule.fullmatch(line) for rule, _, limit in _line_rules)
        ):
            dropped += len(line)
            continue
        if _any_prefix_rule is not None and _any_prefix_rule.match(line) and not any(
            rule.match(line) for rule, _, _ in _except_rules
        ):
            for rule, _, limit in _prefix_rules:
                found = rule.match(line)
                if found and (limit is None or size <= limit):
                    dropped += found.end()
                    line = line[found.end():].strip()
                    break
        if line:
            kept.append(line)
    return unicodedata.normalize("NFKC", "\n\n".join(kept)).translate(FOLD), dropped


def build_automata(aliases):
    import ahocorasick

    exact = ahocorasick.Automaton()
    folded = ahocorasick.Automaton()
    n_exact = n_folded = 0
    for alias, actor, sensitive in aliases:
        if sensitive:
            exact.add_word(alias, (len(alias), actor))
            n_exact += 1
        else:
            folded.add_word(alias.lower(), (len(alias), actor))
            n_folded += 1
    if n_exact:
        exact.make_automaton()
    if n_folded:
        folded.make_automaton()
    return (exact if n_exact else None), (folded if n_folded else None)


def init_worker(segmenter, actors_path, boilerplate_path):
    global _segment, _automaton_exact, _automaton_folded, _vader
    global _line_rules, _prefix_rules, _except_rules, _any_line_rule, _any_prefix_rule
    if boilerplate_path is not None:
        rules = read_boilerplate(boilerplate_path)
        _line_rules, _prefix_rules, _except_rules = rules["line"], rules["prefix"], rules["except"]
        _any_line_rule, _any_prefix_rule = any_of(_line_rules), any_of(_prefix_rules)
    if segmenter == "pysbd":
        import pysbd

        seg = pysbd.Segmenter(language="en", clean=False, char_span=True)

        def segment(text):
            return [(s.start, s.end) for s in seg.segment(text)]

    else:
        import spacy

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.max_length = 10**9

        def segment(text):
            return [(s.start_char, s.end_char) for s in nlp(text).sents]

    _segment = segment
    _automaton_exact, _automaton_folded = build_automata(read_actor_aliases(actors_path))
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    _vader = SentimentIntensityAnalyzer()


def find_mentions(text):
    """Leftmost-longest alias matches on word boundaries: (start, end, actor)."""
    found = []
    for automaton, haystack in ((_automaton_exact, text), (_automaton_folded, None)):
        if automaton is None:
            continue
        if haystack is None:
            haystack = text.lower()
            if len(haystack) != len(text):  # a few characters change length when lowered
                haystack = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        for end_index, (length, actor) in automaton.iter_long(haystack):
            start, end = end_index - length + 1, end_index + 1
            if start > 0 and text[start - 1].isalnum():
                continue
            if end < len(text) and text[end].isalnum():
                continue
            found.append((start, end, actor))
    found.sort()
    return found


def collapse(text):
    return " ".join(text.split())


def annotate(line):
    """One JSONL line to the rows of every output table."""
    try:
        record = json.loads(line)
        doc_id = str(record["id"])
        text = record["text"]
        if not isinstance(text, str):
            raise TypeError("text is not a string")
    except (ValueError, KeyError, TypeError) as e:
        return ("", 0, "error", str(e)), None, [], [], [], None
    source_bytes = len(text.encode("utf-8"))
    normalized_row = None
    if _line_rules is not None:
        text, dropped = normalize(text)
        normalized_row = (doc_id, source_bytes, dropped, text)
    sentences = [(s, e) for s, e in _segment(text) if text[s:e].strip()]
    starts = [s for s, _ in sentences]
    mentions = []
    by_sentence = [[] for _ in sentences]
    for start, end, actor in find_mentions(text):
        i = bisect.bisect_right(starts, start) - 1
        if i < 0 or start >= sentences[i][1]:
            continue
        mentions.append((doc_id, i + 1, start, end, actor, collapse(text[start:end])))
        by_sentence[i].append(actor)
    sentence_rows, claim_rows = [], []
    n_claims = n_favor = n_against = 0
    score_sum = 0.0
    for i, (start, end) in enumerate(sentences):
        sentence_text = collapse(text[start:end])
        sentence_rows.append((doc_id, i + 1, start, end, sentence_text))
        compound = _vader.polarity_scores(sentence_text)["compound"]
        actors = by_sentence[i]
        is_claim = bool(actors) and abs(compound) >= 0.05
        stance = "neutral"
        if is_claim:
            n_claims += 1
            score_sum += compound
            stance = "favor" if compound > 0 else "against"
            n_favor += stance == "favor"
            n_against += stance == "against"
        claim_rows.append(
            (
                doc_id,
                i + 1,
                int(is_claim),
                actors[0] if is_claim else "",
                stance,
                f"{compound:.3f}",
                ";".join(dict.fromkeys(actors)),
                sentence_text,
            )
        )
    doc_score = score_sum / n_claims if n_claims else 0.0
    doc_stance = "favor" if doc_score >= 0.05 else "against" if doc_score <= -0.05 else "neutral"
    document = (doc_id, source_bytes, "ok", "")
    doc_row = (doc_id, doc_stance, f"{doc_score:.3f}", n_claims, n_favor, n_against)
    return document, normalized_row, sentence_rows, mentions, claim_rows, doc_row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", help="JSONL dump: one {\"id\": ..., \"text\": ...} per line")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--segmenter", choices=["spacy", "pysbd"], default="spacy")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--actors", default="lexicons/actors.csv")
    parser.add_argument("--boilerplate", default="lexicons/boilerplate.csv")
    parser.add_argument("--no-normalize", action="store_true", help="skip normalization and normalized.csv")
    parser.add_argument("--chunksize", type=int, default=8, help="documents per imap task")
    args = parser.parse_args()

    started = time.perf_counter()
    os.makedirs(args.out, exist_ok=True)
    n_aliases = len(read_actor_aliases(args.actors))
    boilerplate = None if args.no_normalize else args.boilerplate
    tables = {
        "documents.csv": ("doc_id", "bytes", "status", "error"),
        "normalized.csv": ("doc_id", "bytes", "dropped", "text"),
        "sentences.csv": ("doc_id", "sent_id", "start", "end", "text"),
        "mentions.csv": ("doc_id", "sent_id", "start", "end", "actor", "surface"),
        "claims.csv": ("doc_id", "sent_id", "is_claim", "holder", "stance", "score", "actors", "text"),
        "doc_stance.csv": ("doc_id", "stance", "score", "n_claims", "n_favor", "n_against"),
    }
    files = {name: open(os.path.join(args.out, name), "w", newline="", encoding="utf-8") for name in tables}
    writers = {name: csv.writer(f) for name, f in files.items()}
    for name, header in tables.items():
        writers[name].writerow(header)
    if args.no_normalize:
        files.pop("normalized.csv").close()
        os.remove(os.path.join(args.out, "normalized.csv"))

    counts = dict(documents=0, sentences=0, mentions=0, claims=0)
    bytes_read = 0

    def lines():
        nonlocal bytes_read
        with open(args.input, "rb") as f:
            for raw in f:
                bytes_read += len(raw)
                if raw.strip():
                    yield raw.decode("utf-8", errors="replace")

    with multiprocessing.Pool(args.workers, initializer=init_worker, initargs=(args.segmenter, args.actors, boilerplate)) as pool:
        for document, normalized, sentences, mentions, claims, doc_row in pool.imap(
            annotate, lines(), chunksize=args.chunksize
        ):
            writers["documents.csv"].writerow(document)
            if normalized is not None:
                writers["normalized.csv"].writerow(normalized)
            writers["sentences.csv"].writerows(sentences)
            writers["mentions.csv"].writerows(mentions)
            writers["claims.csv"].writerows(claims)
            if doc_row is not None:
                writers["doc_stance.csv"].writerow(doc_row)
            counts["documents"] += 1
            counts["sentences"] += len(sentences)
            counts["mentions"] += len(mentions)
            counts["claims"] += sum(row[2] for row in claims)
    for f in files.values():
        f.close()
    seconds = time.perf_counter() - started
    print(
        f"python_pipeline: segmenter={args.segmenter} normalize={not args.no_normalize} "
        f"workers={args.workers} aliases={n_aliases} "
        f"documents={counts['documents']} sentences={counts['sentences']} mentions={counts['mentions']} "
        f"claims={counts['claims']} bytes={bytes_read} seconds={seconds:.2f} "
        f"MB/s={bytes_read / 1e6 / seconds:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
