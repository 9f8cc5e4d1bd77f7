#!/usr/bin/env python3
"""Trains the Fashion-MNIST fixtures of collagesim's calibration tests.

Needs Debian's python3-torch (1.13) and dataset-fashion-mnist
(apt-get install -y python3-torch dataset-fashion-mnist). Writes, beside this
script: a small S-CNN exported several ways (dynamic batch, PyTorch's default
fixed batch 1, probabilities, NHWC input, RGB input), a 3x3 Collage-CNN with
row-major and column-major cells, the first 300 test images as IDX files, and
expected.json with PyTorch's own counts of correct answers on them.

    /usr/bin/python3 models/testdata/fashion/train.py [/usr/share/datasets/fashion-mnist]

Deterministic for a given torch build (seeded, one thread).
"""
import gzip, json, os, struct, sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST's pixel mean and std in [0, 1]
TEST_N = 300
torch.manual_seed(1)
np.random.seed(1)
torch.set_num_threads(1)


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    rank = magic & 0xFF
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def tensor(u8):
    # As torchvision's ToTensor then Normalize: float32 x/255, then (x-mean)/std.
    x = torch.from_numpy(u8.astype(np.float32)).div(255.0).unsqueeze(1)
    return (x - MEAN) / STD


class Trunk(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 16, 3, padding=1)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        return F.max_pool2d(F.relu(self.c2(x)), 2)


class SCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = Trunk()
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        return self.fc(self.trunk(x).flatten(1))


class Collage(nn.Module):
    """g x g collage of 28-pixel cells in, [N, g*g, 10] per-cell logits out."""

    def __init__(self, g, col_major=False):
        super().__init__()
        self.g, self.col_major = g, col_major
        self.trunk = Trunk()
        self.head = nn.Conv2d(16, 10, 7, stride=7)  # one 7x7 window per cell

    def forward(self, x):
        y = self.head(self.trunk(x))  # [N, 10, g, g]: rows, columns
        y = y.permute(0, 3, 2, 1) if self.col_major else y.permute(0, 2, 3, 1)
        return y.reshape(y.shape[0], self.g * self.g, 10)


def train(model, batches, epochs, lr=2e-3):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        for x, y in batches():
            opt.zero_grad()
            loss = F.cross_entropy(model(x).reshape(-1, 10), y.reshape(-1))
            loss.backward()
            opt.step()
    model.eval()


