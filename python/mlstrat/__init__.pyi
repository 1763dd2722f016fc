"""Type stubs of the mlstrat package (docs/python.md)."""
from typing import Any, Iterable, Literal, Mapping, Optional, Sequence, Union, overload

import numpy as np
import numpy.typing as npt

from . import errors as errors
from .registry import Registry as Registry, Run as Run
from .splits import split as split

__version__: str

class InputError(ValueError): ...

ArrayLike = npt.ArrayLike
Rate = Union[float, str]

def evaluate(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    slices: Optional[Union[Mapping[str, ArrayLike], Any]] = ...,
    sample_weight: Optional[ArrayLike] = ...,
    class_weight: Optional[Mapping[Any, float]] = ...,
    positive: Optional[Any] = ...,
    beta: float = ...,
    ci_level: Rate = ...,
    n_jobs: Optional[int] = ...,
) -> dict[str, Any]: ...
_FilterBy = Literal[
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
    "low_self_confidence",
    "low_normalized_margin",
]
_RankBy = Literal["self_confidence", "normalized_margin", "confidence_weighted_entropy"]

@overload
def find_label_issues(
    labels: ArrayLike,
    pred_probs: ArrayLike,
    *,
    filter_by: _FilterBy = ...,
    return_indices_ranked_by: None = ...,
    multi_label: bool = ...,
    frac_noise: float = ...,
    num_to_remove_per_class: Optional[Sequence[int]] = ...,
    min_examples_per_class: int = ...,
    confident_joint: Optional[ArrayLike] = ...,
    n_jobs: Optional[int] = ...,
    verbose: bool = ...,
) -> npt.NDArray[np.bool_]: ...
@overload
def find_label_issues(
    labels: ArrayLike,
    pred_probs: ArrayLike,
    *,
    filter_by: _FilterBy = ...,
    return_indices_ranked_by: _RankBy,
    multi_label: bool = ...,
    frac_noise: float = ...,
    num_to_remove_per_class: Optional[Sequence[int]] = ...,
    min_examples_per_class: int = ...,
    confident_joint: Optional[ArrayLike] = ...,
    n_jobs: Optional[int] = ...,
    verbose: bool = ...,
) -> npt.NDArray[np.int64]: ...
def label_issues_report(
    labels: ArrayLike,
    pred_probs: ArrayLike,
    *,
    class_names: Optional[Sequence[Any]] = ...,
    sum_tolerance: float = ...,
    multi_label: bool = ...,
    n_jobs: Optional[int] = ...,
    filter_by: _FilterBy = ...,
    return_indices_ranked_by: Optional[_RankBy] = ...,
    frac_noise: float = ...,
    num_to_remove_per_class: Optional[Sequence[int]] = ...,
    min_examples_per_class: int = ...,
) -> dict[str, Any]: ...

class DiagnoseReport(dict[str, Any]):
    def __init__(self, document: Mapping[str, Any], text: str) -> None: ...

def diagnose(
    *,
    human: Optional[Union[Rate, Mapping[str, Rate], Sequence[Union[str, float]]]] = ...,
    human_goal: Optional[str] = ...,
    train: Optional[Rate] = ...,
    train_dev: Optional[Rate] = ...,
    dev: Optional[Rate] = ...,
    test: Optional[Rate] = ...,
    human_target: Optional[Rate] = ...,
    train_target: Optional[Rate] = ...,
    sizes: Optional[Mapping[str, int]] = ...,
    ci_level: Rate = ...,
) -> DiagnoseReport: ...
def ceiling(
    stages: Union[str, Mapping[str, Rate], Iterable[tuple[str, Rate]]],
    *,
    rows: Optional[int] = ...,
    ci_level: Rate = ...,
) -> dict[str, Any]: ...
def select(
    table: Union[str, Mapping[str, Sequence[Any]], Any],
    *,
    maximize: Optional[str] = ...,
    minimize: Optional[str] = ...,
    require: Iterable[str] = ...,
    combine: Iterable[str] = ...,
    dev_size: Optional[int] = ...,
    name_col: str = ...,
    ci_level: Rate = ...,
) -> dict[str, Any]: ...
