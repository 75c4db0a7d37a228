"""Length-sorted batches under a token budget."""

from __future__ import annotations

from collections.abc import Sequence


def plan_batches(
    lengths: Sequence[int],
    *,
    budget: int,
    beams: int = 1,
    max_sentences: int = 64,
    order: Sequence[int] | None = None,
) -> list[list[int]]:
    """Group item indices into batches of similar length, longest first (or in the given ``order``).

    A batch's cost is ``(size) x (its longest input) x beams`` padded tokens and stays within
    ``budget`` (a single item over the budget still gets a batch of its own). Every index
    appears in exactly one batch. The one batching rule of idtrans: translation, training batches
    (:func:`idtrans.training.data.make_batches`) and training's dev decoding use it.
    """
    if order is None:
        order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for index in order:
        width = max(longest, lengths[index])
        if current and ((len(current) + 1) * width * beams > budget or len(current) >= max_sentences):
            batches.append(current)
            current, width = [], lengths[index]
        current.append(index)
        longest = width
    if current:
        batches.append(current)
    return batches
