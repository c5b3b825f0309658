#!/usr/bin/env bash
# The whole test suite: installs what is missing, then builds and tests twice:
# a Release build with warnings as errors, and a Debug build under
# AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps

jobs=$(nproc)
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi

echo "== Release build (warnings are errors)"
cmake -S . -B build-release "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DKSTATE_WERROR=ON
cmake --build build-release -j"$jobs"
ctest --test-dir build-release --output-on-failure -j"$jobs"

echo "== Debug build with AddressSanitizer and UndefinedBehaviorSanitizer"
cmake -S . -B build-asan "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug -DKSTATE_SANITIZE=ON -DKSTATE_WERROR=ON
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