def main():
    xtr, ytr = idx(f"{SRC}/train-images-idx3-ubyte.gz"), idx(f"{SRC}/train-labels-idx1-ubyte.gz")
    xte, yte = idx(f"{SRC}/t10k-images-idx3-ubyte.gz")[:TEST_N], idx(f"{SRC}/t10k-labels-idx1-ubyte.gz")[:TEST_N]
    Xtr, Ytr = tensor(xtr), torch.from_numpy(ytr.astype(np.int64))

    def single_batches():
        perm = torch.randperm(len(Xtr))
        for i in range(0, len(perm), 128):
            j = perm[i:i + 128]
            yield Xtr[j], Ytr[j]

    scnn = SCNN()
    train(scnn, single_batches, 2)

    g = 3
    def collage_batches():
        for _ in range(600):
            j = torch.randint(0, len(Xtr), (32, g * g))
            cells = Xtr[j.reshape(-1)].reshape(32, g, g, 1, 28, 28)  # row-major positions
            x = cells.permute(0, 3, 1, 4, 2, 5).reshape(32, 1, g * 28, g * 28)
            yield x, Ytr[j]

    collage = Collage(g)
    train(collage, collage_batches, 1)

    Xte = tensor(xte)
    with torch.no_grad():
        single_correct = int((scnn(Xte).argmax(1).numpy() == yte).sum())
        # Collages of consecutive test images 0-8, 9-17, ... (row-major).
        n = TEST_N // (g * g)
        cx = Xte[: n * g * g].reshape(n, g, g, 1, 28, 28).permute(0, 3, 1, 4, 2, 5).reshape(n, 1, g * 28, g * 28)
        cpred = collage(cx).argmax(2).reshape(-1).numpy()
        collage_correct = int((cpred == yte[: n * g * g]).sum())

    def export(model, name, example, dynamic=True):
        path = os.path.join(HERE, name)
        kw = {}
        if dynamic:
            kw["dynamic_axes"] = {"input": {0: "N"}, "output": {0: "N"}}
        torch.onnx.export(model, example, path, input_names=["input"], output_names=["output"], opset_version=13, **kw)
        print(name, os.path.getsize(path), "bytes")

    class Probs(nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, x):
            return F.softmax(self.m(x), dim=-1)

    class NHWC(nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, x):  # [N, H, W, 1]
            return self.m(x.permute(0, 3, 1, 2))

    class RGB(nn.Module):  # a 3-channel input that reads the first channel
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, x):  # [N, 3, H, W]
            return self.m(x[:, :1])

    one = torch.zeros(1, 1, 28, 28)
    export(scnn, "scnn.onnx", one)
    export(scnn, "scnn-batch1.onnx", one, dynamic=False)  # PyTorch's default: batch fixed at 1
    export(Probs(scnn), "scnn-probs.onnx", one)
    export(NHWC(scnn), "scnn-nhwc.onnx", torch.zeros(1, 28, 28, 1))
    export(RGB(scnn), "scnn-rgb.onnx", torch.zeros(1, 3, 28, 28))
    export(collage, "collage3.onnx", torch.zeros(1, 1, 84, 84))
    col = Collage(g, col_major=True)
    col.load_state_dict(collage.state_dict())
    col.eval()
    export(col, "collage3-colmajor.onnx", torch.zeros(1, 1, 84, 84))

    # Detector-style heads on the Collage-CNN, as YOLO exports lay them out:
    # one box per cell, centred on it, the size of a cell, its class scores
    # the cell's softmax, plus one weak distractor box in cell 0.
    class Yolo(nn.Module):
        def __init__(self, m, side, v8):
            super().__init__()
            self.m, self.side, self.v8 = m, side, v8

        def forward(self, x):
            if self.side != g * 28:
                x = F.interpolate(x, size=(g * 28, g * 28), mode="bilinear", align_corners=False)
            p = F.softmax(self.m(x), dim=-1)  # [N, 9, 10]
            n = p.shape[0]
            cell = self.side / g
            c = torch.arange(g, dtype=torch.float32) * cell + cell / 2
            cy, cx = torch.meshgrid(c, c, indexing="ij")
            boxes = torch.stack([cx.reshape(-1), cy.reshape(-1), torch.full((g * g,), cell), torch.full((g * g,), cell)], -1)
            extra = torch.tensor([[cell / 3, cell / 3, 5.0, 5.0]])
            xywh = torch.cat([boxes, extra], 0).unsqueeze(0).expand(n, -1, -1)  # [N, 10, 4]
            weak = torch.zeros(n, 1, 10)
            weak[:, 0, 0] = 0.05
            scores = torch.cat([p, weak], 1)  # [N, 10, 10]
            if self.v8:  # [N, 4 + C, boxes]
                return torch.cat([xywh, scores], -1).permute(0, 2, 1)
            obj = torch.ones(n, g * g + 1, 1)  # [N, boxes, 5 + C]
            return torch.cat([xywh, obj, scores], -1)

    export(Yolo(collage, 84, False), "collage3-yolov5.onnx", torch.zeros(1, 1, 84, 84))
    export(Yolo(collage, 84, True), "collage3-yolov8.onnx", torch.zeros(1, 1, 84, 84))
    export(Yolo(collage, 86, True), "collage3-yolov8-86px.onnx", torch.zeros(1, 1, 86, 86))

    with open(os.path.join(HERE, "t10k-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, TEST_N, 28, 28) + xte.tobytes())
    with open(os.path.join(HERE, "t10k-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x801, TEST_N) + yte.tobytes())
    exp = {
        "images": TEST_N, "mean": MEAN, "std": STD, "torch": torch.__version__,
        "scnn_correct": single_correct,
        "collage3_sequential_cells": n * g * g, "collage3_sequential_correct": collage_correct,
    }
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(exp, f, indent=2)
        f.write("\n")
    print(exp)


if __name__ == "__main__":
    main()
