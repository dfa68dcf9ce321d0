#!/usr/bin/env bash
# Builds hsdis-amd64.so into the directory given (default target/hsdis), for reading the JIT's
# machine code of a kernel:
#   LD_LIBRARY_PATH=DIR java -XX:+UnlockDiagnosticVMOptions \
#     -XX:CompileCommand=print,dev.deepcompress.runtime.kernels.ColumnMajor::multiply ...
# Needs gcc and Debian's libhsdis0-fcml (apt-get install libhsdis0-fcml).
set -euo pipefail
out="${1:-target/hsdis}"
fcml=/usr/lib/x86_64-linux-gnu/libhsdis.so.0
if [[ ! -e "$fcml" ]]; then
  echo "error: $fcml not found; install the package libhsdis0-fcml" >&2
  exit 1
fi
mkdir -p "$out"
gcc -shared -fPIC -O2 -Wall -DFCML_HSDIS="\"$fcml\"" \
  -o "$out/hsdis-amd64.so" "$(dirname "$0")/hsdis-shim.c" -ldl
echo "built $out/hsdis-amd64.so; run java with LD_LIBRARY_PATH=$out"
