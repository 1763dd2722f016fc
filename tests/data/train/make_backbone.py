#!/usr/bin/python3
"""Writes the TorchScript feature extractor of tests/train_backbone_test.cpp: a tiny network
made and saved in Python (torch.jit.save), [N, 1, H, W] images in, 6 features out, that
`[transfer] from = "backbone.pt"` puts under a new head.

usage: make_backbone.py OUT.pt
"""
import sys

import torch


class Backbone(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(4 * 2 * 2, 6)

    def forward(self, x):
        x = torch.relu(self.bn(self.conv(x)))
        x = torch.nn.functional.adaptive_avg_pool2d(x, 2)
        return torch.relu(self.fc(torch.flatten(x, 1)))


if __name__ == "__main__":
    torch.manual_seed(0)
    torch.jit.script(Backbone()).save(sys.argv[1])
