"""Sentences made from the gloss of an isolated sign.

An isolated-sign video has a class name, not a sentence; putting the name
into a fixed sentence of the sign's spoken language pairs the video with
text, as the paper does for the isolated part of SL-1.5M ("This word is
apple."). All isolated-sign loaders take their templates from here, so the
pre-training text is the same for every source of a language.
"""
from typing import Dict, Optional

# language (ISO 639-1) -> template with a ``{gloss}`` field
GLOSS_TEMPLATES: Dict[str, str] = {
    'en': 'This word is {gloss}.',
    'de': 'Das Wort ist {gloss}.',
    'zh': '这个词是{gloss}。',
}


def gloss_to_text(gloss: str,
                  language: str,
                  templates: Optional[Dict[str, str]] = None) -> str:
    """The sentence of ``gloss`` in ``language``.

    Args:
        gloss (str): The sign's class name, as the annotation writes it.
        language (str): Key of ``templates``.
        templates (dict, optional): language -> template with a ``{gloss}``
            field; :data:`GLOSS_TEMPLATES` if not given.

    Raises:
        KeyError: If ``templates`` has no template for ``language``.
    """
    templates = GLOSS_TEMPLATES if templates is None else templates
    if language not in templates:
        raise KeyError(f'no gloss template for language {language!r}, '
                       f'expected one of {sorted(templates)}')
    return templates[language].format(gloss=gloss)
