"""Trains LeNet-300-100 and LeNet-5 in PyTorch on MNIST, exports both to ONNX and records their
test error: the test fixtures of deepcompress's ONNX import (onnx/src/test/resources/pytorch).

Usage: python3 export_lenets.py [MNIST_DIR [OUT_DIR [EPOCHS [THREADS]]]]
MNIST_DIR holds the four uncompressed IDX files (default ~/.cache/deepcompress/mnist, filled by
any deepcompress command that loads MNIST, e.g. ./deepcompress eval); OUT_DIR defaults to the
fixture directory. Same networks, xavier init, Caffe solver and batch as lenet_epoch.py; pixels
scaled by 1/256, as deepcompress's LeNets expect. Writes NAME.onnx and NAME.json per model; the
record holds the error on the 10,000 test images and which images were misclassified.
LeNet-300-100 is exported at opset 11 and LeNet-5 at opset 17, the two ends of the range the
importer supports. Needs Debian's python3-torch (1.13) and python3-onnx.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch

from lenet_epoch import build, caffe_solver, images_for, read_idx, train_epoch

OPSETS = {"lenet-300-100": 11, "lenet-5": 17}


def test_predictions(model, images):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(images[i : i + 1000]).argmax(1) for i in range(0, len(images), 1000)])


def write_record(path, record):
    """One field per line, the list of misclassified images on one line."""
    lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in record.items()]
    with open(path, "w") as f:
        f.write("{\n" + ",\n".join(lines) + "\n}\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_mnist = os.path.join(os.path.expanduser("~"), ".cache", "deepcompress", "mnist")
    mnist_dir = sys.argv[1] if len(sys.argv) > 1 else default_mnist
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        here, "..", "..", "onnx", "src", "test", "resources", "pytorch")
    epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    torch.set_num_threads(threads)
    test_labels = torch.from_numpy(read_idx(mnist_dir + "/t10k-labels-idx1-ubyte").astype(np.int64))
    train_labels = torch.from_numpy(read_idx(mnist_dir + "/train-labels-idx1-ubyte").astype(np.int64))
    for name, opset in OPSETS.items():
        torch.manual_seed(1)
        train_images = images_for(name, mnist_dir + "/train-images-idx3-ubyte")
        test_images = images_for(name, mnist_dir + "/t10k-images-idx3-ubyte")
        model = build(name)
        optimizer, schedule = caffe_solver(model)
        generator = torch.Generator().manual_seed(1)
        for epoch in range(epochs):
            model.train()
            loss = train_epoch(model, train_images, train_labels, optimizer, schedule, generator)
            print(f"{name}: epoch {epoch + 1} loss {loss:.4f}", flush=True)
        wrong = (test_predictions(model, test_images) != test_labels).nonzero().flatten().tolist()
        path = os.path.join(out_dir, name + ".onnx")
        torch.onnx.export(
            model, test_images[:1], path, opset_version=opset,
            input_names=["input"], output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        )
        onnx.checker.check_model(onnx.load(path))
        record = {
            "model": name,
            "epochs": epochs,
            "opset": opset,
            "torch": torch.__version__,
            "input_scale": "1/256",
            "test_images": len(test_labels),
            "test_errors": len(wrong),
            "test_error_pct": round(100.0 * len(wrong) / len(test_labels), 2),
            "misclassified": wrong,
        }
        write_record(os.path.join(out_dir, name + ".json"), record)
        print(f"{name}: test error {record['test_error_pct']}% ({len(wrong)}/{len(test_labels)}), wrote {path}", flush=True)


if __name__ == "__main__":
    main()
