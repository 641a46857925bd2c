"""Reading level and reading time of plain text. Pure functions: text in, numbers out.

Flesch-Kincaid grade = 0.39 * words/sentences + 11.8 * syllables/words - 15.59. Syllables are
counted with the usual vowel-group heuristic; good enough to tell grade 7 from grade 12, which is
what an author needs to know.
"""

import math
import re

WORDS_PER_MINUTE = 200  # an unhurried adult reader
GRADE_TARGET = 8  # US grade the clinic aims for (MedlinePlus and NHS aim lower still)

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n\s*\n")


def count_syllables(word: str) -> int:
    word = word.lower().replace("’", "'").split("'")[0]
    if len(word) <= 3:
        return 1
    word = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", word)
    word = re.sub(r"^y", "", word)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", word)))


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def flesch_kincaid_grade(text: str) -> float | None:
    """US school grade needed to read `text`; None when there are no words to measure."""
    found = words(text)
    if not found:
        return None
    sentences = max(1, len([s for s in _SENTENCE_END.split(text) if _WORD.search(s)]))
    syllables = sum(count_syllables(w) for w in found)
    grade = 0.39 * len(found) / sentences + 11.8 * syllables / len(found) - 15.59
    return round(max(grade, 0.0), 1)


def reading_minutes(text: str) -> int:
    return max(1, math.ceil(len(words(text)) / WORDS_PER_MINUTE))
