"""Type stubs of mlstrat.errors."""
import os
from typing import Any, Iterable, Optional, Union

Rate = Union[float, str]

def tally(
    sheet: Union[str, os.PathLike[str]],
    *,
    error: Rate,
    resolution: Optional[Rate] = ...,
    tags: Iterable[str] = ...,
    ci_level: Rate = ...,
) -> dict[str, Any]: ...
def slices(
    pred: Union[str, os.PathLike[str]],
    *,
    features: Iterable[str],
    min_rows: int = ...,
    max_depth: int = ...,
    top: int = ...,
    label_col: str = ...,
    pred_col: str = ...,
    ci_level: Rate = ...,
) -> dict[str, Any]: ...
