"""The corpus of real pastes (tests/data/diagnoses): the top diagnosis names the problem and gives the fix that
worked in the thread, for at least 90% of them. The score is printed (`pytest -s` shows it)."""

from __future__ import annotations

from collections import Counter

from tests.core.diagnoses_corpus import CORPUS, load, score

TARGET = 0.90


def test_corpus_is_real_and_big_enough() -> None:
    entries = load()
    assert len(entries) >= 100, len(entries)
    assert len({e.slug for e in entries}) == len(entries), "slugs must be unique"
    for e in entries:
        assert e.source.startswith("https://"), e.slug
        assert e.fix and e.fix_has and e.paste.strip(), e.slug
    raw = sum(len(p.read_text(encoding="utf-8").split("\n### ")) for p in CORPUS.glob("*.txt"))
    assert raw == len(entries), "an entry in tests/data/diagnoses does not parse"


def test_corpus_score() -> None:
    results = [score(e) for e in load()]
    right = [r for r in results if r.right]
    wrong = [r for r in results if not r.right]
    ratio = len(right) / len(results)
    families = Counter(r.entry.file for r in wrong)
    print(f"\ndiagnoses corpus: {len(right)}/{len(results)} right ({ratio:.1%}); "
          f"right problem {sum(r.right_problem for r in results)}; no match {sum(r.got is None for r in results)}")
    for r in wrong:
        print(f"  MISS {r.entry.file}:{r.entry.slug}: expected {r.entry.expect}, got {r.got} "
              f"(fix {'ok' if r.right_fix else 'lacks ' + '; '.join(r.entry.fix_has)})")
    print(f"  misses by file: {dict(families)}")
    assert ratio >= TARGET, f"{ratio:.1%} < {TARGET:.0%}"
