#!/usr/bin/env bash
# The tests read the original's recordings from packetstream-core/src/test/resources/wire, a
# byte-for-byte copy of ../shared/wire, so that they need nothing outside the checkout. This
# fails when the copy and the original differ in any way (a file changed, added or missing),
# so the copy cannot drift from the recordings while ../shared is there to compare with.
set -euo pipefail
cd "$(dirname "$0")/.."

ORIGINAL=../shared/wire
COPY=packetstream-core/src/test/resources/wire
if [[ ! -d "$ORIGINAL" ]]; then
  echo "wire-copy: $ORIGINAL is not there; nothing to compare $COPY with" >&2
  exit 0
fi
diff -r "$ORIGINAL" "$COPY" >&2 \
  || { echo "wire-copy: FAIL: $COPY differs from $ORIGINAL; copy it again (cp $ORIGINAL/* $COPY/), never edit it" >&2; exit 1; }
echo "wire-copy: $COPY is the same as $ORIGINAL"
