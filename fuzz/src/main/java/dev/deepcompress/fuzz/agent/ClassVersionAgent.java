package dev.deepcompress.fuzz.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

/**
 * Lets Jazzer 0.24.0 instrument this project's classes. Its bundled ASM reads class files up to
 * version 67 (Java 23) and skips newer ones with a warning, which would leave the code under test
 * without coverage feedback: the fuzzer would mutate blind. Loaded with {@code -javaagent} before
 * Jazzer attaches its own agent, this transformer runs first and relabels the project's version-69
 * (Java 25) class files as version 67, which changes nothing else: Java 24 and 25 added no bytecode
 * or class-file structure that those classes use. Only {@code dev/deepcompress/} classes are
 * touched, and only in the fuzz module's tests; nothing built here ships.
 */
public final class ClassVersionAgent {
  private static final int JAVA_25 = 69;
  private static final int READABLE_BY_JAZZER = 67;

  private ClassVersionAgent() {}

  public static void premain(String arguments, Instrumentation instrumentation) {
    instrumentation.addTransformer(new Relabel(), true);
  }

  private static final class Relabel implements ClassFileTransformer {
    @Override
    public byte[] transform(
        Module module,
        ClassLoader loader,
        String className,
        Class<?> classBeingRedefined,
        ProtectionDomain protectionDomain,
        byte[] classfileBuffer) {
      if (className == null
          || !className.startsWith("dev/deepcompress/")
          || majorVersion(classfileBuffer) != JAVA_25) {
        return null;
      }
      byte[] relabelled = classfileBuffer.clone();
      relabelled[6] = (byte) (READABLE_BY_JAZZER >>> 8);
      relabelled[7] = (byte) READABLE_BY_JAZZER;
      return relabelled;
    }

    private static int majorVersion(byte[] classFile) {
      return classFile.length < 8 ? -1 : (classFile[6] & 0xFF) << 8 | (classFile[7] & 0xFF);
    }
  }
}
