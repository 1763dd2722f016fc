"""mlstrat.split: which rows go to train, train_dev, dev and test — the rows ``mlstrat split``
writes to each file for the same rows, as index arrays."""

from . import _mlstrat

__all__ = ["split"]


def _is_frame(obj):
    return type(obj).__module__.startswith("pandas") and type(obj).__name__ == "DataFrame"


def _column(frame, value, what):
    """(values, name): a column of the frame named by `value`, or `value` itself as the values."""
    if value is None:
        return None, ""
    if isinstance(value, str):
        if frame is None or value not in frame.columns:
            have = ", ".join(map(str, frame.columns)) if frame is not None else "no frame given"
            raise _mlstrat.InputError(f"{what}: no column '{value}' (columns: {have})")
        return frame[value], value
    return value, what


def _row_records(frame):
    """Each row as `frame.to_csv(index=False)` writes it, without the line end: the bytes
    `mlstrat split` hashes for a row when there is no id column."""
    lines = frame.to_csv(index=False, header=False, lineterminator="\n").split("\n")[:-1]
    if len(lines) != len(frame):
        raise _mlstrat.InputError("frame: some cells hold line breaks; give id=COLUMN to key "
                                  "the rows by an id")
    return lines


def split(frame_or_ids, *, dev=None, test=None, train_dev=None, stratify=None, groups=None,
          target=None, target_in_train=None, stable=False, seed=0, id=None):
    """The rows of each split: ``{"train": idx, "train_dev": idx, "dev": idx, "test": idx}``
    (train_dev only when asked for), int64 row positions in order, equal to the rows
    ``mlstrat split`` writes to each file for the same rows and the same options.

    frame_or_ids: a pandas DataFrame (each row keyed by its id column ``id``, else by its text
        as ``frame.to_csv(index=False)`` writes it, as the CLI keys a row of that file without
        ``--id-col``), or one id per row (as ``--id-col``).
    dev, test: sizes, a count (2500) or a share (0.01 or "1%"); None follows the notes (60/20/20
        under 50,000 rows, 10,000 each up to 1,000,000, then 98/1/1). train_dev: a count or a
        share of train carved out as the train-dev set.
    stratify: a column name (or one value per row) whose classes every split keeps in
        proportion. groups: a column name or values (a user, a patient) each landing in one split.
    target: "COLUMN=VALUE", a list of them, or ``{column: value}``: rows matching any are target
        data, the only rows dev and test are drawn from; target_in_train: how much of it goes
        to train (a count or a share).
    stable: cut at fixed hash thresholds (no row moves when rows are appended; sizes as shares).
    seed: the seed of the hash order.

    Bad input raises InputError with the message ``mlstrat split`` prints.
    """
    frame = frame_or_ids if _is_frame(frame_or_ids) else None
    if frame is None:
        keys, key_name = frame_or_ids, "ids"
    elif id is not None:
        keys, key_name = _column(frame, id, "id")
    else:
        keys, key_name = _row_records(frame), "row"
    group_values, group_name = _column(frame, groups, "groups")
    stratify_values, stratify_name = _column(frame, stratify, "stratify")
    if groups is not None and frame is not None and id is None:
        keys, key_name = None, "row"  # grouped rows are placed by their group
    pairs = []
    if target is not None:
        items = target.items() if isinstance(target, dict) else \
            [target] if isinstance(target, str) else target
        for item in items:
            if isinstance(item, str):
                if "=" not in item:
                    raise _mlstrat.InputError(f"--target: '{item}' is not COLUMN=VALUE")
                item = item.split("=", 1)
            column, value = item
            values, name = _column(frame, column, "target")
            pairs.append((values, name, value))
    return _mlstrat.split(keys, key_name, group_values, group_name, stratify_values,
                          stratify_name, pairs, dev, test, train_dev, target_in_train, stable,
                          seed)
