#!/usr/bin/env bash
# Regenerates the module graph in docs/ARCHITECTURE.md (between its module-graph markers) from
# the dependencies that CMakeLists.txt declares with hangar_module: configuring the build writes
# them to build/module_graph.txt. layering_test fails while the document and the build disagree,
# so run this after changing a module's dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir="${HANGAR_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" >/dev/null
graph_file="$build_dir/module_graph.txt"
doc=docs/ARCHITECTURE.md

# module_graph.txt: "<module> <folder> <linked module>..." -> mermaid edges "module --> linked".
block=$(
  echo '```mermaid'
  echo 'graph BT'
  awk '{ for (i = 3; i <= NF; ++i) printf "  %s --> %s\n", $1, $i; if (NF == 2) printf "  %s\n", $1 }' \
    "$graph_file"
  echo '```'
)

awk -v block="$block" '
  /<!-- module-graph:begin -->/ { print; print block; skipping = 1; next }
  /<!-- module-graph:end -->/ { skipping = 0 }
  !skipping { print }
' "$doc" >"$doc.new"
mv "$doc.new" "$doc"
echo "module_graph: $doc updated from $graph_file"
