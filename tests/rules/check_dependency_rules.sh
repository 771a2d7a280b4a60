#!/usr/bin/env bash
# Checks the dependency rules of DESIGN.md on a source tree and (optionally) built libraries:
#   - core/engine and core/media include nothing of Qt;
#   - nothing under core/ includes a Qt GUI or Widgets header;
#   - nothing under ui/ includes a LibTorch header (torch/, ATen/, c10/);
#   - the built engine and media libraries reference no Qt symbol;
#   - built UI objects reference no LibTorch symbol;
#   - tools/worldgen (the shapes world, linked by the trainer and the evaluator) has neither Qt nor LibTorch.
# Usage: check_dependency_rules.sh SOURCE_DIR [LIB_DIR]. Prints each violation; exit 1 if any.
set -uo pipefail
src=${1:?source dir}
lib=${2:-}
fail=0
violation() { echo "violation: $*"; fail=1; }

scan() { # scan DIR REGEX MESSAGE
    local dir=$1 regex=$2 message=$3
    [ -d "$dir" ] || return 0
    while IFS= read -r hit; do
        violation "$hit: $message"
    done < <(grep -rnE --include='*.h' --include='*.hpp' --include='*.cpp' --include='*.cc' "$regex" "$dir" || true)
}

qt_any='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](Qt[A-Za-z]*/|Q[A-Z][A-Za-z]*(\.h)?[>"])'
qt_gui='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](QtGui|QtWidgets|QtOpenGL|QtSvg|QtMultimedia|QtQuick)[/>"]|^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](QWidget|QApplication|QGuiApplication|QMainWindow|QImage|QPixmap|QPainter|QColor|QFont|QIcon|QAction|QKeySequence|QWindow|QScreen|QDialog|QLabel|QPushButton)[>"]'
torch_inc='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](torch/|ATen/|c10/|caffe2/)'

scan "$src/core/engine" "$qt_any" "the engine must not include Qt (DESIGN.md: no Qt at all)"
scan "$src/core/media" "$qt_any" "core/media must not include Qt"
scan "$src/core" "$qt_gui" "core/ must not include a Qt GUI or Widgets header"
scan "$src/ui" "$torch_inc" "ui/ must not include LibTorch; go through core/studio"
scan "$src/tools/worldgen" "$qt_any" "tools/worldgen (kinora_world) must not include Qt: the trainer and the evaluator link it"
scan "$src/tools/worldgen" "$torch_inc" "tools/worldgen (kinora_world) must not include LibTorch: OpenCV and the media types only"

if [ -n "$lib" ]; then
    for a in "$lib"/libkinora_engine.a "$lib"/libkinora_media.a; do
        [ -f "$a" ] || { violation "$a: library not built"; continue; }
        syms=$(nm -C --undefined-only "$a" 2>/dev/null | grep -E ' (Q[A-Z][A-Za-z]+::|q[A-Z][a-zA-Z]+\(|qt_)' | head -5)
        [ -z "$syms" ] || violation "$a references Qt symbols: $(echo "$syms" | tr -s ' \n' ' ')"
    done
    if [ -f "$lib/libkinora_world.a" ]; then
        syms=$(nm -C --undefined-only "$lib/libkinora_world.a" 2>/dev/null | grep -E ' (Q[A-Z][A-Za-z]+::|q[A-Z][a-zA-Z]+\(|qt_|at::|torch::|c10::)' | head -5)
        [ -z "$syms" ] || violation "libkinora_world.a references Qt or LibTorch symbols: $(echo "$syms" | tr -s ' \n' ' ')"
    fi
    if [ -f "$lib/libkinora_ui.a" ]; then
        syms=$(nm -C --undefined-only "$lib/libkinora_ui.a" 2>/dev/null | grep -E ' (at|torch|c10)::' | head -5)
        [ -z "$syms" ] || violation "libkinora_ui.a references LibTorch symbols: $(echo "$syms" | tr -s ' \n' ' ')"
    fi
fi

if [ $fail -eq 0 ]; then echo "dependency rules hold"; fi
exit $fail
