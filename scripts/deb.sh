#!/bin/sh
# scripts/deb.sh BIN VERSION OUT: migpack_VERSION_ARCH.deb in OUT from the
# programs in BIN, as make deb builds it: the two programs (stripped), the
# man pages, the completion scripts, README, changelog and copyright;
# Depends computed by dpkg-shlibdeps (libpq is loaded only for PostgreSQL:
# a Recommends).  Needs dpkg-dev.
set -eu
bin=$1 version=$2 out=$3
top=$(cd "$(dirname "$0")/.." && pwd)
arch=$(dpkg --print-architecture)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
doc=$root/usr/share/doc/migpack

make -C "$top" -s install -o all BIN="$bin" PREFIX=/usr DESTDIR="$root" >/dev/null
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
    "$root/usr/bin/migpack" "$root/usr/bin/migrun"
gzip -9n "$root"/usr/share/man/man*/*
install -d "$doc"
install -m 644 "$top/README.md" "$doc/README.md"
# A date that does not change with the build: the last commit's.
when=$(git -C "$top" log -1 --format=%cD 2>/dev/null || date -R -u -d @0)
printf 'migpack (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- migpack developers <maintainers@migpack.org>  %s\n' \
    "$version" "$version" "$when" | gzip -9n >"$doc/changelog.gz"
install -m 644 "$top/scripts/copyright" "$doc/copyright"

# dpkg-shlibdeps reads a source package's layout.
mkdir -p "$work/src/debian"
printf 'Source: migpack\n\nPackage: migpack\nArchitecture: any\n' \
    >"$work/src/debian/control"
depends=$(cd "$work/src" && dpkg-shlibdeps -O -e"$root/usr/bin/migpack" \
    -e"$root/usr/bin/migrun" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

mkdir -p "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: migpack
Version: $version
Architecture: $arch
Maintainer: migpack developers <maintainers@migpack.org>
Installed-Size: $size
Depends: $depends
Recommends: libpq5
Section: database
Priority: optional
Homepage: https://github.com/migpack/migpack
Description: database migrations bundled, verified and applied
 migpack compiles a migrations folder (native, golang-migrate, sqlx,
 dbmate, goose or Flyway layouts) into one reproducible, checksummed and
 optionally signed tar.gz, linting every PostgreSQL script first.
 .
 migrun verifies a bundle and applies it to SQLite or PostgreSQL with
 history, locking, transactions, rollback and a backup first, or writes
 the same plan as SQL or a review page for a DBA.
CONTROL
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) \
    >"$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -type d -exec chmod 755 {} +
deb=$out/migpack_${version}_$arch.deb
SOURCE_DATE_EPOCH=$(git -C "$top" log -1 --format=%ct 2>/dev/null || echo 0) \
    dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
