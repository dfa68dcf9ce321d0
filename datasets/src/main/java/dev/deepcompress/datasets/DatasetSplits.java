package dev.deepcompress.datasets;

/** The training and test halves of a data set. */
public record DatasetSplits(DatasetKind kind, ImageSet train, ImageSet test) {}
