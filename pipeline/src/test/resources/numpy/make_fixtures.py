"""Writes the NumPy data of the command-line tests with NumPy (Debian's python3-numpy).

Run from this directory: /usr/bin/python3 make_fixtures.py
28x28 grey images, black but for a bright 6x6 square somewhere in one of the four quadrants; the
label is the quadrant (0-3). Small once compressed, and learnable in one epoch.
"""
import numpy as np

rng = np.random.default_rng(1)


def quadrants(n):
    x = np.zeros((n, 1, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 4, size=n).astype(np.int64)
    for i in range(n):
        row = 14 * (y[i] // 2) + rng.integers(0, 9)
        col = 14 * (y[i] % 2) + rng.integers(0, 9)
        x[i, 0, row:row + 6, col:col + 6] = 230
    return x, y


x, y = quadrants(256)
np.savez_compressed("quadrants_train.npz", x=x, y=y)
# The same training images as float32 pixel / 256, which is exact.
np.savez_compressed("quadrants_train_f32.npz", x=(x / 256).astype(np.float32), y=y)
x, y = quadrants(32)
np.savez_compressed("quadrants_test.npz", x=x, y=y)
# The same test images as flat float32 vectors in [0, 1), and as a pair of .npy files.
np.savez_compressed("quadrants_test_f32.npz", x=(x.reshape(32, 784) / 256).astype(np.float32), y=y)
np.save("quadrants_test_x.npy", x)
np.save("quadrants_test_y.npy", y)
# Samples that fit no LeNet.
np.savez_compressed("vectors_of_ten.npz", x=np.zeros((8, 10), np.float32), y=np.zeros(8, np.int64))
