#!/usr/bin/env bash
# Smoke test of the frozen Linux build and the .deb made from it.
#
#   installers/smoke.sh [--rebuild]
#
# Builds build/dist/cbec with installers/cbec.spec when it is missing or older than any file
# under desktop/ db/ resources/ or the build inputs in installers/, then, in throwaway folders:
# size and library checks; the built `cbec` runs init, demo, every report,
# package export/import, check; per-user and portable data folders; the GUI executable starts
# offscreen and under Xvfb with --selftest (window within 3 s of launch); the .deb is built,
# listed with dpkg-deb -c, unpacked with dpkg -x and its installed programs run.
# Needs: .venv with PyInstaller, dpkg-deb, binutils (objdump), xvfb (xvfb-run), xauth.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
DIST="$ROOT/build/dist"
BUNDLE="$DIST/cbec"
MAX_MB=150
MAX_WINDOW_MS=3000
T_START=$(date +%s)

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
fail() { printf 'SMOKE FAIL: %b\n' "$*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# ---- build when stale ------------------------------------------------------------------------
build_inputs() {
    (cd "$ROOT" && find desktop db resources installers/cbec.spec installers/buildinfo.py \
        installers/product.json installers/entry_cli.py installers/entry_gui.py \
        -type f -not -path '*/__pycache__/*' -not -name '*.pyc')
}
stale_input() {  # prints the first input newer than the bundle, or nothing
    [[ -x "$BUNDLE/cbec" && -x "$BUNDLE/cbec-desktop" ]] || { echo "(no bundle)"; return; }
    (cd "$ROOT" && build_inputs | while read -r f; do
        [[ "$f" -nt "$BUNDLE/cbec" ]] && { echo "$f"; break; }
    done)
}
why="$(stale_input)"
if [[ "${1:-}" == "--rebuild" || -n "$why" ]]; then
    step "building the bundle (${why:-forced})"
    t=$(date +%s)
    (cd "$ROOT" && "$PY" -m PyInstaller --noconfirm --log-level WARN --distpath "$DIST" \
        --workpath "$ROOT/build/pyinstaller" installers/cbec.spec)
    echo "built in $(( $(date +%s) - t )) s"
else
    step "bundle is up to date: $BUNDLE"
fi
CBEC="$BUNDLE/cbec"
GUI="$BUNDLE/cbec-desktop"

# ---- bundle shape ----------------------------------------------------------------------------
step "size and libraries"
size_mb=$(du -sm "$BUNDLE" | cut -f1)
echo "bundle: ${size_mb} MB (limit ${MAX_MB} MB)"
(( size_mb <= MAX_MB )) || fail "bundle is ${size_mb} MB, over ${MAX_MB} MB"
for d in db/migrations db/reference resources/icons; do
    [[ -d "$BUNDLE/_internal/$d" ]] || fail "bundle lacks _internal/$d"
done
missing=$(find "$BUNDLE" -type f \( -name '*.so*' -o -name cbec -o -name cbec-desktop \) -print0 \
    | xargs -0 -n 50 ldd 2>/dev/null | grep 'not found' | sort -u || true)
[[ -z "$missing" ]] || fail "libraries not found on this system (add them to the .deb Depends):\n$missing"
if find "$BUNDLE" -name 'libQt6Quick*' -o -name 'libQt6Qml*' -o -name 'libQt6WebEngine*' \
        -o -name 'libQt6Network*' -o -name 'libQt6Wayland*' | grep -q .; then
    fail "unused Qt modules are in the bundle"
fi
version="$("$PY" "$ROOT/installers/buildinfo.py" version)"
[[ "$("$CBEC" --version)" == "cbec $version" ]] || fail "cbec --version is not $version"

# ---- CLI round trip --------------------------------------------------------------------------
step "cbec: init, demo, report, package export/import, check"
COUNTY="$WORK/县区 数据"
CITY="$WORK/市级 数据"
"$CBEC" --data-dir "$COUNTY" init --unit 411323 --operator 张三
demo="$("$CBEC" --data-dir "$COUNTY" demo --scale county --json)"
echo "$demo" | head -c 400; echo
period="$(grep -o '"last_period": *"[^"]*"' <<<"$demo" | grep -o '[0-9][0-9Q-]*' | tail -n 1)"
[[ -n "$period" ]] || fail "cbec demo --json named no last_period"
mkdir -p "$WORK/reports"
names="$("$CBEC" --data-dir "$COUNTY" report list | awk '{print $2}')"
[[ -n "$names" ]] || fail "cbec report list is empty"
for name in $names; do
    "$CBEC" --data-dir "$COUNTY" report "$name" --period "$period" -o "$WORK/reports" >/dev/null \
        || fail "cbec report $name --period $period failed"
done
n_pdf=$(find "$WORK/reports" -name '*.pdf' | wc -l); n_xlsx=$(find "$WORK/reports" -name '*.xlsx' | wc -l)
echo "reports for $period: $n_pdf PDF, $n_xlsx XLSX"
(( n_pdf >= $(wc -w <<<"$names") )) || fail "a report wrote no PDF"
mkdir -p "$WORK/out"
"$CBEC" --data-dir "$COUNTY" package export -o "$WORK/out"
pkg="$(ls "$WORK"/out/*.cbecpkg | head -n 1)"
[[ -f "$pkg" ]] || fail "no .cbecpkg written"
"$CBEC" package verify "$pkg"
"$CBEC" --data-dir "$CITY" init --municipal --operator 李四
"$CBEC" --data-dir "$CITY" package import --dry-run "$pkg"
"$CBEC" --data-dir "$CITY" package import "$pkg"
"$CBEC" --data-dir "$COUNTY" check
"$CBEC" --data-dir "$CITY" check

# ---- where data lives ------------------------------------------------------------------------
step "data folder: per user by default, beside the program only with the portable marker"
HOME_DIR="$WORK/home"
mkdir -p "$HOME_DIR"
env -u CBEC_DATA_DIR -u XDG_DATA_HOME HOME="$HOME_DIR" "$CBEC" init --unit 411323 >/dev/null
[[ -f "$HOME_DIR/.local/share/nanyang-cbec/cbec.sqlite3" ]] || fail "default data folder is not ~/.local/share/nanyang-cbec"
[[ ! -e "$BUNDLE/data" ]] || fail "data was written beside the program"
PORTABLE="$WORK/portable-copy"
cp -al "$BUNDLE" "$PORTABLE"         # hard links: a cheap copy that may get a marker
touch "$PORTABLE/portable"
env -u CBEC_DATA_DIR HOME="$HOME_DIR" "$PORTABLE/cbec" init --unit 411302 >/dev/null
[[ -f "$PORTABLE/data/cbec.sqlite3" ]] || fail "portable marker did not keep data beside the program"

# ---- GUI -------------------------------------------------------------------------------------
# Prints the self-test lines; fails unless the window appears within MAX_WINDOW_MS of launch.
gui_selftest() {  # $1 = label, $2 = data folder, rest = command
    local label="$1" data="$2"; shift 2
    local start shown_file="$WORK/shown-$label" rc
    start=$(date +%s%N)
    set +e
    "$@" --data-dir "$data" --selftest 2>"$WORK/gui-$label.err" | while IFS= read -r line; do
        echo "  $line"
        [[ "$line" == "selftest: window shown"* ]] && ms_since "$start" >"$shown_file"
    done
    rc=${PIPESTATUS[0]}
    set -e
    [[ $rc -eq 0 ]] || { cat "$WORK/gui-$label.err" >&2; fail "GUI self-test ($label) exited $rc"; }
    [[ -s "$shown_file" ]] || fail "GUI self-test ($label) never showed the window"
    local ms; ms=$(cat "$shown_file")
    echo "GUI ($label): launch to window ${ms} ms (limit ${MAX_WINDOW_MS} ms)"
    (( ms <= MAX_WINDOW_MS )) || fail "window took ${ms} ms"
}
step "GUI self-test"
rm -rf "$COUNTY/logs"
QT_QPA_PLATFORM=offscreen gui_selftest offscreen "$COUNTY" "$GUI"
ls "$COUNTY"/logs/*.log >/dev/null 2>&1 || fail "the GUI wrote no log file in the data folder"
QT_QPA_PLATFORM=xcb gui_selftest xvfb "$COUNTY" xvfb-run -a "$GUI"
QT_QPA_PLATFORM=offscreen gui_selftest municipal "$CITY" "$GUI"

# ---- .deb ------------------------------------------------------------------------------------
step ".deb: build, list, unpack, run"
DEB="$(PYTHON="$PY" "$ROOT/installers/linux/build-deb.sh" "$BUNDLE" "$ROOT/build/deb" | tail -n 1)"
echo "$DEB ($(du -m "$DEB" | cut -f1) MB)"
listing="$(dpkg-deb -c "$DEB")"
for want in ./opt/nanyang-cbec/cbec ./opt/nanyang-cbec/cbec-desktop \
        "./usr/bin/cbec -> ../../opt/nanyang-cbec/cbec" \
        "./usr/bin/cbec-desktop -> ../../opt/nanyang-cbec/cbec-desktop" \
        ./usr/share/applications/nanyang-cbec.desktop ./usr/share/mime/packages/nanyang-cbec.xml \
        ./usr/share/icons/hicolor/256x256/apps/nanyang-cbec.png \
        ./opt/nanyang-cbec/_internal/db/reference/units.json; do
    grep -qF -- "$want" <<<"$listing" || fail ".deb lacks $want"
done
dpkg-deb -f "$DEB" Depends | grep -q 'libxkbcommon-x11-0' || fail ".deb Depends lacks the Qt xcb libraries"
ROOTFS="$WORK/rootfs"
dpkg -x "$DEB" "$ROOTFS"
[[ "$("$ROOTFS/usr/bin/cbec" --version)" == "cbec $version" ]] || fail "installed cbec --version"
QT_QPA_PLATFORM=offscreen gui_selftest installed "$COUNTY" "$ROOTFS/usr/bin/cbec-desktop"

echo
echo "SMOKE OK in $(( $(date +%s) - T_START )) s"
