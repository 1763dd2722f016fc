"""Type stubs of mlstrat.splits."""
from typing import Any, Iterable, Mapping, Optional, Union

import numpy as np
import numpy.typing as npt

Size = Union[int, float, str]
Column = Union[str, npt.ArrayLike]

def split(
    frame_or_ids: Any,
    *,
    dev: Optional[Size] = ...,
    test: Optional[Size] = ...,
    train_dev: Optional[Size] = ...,
    stratify: Optional[Column] = ...,
    groups: Optional[Column] = ...,
    target: Optional[Union[str, Iterable[Any], Mapping[str, Any]]] = ...,
    target_in_train: Optional[Size] = ...,
    stable: bool = ...,
    seed: int = ...,
    id: Optional[str] = ...,
) -> dict[str, np.ndarray]: ...
