#!/usr/bin/env bash
# Runs one fuzz target in fuzzing mode with Jazzer's libFuzzer driver (docs/fuzzing.md).
#
#   scripts/fuzz.sh CLASS#METHOD [libFuzzer flags...]
#   scripts/fuzz.sh ModelFileFuzzTest#framed -max_total_time=600    # ten minutes
#   scripts/fuzz.sh HuffmanFuzzTest#stream -runs=1000000 -max_total_time=0   # a million runs
#
# Without -max_total_time a run stops after five minutes, the @FuzzTest default Jazzer applies.
#
# Starts from the target's seeds and regression inputs (fuzz/src/test/resources/.../CLASSInputs/
# METHOD/, where findings are written too) and keeps the inputs it generates in the git-ignored
# fuzz/.corpus/CLASS/METHOD/. Runs nice'd; run one target at a time on a small machine.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=scripts/select-jdk.sh
source "$root/scripts/select-jdk.sh"
select_jdk

if [ $# -lt 1 ] || [[ "$1" != *#* ]]; then
  echo "usage: scripts/fuzz.sh CLASS#METHOD [libFuzzer flags...], e.g. ModelFileFuzzTest#framed -max_total_time=600" >&2
  exit 2
fi
class="${1%%#*}"
method="${1#*#}"
shift

classpath_file="$root/fuzz/target/fuzz.classpath"
mvn -B -q -f "$root/pom.xml" -pl fuzz -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$classpath_file" -Dmdep.includeScope=test
# Maven prints a colour reset even in batch mode; the flags are what follows it.
jvm_flags="$(mvn -B -q -f "$root/fuzz/pom.xml" help:evaluate -Dexpression=fuzz.argLine \
  -DforceStdout | sed 's/\x1b\[[0-9;]*m//g')"
corpus="$root/fuzz/.corpus/$class/$method"
mkdir -p "$corpus"

cd "$root/fuzz"
# shellcheck disable=SC2086 # the JVM flags are words
exec nice -n 10 "$JAVA_HOME/bin/java" $jvm_flags \
  -cp "target/test-classes:target/classes:$(cat "$classpath_file")" \
  com.code_intelligence.jazzer.Jazzer \
  --target_class="dev.deepcompress.fuzz.$class" --target_method="$method" \
  --instrumentation_includes='dev.deepcompress.**' --custom_hook_includes='dev.deepcompress.**' \
  -timeout=10 "$@" "$corpus"
