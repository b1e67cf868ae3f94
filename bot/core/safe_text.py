"""Cleaning what people type, and showing stored text safely. Pure functions, stdlib only.

Two sides, on purpose:

- :func:`clean_input` is applied once to everything a user types (by the conversation
  core before a message goes to Rasa, and by the form validators before a value is
  stored). It removes terminal escape sequences, control characters, NUL and the bidi
  controls that reorder text (U+202A–U+202E, U+2066–U+2069), turns unpaired surrogates
  (undecodable bytes) into U+FFFD, and normalises ordinary whitespace.
- :func:`displayable` is applied by every writer (CSV, XLSX, the terminal, messages to
  the coordinators' group) to whatever it shows, so that text stored before the input
  was cleaned, or coming from elsewhere, can neither break a file nor steer a terminal.
  There every unsafe character becomes a visible U+FFFD.
"""

from __future__ import annotations

import re
import unicodedata

REPLACEMENT = "\ufffd"
# Embeddings, overrides and isolates reorder the text around them (Trojan Source,
# CVE-2021-42574); the plain marks U+200E/U+200F/U+061C only set a direction and stay.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Line breaks other than "\n" (CR, NEL, line and paragraph separator) become "\n".
_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")
# ANSI escape sequences (CSI "ESC [" or C1 CSI, OSC "ESC ]" … BEL/ST, and the two-character
# ones) go as a whole, so that no "[2J" remnant is left behind.
_ESCAPE_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: cursor moves, clearing, colours
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC: titles, hyperlinks
    r"|\x1b[ -/]*[0-~]"  # other ESC sequences
)
# XML 1.0 (and therefore XLSX) cannot hold these at all.
_NONCHARACTERS = frozenset("\ufffe\uffff")


def is_unsafe(char: str) -> bool:
    """Return whether a character must not reach a file, a terminal or a chat as it is.

    Unsafe are control characters (C0, DEL, C1; tab and newline included, the writers
    decide about those), bidi controls, unpaired surrogates and the XML noncharacters.
    """
    category = unicodedata.category(char)
    return category == "Cc" or category == "Cs" or char in BIDI_CONTROLS or char in _NONCHARACTERS


def clean_input(text: str) -> str:
    """Return what a user typed without control, escape and bidi-override characters.

    Tabs and other spacing become a space, every kind of line break becomes a plain newline,
    unpaired surrogates (bytes that were not valid text) become U+FFFD, and all other
    control characters, NUL included, are removed. Letters, marks, emoji, joiners and
    the plain direction marks stay as they are.
    """
    text = _ESCAPE_SEQUENCES.sub("", text)
    text = _LINE_BREAKS.sub("\n", text)
    kept = []
    for char in text:
        if char == "\n":
            kept.append(char)
        elif char in "\t\v\f":
            kept.append(" ")
        elif unicodedata.category(char) == "Cs":
            kept.append(REPLACEMENT)
        elif not is_unsafe(char):
            kept.append(char)
    return "".join(kept)


def displayable(text: str, *, keep_newlines: bool = False) -> str:
    """Return stored text safe to show: every unsafe character becomes U+FFFD.

    Args:
        text: The text to show.
        keep_newlines: Keep newlines (for a multi-line message as a whole); otherwise a
            line break becomes a space, so that a value cannot start a forged line.
    """
    shown = []
    for char in _LINE_BREAKS.sub("\n", text):
        if char == "\n":
            shown.append("\n" if keep_newlines else " ")
        elif char == "\t":
            shown.append(" ")
        elif is_unsafe(char):
            shown.append(REPLACEMENT)
        else:
            shown.append(char)
    return "".join(shown)
