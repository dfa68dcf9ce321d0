package dev.deepcompress.runtime.model;

/** A learnable tensor declared by a layer: its full name, what it is for, and its shape. */
public record ParameterSpec(String name, Role role, Shape shape) {
  public enum Role {
    WEIGHT,
    BIAS
  }
}
