"""Hypothesis strategies that damage a file the way disks, copies and
half-finished writers do."""
import json

from hypothesis import strategies as st

# the first bytes hold headers and sizes: flips there are drawn more often
HEADER_BYTES = 512


@st.composite
def damaged_bytes(draw, original: bytes) -> bytes:
    """``original`` cut short, with 1-8 distinct bits flipped, with bytes
    appended, or empty; never equal to ``original``."""
    kind = draw(st.sampled_from(('truncate', 'flip', 'extend', 'empty')))
    if kind == 'empty':
        return b''
    if kind == 'truncate':
        return original[:draw(st.integers(1, len(original) - 1))]
    if kind == 'extend':
        return original + draw(st.binary(min_size=1, max_size=64))
    last = len(original) - 1
    position = st.one_of(
        st.integers(0, min(HEADER_BYTES, last)), st.integers(0, last))
    flips = draw(
        st.lists(
            st.tuples(position, st.integers(0, 7)),
            min_size=1,
            max_size=8,
            unique=True))
    data = bytearray(original)
    for pos, bit in flips:
        data[pos] ^= 1 << bit
    return bytes(data)


# what a wrong producer writes in place of a JSON value
wrong_json_value = st.one_of(
    st.none(), st.booleans(), st.text(max_size=4),
    st.sampled_from(['1.5', 'nan', '', '[]', 'train']),
    st.integers(-2**70, 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.recursive(st.floats(-5, 5), lambda inner: st.lists(inner, max_size=3),
                 max_leaves=6))


@st.composite
def damaged_json(draw, valid) -> str:
    """A document drawn from ``valid`` with one value replaced by a wrong
    one, removed, or nested a level deeper, written with NaN/Infinity
    literals, then maybe cut short."""
    data = draw(valid)
    containers = []  # (container, key) of every value in the document
    stack = [data]
    while stack:
        node = stack.pop()
        keys = (range(len(node)) if isinstance(node, list) else
                node.keys() if isinstance(node, dict) else ())
        for key in keys:
            containers.append((node, key))
            stack.append(node[key])
    if containers:
        node, key = draw(st.sampled_from(containers))
        change = draw(st.sampled_from(('replace', 'remove', 'deeper')))
        if change == 'replace':
            node[key] = draw(wrong_json_value)
        elif change == 'remove':
            del node[key]
        else:
            node[key] = [node[key]]
    text = json.dumps(data)
    if draw(st.booleans()):
        text = text[:draw(st.integers(0, len(text)))]
    return text
