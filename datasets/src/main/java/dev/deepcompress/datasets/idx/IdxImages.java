package dev.deepcompress.datasets.idx;

/** The content of an idx3 unsigned-byte image file: {@code count * rows * cols} pixels. */
public record IdxImages(int count, int rows, int cols, byte[] pixels) {}
