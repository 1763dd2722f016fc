"""TorchScript both ways: the model.torchscript.pt of `mlstrat train` takes raw inputs (pixels
in [0, 1], feature values as in the table) and predicts what the run predicted; a module
scripted in Python trains in `mlstrat train` as a backbone (docs/train.md)."""
import os
import subprocess

import numpy as np
import pandas as pd
import pytest

from conftest import BINARY

torch = pytest.importorskip("torch")

TRAIN_BINARY = os.path.join(os.path.dirname(BINARY), "mlstrat-train")
pytestmark = pytest.mark.skipif(not os.path.exists(TRAIN_BINARY),
                                reason="built without the training library")


def write_idx(path, array):
    array = np.ascontiguousarray(array, dtype=np.uint8)
    head = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    path.write_bytes(head + array.tobytes())


def images(n, seed):
    """6x6 images: class 1 has a bright left half, class 0 a bright right half, plus noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    x = rng.integers(0, 120, (n, 6, 6))
    x[labels == 1, :, :3] += 120
    x[labels == 0, :, 3:] += 120
    return x.astype(np.uint8), labels.astype(np.uint8)


def train(folder, config, name):
    (folder / f"{name}.toml").write_text(config)
    proc = subprocess.run([BINARY, "train", str(folder / f"{name}.toml"), "--runs",
                           str(folder / "runs"), "--no-register", "--quiet", "--threads", "1"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return folder / "runs" / name


def agreement(run, inputs, split="dev"):
    model = torch.jit.load(str(run / "model.torchscript.pt"))
    with torch.no_grad():
        pred = model(torch.from_numpy(inputs)).argmax(1).numpy()
    expected = pd.read_csv(run / f"pred_{split}.csv", dtype={"pred": str})
    # the p_CLASS columns are in the order of the model's outputs
    classes = [c[2:] for c in expected.columns if c.startswith("p_")]
    return float(np.mean(np.array(classes)[pred] == expected["pred"].to_numpy())), pred


def write_images(folder, seed_train=1, seed_dev=2):
    for split, n, seed in (("train", 300, seed_train), ("dev", 200, seed_dev)):
        x, y = images(n, seed)
        write_idx(folder / f"{split}-images.idx", x)
        write_idx(folder / f"{split}-labels.idx", y)
    return images(200, seed_dev)[0]


IMAGE_DATA = """seed = 3
threads = 1
[data]
train = "train-images.idx"
train_labels = "train-labels.idx"
dev = "dev-images.idx"
dev_labels = "dev-labels.idx"
[train]
epochs = 3
batch_size = 32
[optim]
lr = 0.05
"""


def test_exported_cnn_takes_pixels_in_0_1(tmp_path):
    dev = write_images(tmp_path)
    run = train(tmp_path, IMAGE_DATA + '[model]\nkind = "cnn"\nwidths = [4]\n', "cnn")
    pixels = (dev.astype(np.float32) / 255.0)[:, None, :, :]
    share, _ = agreement(run, pixels)
    assert share == 1.0


def test_exported_mlp_takes_raw_features(tmp_path):
    rng = np.random.default_rng(4)
    for split, n in (("train", 300), ("dev", 150)):
        x = rng.normal(50.0, 20.0, (n, 3))  # far from standardized: scaling matters
        label = np.where(x[:, 0] + 0.5 * x[:, 1] > 75.0, "high", "low")
        frame = pd.DataFrame({"id": [f"{split}{i}" for i in range(n)], "a": x[:, 0],
                              "b": x[:, 1], "c": x[:, 2], "label": label})
        frame.to_csv(tmp_path / f"{split}.csv", index=False, float_format="%.6g")
    config = ('seed = 1\nthreads = 1\n[data]\ntrain = "train.csv"\ndev = "dev.csv"\n'
              'id_col = "id"\n[model]\nkind = "mlp"\nhidden = [16]\n[train]\nepochs = 5\n'
              'batch_size = 16\n[optim]\nlr = 0.01\n')
    run = train(tmp_path, config, "mlp")
    dev = pd.read_csv(tmp_path / "dev.csv")
    features = dev[["a", "b", "c"]].to_numpy(dtype=np.float32)
    share, _ = agreement(run, features)
    assert share == 1.0


class Backbone(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.fc = torch.nn.Linear(4 * 2 * 2, 6)

    def forward(self, x):
        x = torch.relu(self.conv(x))
        x = torch.nn.functional.adaptive_avg_pool2d(x, 2)
        return torch.relu(self.fc(torch.flatten(x, 1)))


def test_python_backbone_trains_in_mlstrat(tmp_path):
    dev = write_images(tmp_path)
    torch.manual_seed(0)
    backbone = torch.jit.script(Backbone())
    torch.jit.save(backbone, str(tmp_path / "backbone.pt"))
    config = IMAGE_DATA + '[transfer]\nfrom = "backbone.pt"\nfreeze = "all-but-head"\n'
    run = train(tmp_path, config, "backbone")
    # the frozen module is inside the export, unchanged, followed by the new head
    exported = torch.jit.load(str(run / "model.torchscript.pt"))
    for name, value in backbone.state_dict().items():
        assert torch.equal(exported.backbone.state_dict()[name], value), name
    pixels = (dev.astype(np.float32) / 255.0)[:, None, :, :]
    share, _ = agreement(run, pixels)
    assert share == 1.0
    errors = pd.read_csv(run / "pred_dev.csv")
    assert (errors["label"].astype(str) != errors["pred"].astype(str)).mean() < 0.2
