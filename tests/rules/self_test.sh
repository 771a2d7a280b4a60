#!/usr/bin/env bash
# Builds small trees that break each rule and checks that check_dependency_rules.sh reports each one.
set -uo pipefail
checker=${1:?checker}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

expect() { # expect NAME SHOULD_FAIL(0|1) FILE CONTENT
    local name=$1 should_fail=$2 file=$3 content=$4
    rm -rf "$tmp/tree"; mkdir -p "$tmp/tree/$(dirname "$file")"
    printf '%s\n' "$content" > "$tmp/tree/$file"
    out=$("$checker" "$tmp/tree" 2>&1); rc=$?
    if [ "$should_fail" = 1 ] && [ $rc -eq 0 ]; then echo "FAIL $name: not caught"; status=1
    elif [ "$should_fail" = 0 ] && [ $rc -ne 0 ]; then echo "FAIL $name: false alarm: $out"; status=1
    else echo "ok   $name"; fi
}

expect "QString in engine"      1 core/engine/a.cpp '#include <QString>'
expect "QtCore in media"        1 core/media/a.h    '#include <QtCore/QObject>'
expect "QImage in studio"       1 core/studio/a.cpp '#include <QImage>'
expect "QtWidgets in studio"    1 core/studio/a.cpp '#include <QtWidgets/QWidget>'
expect "torch in ui"            1 ui/a.cpp          '#include <torch/torch.h>'
expect "ATen in ui"             1 ui/b.h            '  #  include "ATen/ATen.h"'
expect "QString in worldgen"    1 tools/worldgen/a.cpp '#include <QString>'
expect "torch in worldgen"      1 tools/worldgen/a.h   '#include <torch/torch.h>'
expect "OpenCV in worldgen ok"  0 tools/worldgen/a.cpp '#include <opencv2/core.hpp>'
expect "QString in studio ok"   0 core/studio/a.cpp '#include <QString>'
expect "torch in engine ok"     0 core/engine/a.cpp '#include <torch/torch.h>'
expect "QWidget in ui ok"       0 ui/a.cpp          '#include <QWidget>'
expect "comment mention ok"     0 core/engine/a.cpp '// we never #include <QString> here'
exit $status
