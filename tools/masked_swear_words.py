#!/usr/bin/env python3
"""Writes the pattern of ``abusive.profanity`` that finds a swear word masked with asterisks ("a**hole", "b*tch",
"m*rde", "A*schloch", "gilip*llas", "str*nzo"), from the word list below.

    .venv/bin/python tools/masked_swear_words.py        # prints the pattern to paste into rules/abusive.toml

The pattern is data like every other (rules/abusive.toml, with its examples); this script is only how it is written,
and ``tests/test_masked_swear_words.py`` fails when the rule's pattern is not exactly what it prints, so a word is
added here and the pattern pasted again. What a masked form is:

- the first and the last letter are kept, one run of inner letters is replaced by stars, one star fewer to one more
  than the letters hidden (at least one): "a**hole", "a*hole", "a***hole"; the masked form is four characters or more
  ("c*t", "f*k", "p*a" are cat, fork and spa as often as anything else);
- at least one inner letter stays visible: a first letter, stars and a last letter alone ("M***N", "P***A") is how
  carriers, ticket systems and puzzles mask names and words, so it is not read as a swear word;
- nothing but an ending (plural, gender, participle) may follow, and no letter, digit or star may stand on either side.

Written in round 51 (2026-12-05) from the words this rule and ``abusive.insult`` catch unmasked in en, de, fr, es, it.
"""

from __future__ import annotations

import re

WORDS = {
    "en": ["asshole", "bitch", "bastard", "idiot", "moron", "stupid", "dumbass", "cunt", "wanker", "bullshit", "fuck",
           "fucking"],
    "de": ["arschloch", "scheisse", "scheiße", "wichser", "vollidiot", "hurensohn", "fotze"],
    "fr": ["merde", "putain", "connard", "connasse", "encule", "enculé", "salope", "salaud", "cretin", "crétin", "abruti",
           "foutre"],
    "es": ["mierda", "joder", "gilipollas", "cabron", "cabrón", "puta", "idiota", "imbecil", "imbécil", "pendejo",
           "cojones"],
    "it": ["cazzo", "stronzo", "merda", "coglione", "vaffanculo", "cretino", "imbecille", "minchia", "puttana"],
}

#: Endings a masked word may carry ("a**holes", "conn*rde", "enc*lées").
ENDINGS = "s|es|en|er|ers|ing|ed|i|a|o|e|ate|ata|ées?|és?"


#: The shortest masked form read as a word.
MIN_LENGTH = 4


def pattern() -> str:
    """Every masked form of every word, grouped by the visible letters before the stars, then by how many are hidden."""
    forms: dict[str, dict[tuple[int, int], set[str]]] = {}
    for word in sorted({w for words in WORDS.values() for w in words}):
        n = len(word)
        for first in range(1, n - 1):
            for last in range(first, n - 1):
                hidden, prefix, ending = last - first + 1, word[:first], word[last + 1:]
                fewest = max(1, hidden - 1, MIN_LENGTH - len(prefix) - len(ending))
                forms.setdefault(prefix, {}).setdefault((hidden, fewest), set()).add(ending)
    alternatives = []
    for prefix in sorted(forms):
        parts = []
        for hidden, fewest in sorted(forms[prefix]):
            endings = sorted(forms[prefix][hidden, fewest], key=lambda s: (-len(s), s))
            rest = endings[0] if len(endings) == 1 else "(?:" + "|".join(endings) + ")"
            parts.append(r"\*{%d,%d}" % (fewest, hidden + 1) + rest)
        alternatives.append(re.escape(prefix) + (parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"))
    return (r"(?<![\w*])(?![^\W\d_]\*+[^\W\d_](?![\w*]))(?:" + "|".join(alternatives) + r")(?:" + ENDINGS + r")?(?![\w*])")


if __name__ == "__main__":
    print(pattern())
