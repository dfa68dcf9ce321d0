#!/usr/bin/env bash
# Side-by-side epoch time of LeNet training: deepcompress vs PyTorch (Debian's python3-torch),
# same network, solver, batch 64 and thread count, run one after the other.
# Usage: bench/epoch-vs-pytorch.sh [EPOCHS] [THREADS] [MODEL]   (MODEL: lenet-300-100 or lenet-5)
# Needs: apt-get install python3-torch libopenblas0-pthread (without OpenBLAS, Debian's torch runs on
# the reference BLAS and is several times slower, which would flatter deepcompress); MNIST in the
# deepcompress cache (any train run puts it there).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
epochs="${1:-3}"
threads="${2:-2}"
model="${3:-lenet-300-100}"
case "$model" in
  lenet-300-100) title=LeNet-300-100 ;;
  lenet-5) title=LeNet-5 ;;
  *) echo "epoch-vs-pytorch: unknown model '$model'; known: lenet-300-100, lenet-5" >&2; exit 1 ;;
esac
python="${PYTHON:-/usr/bin/python3}"
mnist="${DEEPCOMPRESS_CACHE:-$HOME/.cache/deepcompress}/mnist"
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "epoch-vs-pytorch: $python cannot import torch; apt-get install python3-torch" >&2
  exit 1
fi
if ! readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 | grep -q openblas; then
  echo "epoch-vs-pytorch: libblas.so.3 is not OpenBLAS; apt-get install libopenblas0-pthread" >&2
  exit 1
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

"$root/deepcompress" train --model "$model" --epochs "$epochs" --threads "$threads" \
  --out "$out/bench.dcmodel" | tee "$out/java.log"
# PyTorch gets the cores two ways (its own threads, or OpenBLAS's; both at once oversubscribe
# and run ~3x slower here); the faster of the two is the peer.
OPENBLAS_NUM_THREADS=1 "$python" "$root/bench/pytorch/lenet_epoch.py" "$mnist" "$epochs" "$threads" "$model" \
  | tee "$out/torch-intraop.log"
OPENBLAS_NUM_THREADS="$threads" "$python" "$root/bench/pytorch/lenet_epoch.py" "$mnist" "$epochs" 1 "$model" \
  | tee "$out/torch-openblas.log"

# Epoch 1 includes JIT warm-up on the Java side; the steady state is the mean of the later epochs.
java_times=$(sed -n 's/^epoch *[0-9]*\/[0-9]* .* \([0-9.]*\) s$/\1/p' "$out/java.log")
torch_total() { awk '/^epoch/ { s += $4 } END { print s }' "$1"; }
if awk -v a="$(torch_total "$out/torch-intraop.log")" -v b="$(torch_total "$out/torch-openblas.log")" \
  'BEGIN { exit !(a <= b) }'; then
  torch_log="$out/torch-intraop.log" torch_setup="torch $threads threads, OpenBLAS 1"
else
  torch_log="$out/torch-openblas.log" torch_setup="torch 1 thread, OpenBLAS $threads"
fi
torch_times=$(awk '/^epoch/ {print $4}' "$torch_log")
summarise() { awk '{ t[NR] = $1 } END { s = 0; for (i = 2; i <= NR; i++) s += t[i]; printf "%.3f %.3f", t[1], (NR > 1 ? s / (NR - 1) : t[1]) }'; }
read -r java_first java_steady <<<"$(echo "$java_times" | summarise)"
read -r torch_first torch_steady <<<"$(echo "$torch_times" | summarise)"
echo
echo "$title, batch 64, $threads threads, seconds per epoch:"
printf '  %-14s first %7s   steady %7s\n' deepcompress "$java_first" "$java_steady" pytorch "$torch_first" "$torch_steady"
echo "  (pytorch: the faster setup, $torch_setup)"
awk -v a="$java_first" -v b="$torch_first" -v c="$java_steady" -v d="$torch_steady" \
  'BEGIN { printf "  ratio deepcompress/pytorch: first epoch %.2f, steady %.2f\n", a / b, c / d }'
