"""Type stubs of mlstrat.registry."""
import os
from types import TracebackType
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import numpy.typing as npt
import pandas as pd

class Run:
    name: str
    def log(self, step: Optional[int] = ..., /, **metrics: float) -> None: ...
    def params(self, params: Mapping[str, Any]) -> None: ...
    def tags(self, **tags: str) -> None: ...
    def predictions(
        self,
        split: str,
        ids: npt.ArrayLike,
        y_true: npt.ArrayLike,
        pred_probs: npt.ArrayLike,
        *,
        classes: Optional[Sequence[Any]] = ...,
        path: Optional[Union[str, os.PathLike[str]]] = ...,
    ) -> str: ...
    def finish(self, failed: bool = ...) -> None: ...
    def __enter__(self) -> "Run": ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool: ...

class Registry:
    def __init__(self, path: Union[str, os.PathLike[str]] = ...) -> None: ...
    @property
    def path(self) -> str: ...
    def run(
        self,
        name: str,
        *,
        params: Optional[Mapping[str, Any]] = ...,
        group: Optional[str] = ...,
        tags: Optional[Mapping[str, str]] = ...,
    ) -> Run: ...
    def runs(
        self,
        where: Optional[Union[str, Iterable[str]]] = ...,
        sort: Optional[str] = ...,
        *,
        columns: Optional[Union[str, Iterable[str]]] = ...,
        limit: Optional[int] = ...,
        all: bool = ...,
    ) -> pd.DataFrame: ...
    def get(self, name: str) -> Optional[dict[str, Any]]: ...
    def steps(self, name: str) -> pd.DataFrame: ...
