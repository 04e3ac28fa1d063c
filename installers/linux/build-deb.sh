#!/usr/bin/env bash
# Build the .deb for UOS / Kylin / Debian desktops from the PyInstaller one-folder bundle.
#
#   installers/linux/build-deb.sh [BUNDLE_DIR] [OUT_DIR]
#
# BUNDLE_DIR defaults to build/dist/cbec (made by installers/cbec.spec), OUT_DIR to build/deb.
# Installs under /opt/nanyang-cbec; cbec and cbec-desktop on the PATH (relative symlinks in
# /usr/bin), a .desktop entry with the Chinese name and icon, the .cbecpkg MIME type. Desktop,
# MIME and icon caches are refreshed by the dpkg triggers of desktop-file-utils,
# shared-mime-info and hicolor-icon-theme, so no maintainer scripts are needed.
# Prints the path of the built .deb on the last line.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUNDLE="$(realpath "${1:-$ROOT/build/dist/cbec}")"
OUT="${2:-$ROOT/build/deb}"
PY="${PYTHON:-python3}"   # buildinfo.py needs only the standard library
info() { "$PY" "$ROOT/installers/buildinfo.py" "$@"; }

PKG="$(info get deb_package)"
VERSION="$(info version)"
SHORT_NAME="$(info get short_name)"
PRODUCT="$(info get product_name)"
MIME="$(info get mime_type)"
EXT="$(info get file_extension)"
TYPE_NAME="$(info get file_type_name)"
MAINTAINER="$(info get deb_maintainer)"
ARCH="$(dpkg --print-architecture)"
PREFIX="/opt/$PKG"

for exe in cbec cbec-desktop; do
    [[ -x "$BUNDLE/$exe" ]] || { echo "build-deb: $BUNDLE/$exe is missing; build the bundle first" >&2; exit 1; }
done

# Lowest glibc the bundle works with: the newest GLIBC_x.y symbol version any ELF file asks for.
glibc_floor() {
    find "$BUNDLE" -type f \( -name '*.so*' -o -perm -u+x \) -print0 \
        | xargs -0 objdump -T 2>/dev/null \
        | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1 || true
}

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
umask 022

mkdir -p "$STAGE$PREFIX" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
         "$STAGE/usr/share/mime/packages" "$STAGE/usr/share/doc/$PKG" "$STAGE/DEBIAN"
cp -a "$BUNDLE/." "$STAGE$PREFIX/"
rm -f "$STAGE$PREFIX/portable"   # an installed program keeps data per user, never in /opt
ln -s "../../opt/$PKG/cbec" "$STAGE/usr/bin/cbec"
ln -s "../../opt/$PKG/cbec-desktop" "$STAGE/usr/bin/cbec-desktop"

for png in "$ROOT"/resources/icons/app-*.png; do
    size="$(basename "$png" .png)"; size="${size#app-}"
    dir="$STAGE/usr/share/icons/hicolor/${size}x${size}/apps"
    mkdir -p "$dir"
    install -m 0644 "$png" "$dir/$PKG.png"
done

cat > "$STAGE/usr/share/applications/$PKG.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Version=1.0
Name=$SHORT_NAME
Name[zh_CN]=$SHORT_NAME
GenericName=跨境电商统计填报
Comment=$PRODUCT
Exec=$PREFIX/cbec-desktop %f
Icon=$PKG
Terminal=false
Categories=Office;
MimeType=$MIME;
Keywords=跨境电商;统计;填报;南阳;
StartupWMClass=cbec-desktop
DESKTOP

cat > "$STAGE/usr/share/mime/packages/$PKG.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="$MIME">
    <comment>Nanyang CBEC data package</comment>
    <comment xml:lang="zh_CN">$TYPE_NAME</comment>
    <sub-class-of type="application/zip"/>
    <generic-icon name="$PKG"/>
    <glob pattern="*$EXT" weight="80"/>
  </mime-type>
</mime-info>
XML

cat > "$STAGE/usr/share/doc/$PKG/copyright" <<COPYRIGHT
$PRODUCT
$(info get copyright)
The bundled Qt libraries (LGPL-3.0) and Python packages keep their own licences.
COPYRIGHT

chmod -R u+rwX,go+rX,go-w "$STAGE"
GLIBC="$(glibc_floor)"
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: $PKG
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
Depends: $(info deb-depends $GLIBC)
Recommends: shared-mime-info, desktop-file-utils, hicolor-icon-theme
Section: misc
Priority: optional
Description: $PRODUCT
 Offline client for the county commerce bureaus and the municipal office of the
 China (Nanyang) Cross-border E-commerce Comprehensive Pilot Zone: ledgers,
 periodic figures, reports (PDF/XLSX) and data packages (.cbecpkg).
CONTROL

mkdir -p "$OUT"
DEB="$OUT/${PKG}_${VERSION}_${ARCH}.deb"
# xz -6 (default) makes a 42 MB package in about a minute; DEB_XZ_LEVEL=1 takes 17 s for 52 MB.
dpkg-deb --root-owner-group -Zxz "-z${DEB_XZ_LEVEL:-6}" --build "$STAGE" "$DEB" >&2
echo "$DEB"
