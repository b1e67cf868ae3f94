"""A Babel extractor for the responses in Rasa's ``domain.yml``.

Registered as the ``rasa_domain`` extractor (see ``pyproject.toml`` and ``babel.cfg``),
so ``pybabel extract`` writes response texts and button titles into the POT file
next to the messages of the Python code. Each response text gets its name as
``msgctxt``; button titles get ``<name>|button``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml

from bot.nlg.responses import button_context, parse_responses

ExtractedMessage = tuple[int, str, tuple[str, str], list[str]]

# Babel matches what an extractor yields against the keyword specs given to
# ``pybabel extract``; ``tr:1c,2`` means (context, message), which is what we yield.
CONTEXT_KEYWORD = "tr"


def _response_lines(source: str) -> dict[str, int]:
    """Map each response name to the 1-based line where it is defined."""
    root = yaml.compose(source)
    lines: dict[str, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if key.value == "responses" and isinstance(value, yaml.MappingNode):
            for name_node, _ in value.value:
                lines[name_node.value] = name_node.start_mark.line + 1
    return lines


def extract_domain(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[ExtractedMessage]:
    """Yield the translatable texts of a Rasa domain file, in Babel's extractor format.

    Args:
        fileobj: The domain file, opened in binary mode.
        keywords: Unused; the texts are found by their place in the domain.
        comment_tags: Unused.
        options: Unused.

    Yields:
        ``(lineno, "tr", (context, message), comments)`` tuples.
    """
    source = fileobj.read().decode("utf-8")
    lines = _response_lines(source)
    for name, response in parse_responses(yaml.safe_load(source) or {}).items():
        lineno = lines.get(name, 0)
        comments = [f"Response {name}."]
        if response.translator_note:
            comments.append(response.translator_note)
        if response.text:
            yield lineno, CONTEXT_KEYWORD, (name, response.text), comments
        for button in response.buttons:
            yield (
                lineno,
                CONTEXT_KEYWORD,
                (button_context(name), button.title),
                [f"Button of {name}; keep it short."],
            )
