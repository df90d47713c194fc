"""Refuse glosses holding characters no annotator typed.

A gloss is a sequence of tokens, each a class of the recognition vocabulary:
an odd character does not fail loudly later, it silently makes a new,
never-seen token. A character is *unknown* when it is

1. U+FFFD, the replacement character: the file was decoded with errors
   before it was saved, and the original character is lost;
2. a control, format (zero-width, bidi marks), surrogate, private-use or
   unassigned code point (Unicode category C*): invisible, it makes two
   glosses that look the same different tokens (a tab or U+001F would even
   split a token, being whitespace to ``str.split``);
3. outside the dataset's gloss script: PHOENIX glosses are printable ASCII
   (umlauts are transliterated, ``KOENNEN``), CSL-Daily's are Chinese
   characters plus ASCII letters and digits, so a Cyrillic look-alike ``А``
   or a mis-decoded ``Ã¼`` is refused.

Tokens are separated by spaces. Every gloss of the released PHOENIX-2014,
PHOENIX-2014-T and CSL-Daily annotations passes.
"""
import re
import unicodedata
from typing import Optional

# the characters of a gloss script, as the body of a regular-expression
# character class
ASCII_GLOSS_CHARS = '!-~'  # printable ASCII, space excluded
CJK_GLOSS_CHARS = ASCII_GLOSS_CHARS + '\u3400-\u4dbf\u4e00-\u9fff'
REPLACEMENT_CHARACTER = '\ufffd'
# Unicode category -> what the code point is
OTHER_CATEGORIES = dict(
    Cc='control', Cf='format', Cs='surrogate', Co='private-use',
    Cn='unassigned')


def gloss_problem(gloss: str, field: str, script: str) -> Optional[str]:
    """What is unknown in a gloss, or ``None`` if every character is known.

    Args:
        gloss (str): The gloss as written in the annotation, tokens
            separated by spaces.
        field (str): Its column, to name in the reason.
        script (str): The dataset's gloss characters, e.g.
            ``ASCII_GLOSS_CHARS``.
    """
    unknown = re.search(f'[^ {script}]', gloss)
    if unknown is None:
        return None
    char = unknown.group()
    category = unicodedata.category(char)
    if char == REPLACEMENT_CHARACTER:
        kind = ('the replacement character: the text was decoded with '
                'errors before it was saved')
    elif category in OTHER_CATEGORIES:
        kind = f'a {OTHER_CATEGORIES[category]} character'
    else:
        kind = "outside the dataset's gloss script"
    name = unicodedata.name(char, 'no name')
    token = next(t for t in gloss.split(' ') if char in t)
    return (f'field {field!r} holds U+{ord(char):04X} ({name}), {kind}, '
            f'in token {token!r}')
