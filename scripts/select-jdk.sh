# Sourced by ./deepcompress and .ci/run: exports JAVA_HOME for a JDK 25 or newer, or fails with
# a message that says how to get one.
select_jdk() {
  local preferred=/usr/lib/jvm/temurin-25-jdk-amd64
  if [ -x "$preferred/bin/java" ]; then
    export JAVA_HOME="$preferred"
  elif [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(jdk_feature "$JAVA_HOME/bin/java")" -ge 25 ]; then
    :
  elif command -v java >/dev/null 2>&1 && [ "$(jdk_feature java)" -ge 25 ]; then
    JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
    export JAVA_HOME
  else
    echo "deepcompress: needs JDK 25 or newer; none found at $preferred, in JAVA_HOME or as 'java' on PATH." >&2
    echo "deepcompress: install a JDK 25 (e.g. Temurin 25) and set JAVA_HOME to it." >&2
    return 1
  fi
  export PATH="$JAVA_HOME/bin:$PATH"
  # Maven's own libraries call sun.misc.Unsafe, which JDK 25 warns about on every run.
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
}

# Feature release number of a java binary (17, 21, 25, ...), or 0 if it cannot be read.
jdk_feature() {
  local version
  version=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  case "$version" in
    1.*) echo 0 ;;
    [0-9]*) echo "${version%%.*}" ;;
    *) echo 0 ;;
  esac
}
