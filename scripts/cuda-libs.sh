#!/bin/sh
# Prints the folders that hold CUDA 13 and cuDNN 9 libraries, colon-separated,
# for LD_LIBRARY_PATH: those of pip's nvidia-* wheels (PyTorch installs them),
# of /usr/local/cuda* and of the system's library folders. Prints nothing
# where none is found. With --append, the current LD_LIBRARY_PATH follows
# them (no empty entries). Used by `make calibrate-cuda`.
for root in ${CUDA_LIB_ROOTS:-/opt /usr/local /usr/lib /usr/lib64 "$HOME/.local" "${VIRTUAL_ENV:-/nonexistent}" "${CONDA_PREFIX:-/nonexistent}"}; do
  [ -d "$root" ] || continue
  find "$root" -xdev \( -name 'libcudart.so.13*' -o -name 'libcublas.so.13*' -o -name 'libcublasLt.so.13*' \
    -o -name 'libcurand.so.10*' -o -name 'libcufft.so.12*' -o -name 'libcudnn.so.9*' \) 2>/dev/null
done | while read -r f; do dirname "$f"; done | sort -u |
  { cat; [ "${1:-}" = --append ] && printf '%s\n' "${LD_LIBRARY_PATH:-}" | tr : '\n'; } | grep -v '^$' | paste -sd: -
