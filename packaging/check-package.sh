#!/usr/bin/env bash
# Quick checks of the Debian package (CTest `packaging_check`, label packaging): the desktop entry and
# the AppStream metadata validate, the package builds, lintian reports no error or warning, and it holds
# the files an installed Kinora needs. The install into a fresh root is packaging/test-install.sh.
# Usage: packaging/check-package.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=${1:?source dir}
build=${2:?build dir}
fail=0
problem() { echo "check-package: $*" >&2; fail=1; }

desktop-file-validate "$src/packaging/io.kinora.Studio.desktop" || problem "desktop entry does not validate"
appstreamcli validate --no-net "$src/packaging/io.kinora.Studio.metainfo.xml" || problem "AppStream metadata does not validate"

cmake --build "$build" --target package >/dev/null || { echo "check-package: the package does not build" >&2; exit 1; }
deb=$(ls -t "$build"/kinora_*.deb | head -1)
echo "package: $deb"
# Errors and warnings fail; informational tags do not.
lint=$(lintian --tag-display-limit 0 "$deb" 2>&1 | grep -E '^(E|W): ' || true)
[ -z "$lint" ] || problem "lintian: $lint"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for path in ./usr/bin/kinora ./usr/bin/kinora-studio ./usr/lib/x86_64-linux-gnu/kinora/libkinora_spm.so \
            ./usr/share/applications/io.kinora.Studio.desktop ./usr/share/metainfo/io.kinora.Studio.metainfo.xml \
            ./usr/share/icons/hicolor/scalable/apps/kinora-studio.svg ./usr/share/icons/hicolor/48x48/apps/kinora-studio.png \
            ./usr/share/man/man1/kinora.1.gz ./usr/share/doc/kinora/copyright ./usr/share/doc/kinora/changelog.gz; do
    grep -qxF "$path" <<<"$contents" || problem "missing from the package: $path"
done
depends=$(dpkg-deb -f "$deb" Depends)
for dep in libopenblas0-openmp libtorch1.13 libqt6widgets6 libavcodec59; do
    grep -q "$dep" <<<"$depends" || problem "Depends lacks $dep: $depends"
done
if [ -d "$src/resources/models/kinora-tiny" ]; then
    grep -q '^./usr/share/kinora/models/kinora-tiny/model_index.json$' <<<"$contents" || problem "the bundled model is not in the package"
fi
[ $fail -eq 0 ] && echo "package checks passed"
exit $fail
