"""Writes the NumPy fixtures of NumpyDataTest with NumPy itself (Debian's python3-numpy).

Run from this directory: /usr/bin/python3 make_fixtures.py
The values follow simple formulas that the test recomputes, so it checks every value read.
"""
import numpy as np


def samples_u8(shape):
    """uint8 sample values: element i of the flattened array is (7 * i + 3) mod 256."""
    n = int(np.prod(shape))
    return ((7 * np.arange(n) + 3) % 256).astype(np.uint8).reshape(shape)


def samples_f32(shape):
    """float32 sample values: element i is i / 4 - 3 (exact in float32)."""
    n = int(np.prod(shape))
    return (np.arange(n) / 4 - 3).astype(np.float32).reshape(shape)


def labels(n, dtype):
    """Label of sample i: (3 * i) mod 10."""
    return ((3 * np.arange(n)) % 10).astype(dtype)


# Valid pairs, one per supported layout and several label types.
np.save("images_u8.npy", samples_u8((5, 1, 3, 4)))  # [N, C, H, W] uint8
np.save("images_labels_i64.npy", labels(5, np.int64))
np.save("vectors_f32.npy", samples_f32((4, 6)))  # [N, D] float32
np.save("vectors_labels_u8.npy", labels(4, np.uint8))
np.save("grey_f32_big_endian.npy", samples_f32((3, 2, 2)).astype(">f4"))  # [N, H, W]
np.save("grey_labels_i16_big_endian.npy", labels(3, ">i2"))

# Header versions 2.0 and 3.0 (4-byte header length; 3.0 is UTF-8).
with open("version2_u8.npy", "wb") as f:
    np.lib.format.write_array(f, samples_u8((2, 3)), version=(2, 0))
with open("version3_labels_u32.npy", "wb") as f:
    np.lib.format.write_array(f, labels(2, np.uint32), version=(3, 0))

# Archives: np.savez stores, np.savez_compressed deflates.
np.savez("stored.npz", x=samples_u8((6, 2, 2, 2)), y=labels(6, np.int32))
np.savez_compressed("compressed.npz", x=samples_f32((7, 5)), y=labels(7, np.uint16))
np.savez("no_labels.npz", x=samples_u8((2, 2)), z=labels(2, np.int64))

# What the reader must refuse, as NumPy writes it.
np.save("objects.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
np.save("fortran_u8.npy", np.asfortranarray(samples_u8((3, 4))))
np.save("float64.npy", samples_f32((2, 3)).astype(np.float64))
np.save("int32_samples.npy", samples_u8((2, 3)).astype(np.int32))
np.save("float_labels.npy", labels(5, np.float32))
np.save("bool_labels.npy", np.array([True, False, True, True, False]))
np.save("column_labels.npy", labels(5, np.int64).reshape(5, 1))
np.save("negative_labels.npy", np.array([0, 1, -1, 2, 3], dtype=np.int8))
np.save("huge_labels.npy", np.array([0, 2**63, 1, 1, 1], dtype=np.uint64))
np.save("four_labels.npy", labels(4, np.int64))
np.save("vector.npy", samples_u8((5,)))
np.save("rank5.npy", samples_u8((1, 1, 1, 2, 2)))
np.save("no_samples.npy", samples_u8((0, 3)))
np.save("structured.npy", np.zeros(3, dtype=[("a", np.uint8), ("b", np.float32)]))
nan = samples_f32((2, 3))
nan[1, 2] = np.nan
np.save("nan_f32.npy", nan)
