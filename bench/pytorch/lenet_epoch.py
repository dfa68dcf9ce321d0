"""Epoch time of a LeNet in PyTorch with the same network, solver and batch as deepcompress.

Usage: python3 lenet_epoch.py MNIST_DIR EPOCHS THREADS [MODEL]
MODEL is lenet-300-100 (the default) or lenet-5 (Caffe's LeNet: conv 20@5x5, max pool 2,
conv 50@5x5, max pool 2, fc 500, ReLU, fc 10).
THREADS is torch's intra-op thread count; OpenBLAS's own pool is set by OPENBLAS_NUM_THREADS.
Prints one line per epoch: "epoch N seconds S loss L".
"""
import gzip
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def build(name):
    """The network, its modules named as Caffe's layers (so the ONNX export names them alike)."""
    if name == "lenet-300-100":
        layers = [
            ("ip1", nn.Linear(784, 300)), ("relu1", nn.ReLU()),
            ("ip2", nn.Linear(300, 100)), ("relu2", nn.ReLU()),
            ("ip3", nn.Linear(100, 10)),
        ]
    elif name == "lenet-5":
        layers = [
            ("conv1", nn.Conv2d(1, 20, 5)), ("pool1", nn.MaxPool2d(2, 2)),
            ("conv2", nn.Conv2d(20, 50, 5)), ("pool2", nn.MaxPool2d(2, 2)),
            ("flatten", nn.Flatten()), ("ip1", nn.Linear(800, 500)), ("relu1", nn.ReLU()),
            ("ip2", nn.Linear(500, 10)),
        ]
    else:
        sys.exit(f"lenet_epoch: unknown model '{name}'; known: lenet-300-100, lenet-5")
    model = nn.Sequential(OrderedDict(layers))
    for layer in model:
        if isinstance(layer, (nn.Linear, nn.Conv2d)):
            # Caffe's xavier filler: uniform with variance 1/fan_in.
            fan_in = layer.weight[0].numel()
            bound = (3.0 / fan_in) ** 0.5
            nn.init.uniform_(layer.weight, -bound, bound)
            nn.init.zeros_(layer.bias)
    return model


def images_for(name, path):
    """MNIST images scaled by 1/256 (Caffe's LeNet scaling), shaped for the network's input."""
    images = torch.from_numpy(read_idx(path).astype(np.float32) / 256.0)
    return images.reshape(-1, 784) if name == "lenet-300-100" else images.reshape(-1, 1, 28, 28)


def caffe_solver(model):
    """Caffe's LeNet solver: bias learning rate x2, weight decay on both, "inv" policy per iteration."""
    weights = [p for n, p in model.named_parameters() if n.endswith("weight")]
    biases = [p for n, p in model.named_parameters() if n.endswith("bias")]
    optimizer = torch.optim.SGD(
        [{"params": weights, "lr": 0.01}, {"params": biases, "lr": 0.02}],
        lr=0.01, momentum=0.9, weight_decay=5e-4,
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda it: (1 + 1e-4 * it) ** -0.75)
    return optimizer, schedule


def train_epoch(model, images, labels, optimizer, schedule, generator):
    """One epoch of batch-64 SGD in a shuffled order; returns the mean loss."""
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(images.shape[0], generator=generator)
    total = 0.0
    batches = 0
    for first in range(0, images.shape[0], 64):
        index = order[first : first + 64]
        optimizer.zero_grad()
        loss = loss_fn(model(images[index]), labels[index])
        loss.backward()
        optimizer.step()
        schedule.step()
        total += loss.item()
        batches += 1
    return total / batches


def main():
    mnist_dir, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    name = sys.argv[4] if len(sys.argv) > 4 else "lenet-300-100"
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    images = images_for(name, mnist_dir + "/train-images-idx3-ubyte")
    labels = torch.from_numpy(read_idx(mnist_dir + "/train-labels-idx1-ubyte").astype(np.int64))
    model = build(name)
    optimizer, schedule = caffe_solver(model)
    generator = torch.Generator().manual_seed(1)
    for epoch in range(epochs):
        start = time.perf_counter()
        loss = train_epoch(model, images, labels, optimizer, schedule, generator)
        print(f"epoch {epoch + 1} seconds {time.perf_counter() - start:.3f} loss {loss:.4f}", flush=True)


if __name__ == "__main__":
    main()
