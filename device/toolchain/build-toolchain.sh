#!/usr/bin/env bash
# Builds the epiphany-elf cross toolchain (binutils + GCC, C only, with libgcc) from Debian's
# own source packages (binutils-source, gcc-12-source) into $EPIPHANY_TOOLCHAIN.
#
# Usage: build-toolchain.sh [PREFIX]   (default: $EPIPHANY_TOOLCHAIN or ~/.cache/epython/epiphany)
#
# Does nothing when PREFIX already holds a toolchain built by this script for the same sources
# (the stamp file PREFIX/epython-toolchain.stamp).  A first build takes 10-20 minutes on 2 cores.
# GCC 12 is the last release with the Epiphany port (gcc/config/epiphany).  Two changes to the
# GCC sources are needed (facts in shared/reference/epiphany-toolchain.md):
#   1. Debian's gcc-gfdl-build.diff: the dfsg tarball lacks gcc/doc/tm.texi.in.
#   2. USER_LABEL_PREFIX "" (the eSDK's ABI since 2016.3; upstream GCC uses "_"), so C symbols
#      match e-lib's and the eSDK's assembly; libgcc's crti.S then names _init/_fini itself.
set -euo pipefail

PREFIX=${1:-${EPIPHANY_TOOLCHAIN:-$HOME/.cache/epython/epiphany}}
TARGET=epiphany-elf
BINUTILS_TAR=/usr/src/binutils/binutils-2.40.tar.xz
GCC_TAR=/usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz
GFDL_PATCH=/usr/src/gcc-12/debian/patches/gcc-gfdl-build.diff
APT_PACKAGES="binutils-source gcc-12-source libgmp-dev libmpfr-dev libmpc-dev texinfo bison flex m4 xz-utils make"
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
# the recipe's version: bump it when the build below changes, so old caches are rebuilt
RECIPE=1
STAMP="$PREFIX/epython-toolchain.stamp"

say() { printf '[toolchain %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

want_stamp() {
    printf 'recipe %s\nbinutils %s\ngcc %s\n' "$RECIPE" "$(basename "$BINUTILS_TAR")" "$(basename "$GCC_TAR")"
}

if [ -f "$STAMP" ] && [ -x "$PREFIX/bin/$TARGET-gcc" ] && [ "$(cat "$STAMP")" = "$(want_stamp)" ]; then
    say "already built in $PREFIX ($("$PREFIX/bin/$TARGET-gcc" -dumpversion)); nothing to do"
    exit 0
fi

# --- the distribution's source packages and build dependencies ---------------------------------
missing=""
for f in "$BINUTILS_TAR" "$GCC_TAR" "$GFDL_PATCH"; do [ -f "$f" ] || missing="$missing $f"; done
for tool in makeinfo bison flex m4 xz; do command -v "$tool" >/dev/null || missing="$missing $tool"; done
for header in gmp.h mpfr.h mpc.h; do
    printf '#include <%s>\n' "$header" | ${CC:-cc} -E -x c - >/dev/null 2>&1 || missing="$missing $header"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing the source packages and build tools (missing:$missing)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $APT_PACKAGES >/dev/null
    else
        echo "build-toolchain: missing:$missing" >&2
        echo "Install them first: sudo apt-get install -y $APT_PACKAGES" >&2
        exit 1
    fi
fi

BUILD=${EPIPHANY_TOOLCHAIN_BUILD:-$PREFIX.build}
say "building binutils 2.40 and GCC 12.2 for $TARGET into $PREFIX"
say "a first build takes 10-20 minutes on 2 cores (logs in $BUILD/*.log)"
rm -rf "$BUILD"
mkdir -p "$BUILD" "$PREFIX"
export PATH="$PREFIX/bin:$PATH"
start=$(date +%s)

run() {  # run LOGNAME CMD...: run a step quietly, show the log's tail when it fails
    local log="$BUILD/$1.log"; shift
    if ! "$@" >"$log" 2>&1; then
        echo "build-toolchain: step failed: $*" >&2
        tail -n 40 "$log" >&2
        echo "build-toolchain: full log: $log" >&2
        exit 1
    fi
}

# --- binutils -------------------------------------------------------------------------------
say "[1/4] unpacking binutils"
tar -xJf "$BINUTILS_TAR" -C "$BUILD"
mkdir -p "$BUILD/binutils-obj"
say "[2/4] building binutils (about 3-4 minutes)"
(cd "$BUILD/binutils-obj" &&
 run binutils-configure "$BUILD/binutils-2.40/configure" --target=$TARGET --prefix="$PREFIX" \
     --disable-nls --disable-werror --disable-gdb --disable-sim --disable-gprofng \
     --disable-gold --disable-libctf &&
 run binutils-make make -j"$JOBS" &&
 run binutils-install make install)
say "binutils done ($(( $(date +%s) - start )) s so far)"

# --- gcc ------------------------------------------------------------------------------------
say "[3/4] unpacking GCC and adapting it"
tar -xJf "$GCC_TAR" -C "$BUILD"
GCC_SRC="$BUILD/gcc-12.2.0"
(cd "$GCC_SRC" && run gcc-patch patch -p2 -i "$GFDL_PATCH")
[ -f "$GCC_SRC/gcc/doc/tm.texi.in" ] || : >"$GCC_SRC/gcc/doc/tm.texi.in"
sed -i 's/^#define USER_LABEL_PREFIX "_"$/#define USER_LABEL_PREFIX ""/' "$GCC_SRC/gcc/config/epiphany/epiphany.h"
grep -q '^#define USER_LABEL_PREFIX ""$' "$GCC_SRC/gcc/config/epiphany/epiphany.h" \
    || { echo "build-toolchain: could not set USER_LABEL_PREFIX in epiphany.h" >&2; exit 1; }
sed -i -e 's/^\t\.global\tinit$/\t.global\t_init/' -e 's/^init:$/_init:/' \
       -e 's/^\t\.global\tfini$/\t.global\t_fini/' -e 's/^fini:$/_fini:/' \
       "$GCC_SRC/libgcc/config/epiphany/crti.S"
grep -q '^_init:$' "$GCC_SRC/libgcc/config/epiphany/crti.S" \
    || { echo "build-toolchain: could not rename init/fini in crti.S" >&2; exit 1; }
mkdir -p "$BUILD/gcc-obj"
say "[4/4] building GCC, C only, and libgcc (about 10-15 minutes)"
(cd "$BUILD/gcc-obj" &&
 run gcc-configure "$GCC_SRC/configure" --target=$TARGET --prefix="$PREFIX" \
     --enable-languages=c --with-newlib --without-headers --disable-nls --disable-shared \
     --disable-threads --disable-libssp --disable-libquadmath --disable-libgomp \
     --disable-libatomic --disable-lto --disable-bootstrap --with-system-zlib &&
 run gcc-make make -j"$JOBS" all-gcc &&
 run libgcc-make make -j"$JOBS" all-target-libgcc &&
 run gcc-install make install-gcc install-target-libgcc)

want_stamp >"$STAMP"
rm -rf "$BUILD"
say "done in $(( $(date +%s) - start )) s: $PREFIX/bin/$TARGET-gcc $("$PREFIX/bin/$TARGET-gcc" -dumpversion)"
