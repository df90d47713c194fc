"""A keypoint layout: which joints a pose array holds, how they group into body
parts, and which physical bones connect them.

Data transforms use it to select and normalise parts; the GCN embedder uses its
edges (through mmaction2's ``Graph``) and its parts to split the manual and
non-manual streams. Layouts are registered in ``KEYPOINT_LAYOUTS`` by name.
"""
from typing import Dict, List, Optional, Sequence, Tuple

from slp_mm.registry import KEYPOINT_LAYOUTS


class KeypointLayout:
    """Names, parts and bones of a keypoint set.

    Args:
        name (str): Registered name.
        keypoint_names (Sequence[str]): One name per joint, in array order.
        parts (Dict[str, Sequence[int]]): Part name -> joint indexes. The parts
            used by the paper are ``body``, ``face``, ``mouth``, ``left_hand``
            and ``right_hand``.
        edges (Sequence[Tuple[int, int]]): Bones as (child, parent) pairs,
            pointing towards the root so mmaction2's spatial partition can
            tell inward from outward.
        source_indexes (Sequence[int], optional): For a layout selected from
            another (e.g. the paper's 79 joints out of COCO-WholeBody 133),
            the index in the source layout of each joint.
        source (str, optional): Name of the source layout.
        graph_only_edges (Sequence[Tuple[int, int]]): The edges that only
            connect parts for the GCN (a hand root to the body wrist, the jaw
            and lips to the nose): no bone, so drawings leave them out.
    """

    def __init__(self,
                 name: str,
                 keypoint_names: Sequence[str],
                 parts: Dict[str, Sequence[int]],
                 edges: Sequence[Tuple[int, int]],
                 source_indexes: Optional[Sequence[int]] = None,
                 source: Optional[str] = None,
                 graph_only_edges: Sequence[Tuple[int, int]] = ()) -> None:
        self.name = name
        self.keypoint_names = list(keypoint_names)
        self.parts = {k: list(v) for k, v in parts.items()}
        self.edges = [tuple(e) for e in edges]
        self.source_indexes = (
            list(source_indexes) if source_indexes is not None else None)
        self.source = source
        self.graph_only_edges = [tuple(e) for e in graph_only_edges]
        self._check()

    @property
    def num_keypoints(self) -> int:
        return len(self.keypoint_names)

    @property
    def bones(self) -> List[Tuple[int, int]]:
        """The edges that are physical bones (what a drawing connects)."""
        graph_only = set(self.graph_only_edges)
        return [e for e in self.edges if e not in graph_only]

    def part_indexes(self, names: Sequence[str]) -> List[int]:
        """Sorted joint indexes of the union of the named parts."""
        unknown = [n for n in names if n not in self.parts]
        if unknown:
            raise KeyError(f'Layout {self.name!r} has no part(s) {unknown}; '
                           f'known parts: {sorted(self.parts)}')
        return sorted({i for n in names for i in self.parts[n]})

    def select_parts(self, name: str,
                     parts: Sequence[str]) -> 'KeypointLayout':
        """The layout of only the named parts: their joints in this layout's
        order, the bones between two kept joints, and ``source_indexes``
        into this layout's source (so :class:`SelectKeypoints` takes the kept
        joints straight from the stored poses).

        A model built on it never sees the other parts: neither as input
        nor through graph edges (the paper's manual-only / non-manual-only
        ablations).
        """
        kept = self.part_indexes(parts)
        local = {old: new for new, old in enumerate(kept)}
        if self.source_indexes is None:
            source, source_indexes = self.name, kept
        else:
            source = self.source
            source_indexes = [self.source_indexes[i] for i in kept]
        return KeypointLayout(
            name, [self.keypoint_names[i] for i in kept],
            {p: [local[i] for i in self.parts[p]] for p in parts},
            [(local[a], local[b]) for a, b in self.edges
             if a in local and b in local],
            source_indexes=source_indexes,
            source=source,
            graph_only_edges=[(local[a], local[b])
                              for a, b in self.graph_only_edges
                              if a in local and b in local])

    def graph_layout(self) -> dict:
        """The dict form accepted by ``mmaction.models.utils.graph.Graph``."""
        return dict(num_node=self.num_keypoints, inward=self.edges, center=0)

    def _check(self) -> None:
        n = self.num_keypoints
        for part, idx in self.parts.items():
            bad = [i for i in idx if not 0 <= i < n]
            if bad:
                raise ValueError(f'Layout {self.name!r}: part {part!r} has '
                                 f'indexes {bad} outside [0, {n})')
        bad_edges = [e for e in self.edges if not all(0 <= i < n for i in e)]
        if bad_edges:
            raise ValueError(
                f'Layout {self.name!r}: edges {bad_edges} outside [0, {n})')
        stray = set(self.graph_only_edges) - set(self.edges)
        if stray:
            raise ValueError(f'Layout {self.name!r}: graph-only edges '
                             f'{sorted(stray)} are not edges')
        if self.source_indexes is not None and len(self.source_indexes) != n:
            raise ValueError(
                f'Layout {self.name!r}: {len(self.source_indexes)} source '
                f'indexes for {n} keypoints')

    def __repr__(self) -> str:
        parts = {k: len(v) for k, v in self.parts.items()}
        return (f'{self.__class__.__name__}(name={self.name!r}, '
                f'num_keypoints={self.num_keypoints}, parts={parts})')


def get_layout(layout) -> KeypointLayout:
    """Return a layout from a registered name or pass an instance through."""
    if isinstance(layout, KeypointLayout):
        return layout
    if layout not in KEYPOINT_LAYOUTS:
        raise KeyError(f'Unknown keypoint layout {layout!r}; registered: '
                       f'{sorted(KEYPOINT_LAYOUTS.module_dict)}')
    return KEYPOINT_LAYOUTS.get(layout)()
