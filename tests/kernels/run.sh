#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make test-kernels`: boot Debian's stock kernels under qemu (TCG) and run
# the packet tests (test_xdp) and a smoke test of the commands in each.
#
#   XG_BUILD    the build tree to test (default: build/)
#   KERNELS     the kernel series, e.g. "5.10 6.1 6.12" (the default)
#   XG_KERNEL_CACHE    downloaded and unpacked kernels (default
#                      /var/cache/xdpguard/kernels); a series is resolved
#                      to one exact package once and recorded there
#   XG_KERNEL_REFRESH  1: resolve every series again (newest package)
#   XG_KERNEL_TIMEOUT  seconds a guest may run (default 600)
#   XG_DEBIAN_MIRROR   mirror (default: the one this machine's apt uses)
#
# The closing line counts every test_xdp result and smoke check:
# "N passed, M failed". Exit status 0 only if nothing failed and every
# guest finished.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/kernels

XG_BUILD=${XG_BUILD:-build}
XG_BUILD=$(cd "$XG_BUILD" && pwd)
KERNELS=${KERNELS:-5.10 6.1 6.12}
CACHE=${XG_KERNEL_CACHE:-/var/cache/xdpguard/kernels}
TIMEOUT=${XG_KERNEL_TIMEOUT:-600}
OUT=$PWD/build/kernels

# Debian release that ships each series as its stock kernel.
declare -A SUITE=([5.10]=bullseye [6.1]=bookworm [6.12]=bookworm)

log() { printf '%s\n' "$*" >&2; }
die() {
	log "test-kernels: $*"
	exit 1
}

# ---- kernel packages ---------------------------------------------------------

# The mirror this machine's apt uses (deb822 or one-line sources), so the
# kernels come from the same host. $1: "debian" or "debian-security".
machine_mirror() {
	local archive=$1 uri
	uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		sed -nE "s|^URIs:[[:space:]]*([^[:space:]]*/$archive)/?[[:space:]]*$|\1|p" | head -1)
	if [ -z "$uri" ]; then
		uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			sed -nE "s|^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]*/$archive)/?[[:space:]].*|\2|p" |
			head -1)
	fi
	echo "${uri:-http://deb.debian.org/$archive}"
}

# apt with its own sources, lists and cache under $CACHE/apt: the
# machine's apt setup is never read or changed.
APT_DIR=$CACHE/apt
apt_opts() {
	printf '%s\n' -o "Dir::Etc::sourcelist=$APT_DIR/sources.list" \
		-o "Dir::Etc::sourceparts=-" -o "Dir::State::Lists=$APT_DIR/lists" \
		-o "Dir::Cache=$APT_DIR/cache" -o "APT::Sandbox::User=root"
}
APT_UPDATED=0
apt_update() {
	local main sec key=/usr/share/keyrings/debian-archive-keyring.gpg s
	[ "$APT_UPDATED" = 1 ] && return 0
	main=${XG_DEBIAN_MIRROR:-$(machine_mirror debian)}
	sec=$(machine_mirror debian-security)
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
	for s in bullseye bookworm; do
		echo "deb [signed-by=$key] $main $s main"
		echo "deb [signed-by=$key] $sec $s-security main"
	done >"$APT_DIR/sources.list"
	log "apt-get update (private lists in $APT_DIR: $main, $sec)"
	mapfile -t opts < <(apt_opts)
	apt-get "${opts[@]}" -qq update >&2 || die "apt-get update failed"
	APT_UPDATED=1
}

# resolve SERIES: print "PACKAGE VERSION SUITE" of the newest stock image
# of that series: what Debian's metapackage linux-image-amd64 (or, for a
# second kernel in a release, linux-image-SERIES-amd64) depends on.
resolve() {
	local series=$1 opts meta ver best='' bestmeta='' suite dep
	mapfile -t opts < <(apt_opts)
	for meta in linux-image-amd64 "linux-image-$series-amd64"; do
		while read -r ver; do
			case $ver in "$series".*) ;; *) continue ;; esac
			if [ -z "$best" ] || dpkg --compare-versions "$ver" gt "$best"; then
				best=$ver
				bestmeta=$meta
			fi
		done < <(apt-cache "${opts[@]}" madison "$meta" 2>/dev/null |
			awk -F' *[|] *' -v s="${SUITE[$series]}" '$3 ~ " "s"(-security|-updates)?/" {print $2}')
	done
	[ -n "$best" ] || return 1
	suite=$(apt-cache "${opts[@]}" madison "$bestmeta" |
		awk -F' *[|] *' -v v="$best" '$2 == v {split($3, a, " "); split(a[2], b, "/"); print b[1]; exit}')
	# Depends: linux-image-6.1.0-37-amd64 (= 6.1.140-1)
	dep=$(apt-cache "${opts[@]}" show "$bestmeta=$best" | sed -n 's/^Depends: //p' | head -1)
	[[ $dep =~ ^(linux-image-[^ ,]+)\ \(=\ ([^\)]+)\) ]] || return 1
	echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} $suite"
}

# fetch SERIES: make $CACHE/SERIES/root hold the unpacked image package;
# sets PKG, PKGVER, PKGSUITE. Network only when nothing is cached yet.
fetch() {
	local series=$1 dir=$CACHE/$1 deb opts
	mkdir -p "$dir"
	if [ "${XG_KERNEL_REFRESH:-0}" = 1 ] || [ ! -s "$dir/resolved" ]; then
		apt_update
		resolve "$series" >"$dir/resolved.new" ||
			die "$series: no stock kernel found in ${SUITE[$series]}"
		if ! cmp -s "$dir/resolved.new" "$dir/resolved" 2>/dev/null; then
			rm -rf "$dir/root" "$dir"/*.deb
		fi
		mv "$dir/resolved.new" "$dir/resolved"
	fi
	read -r PKG PKGVER PKGSUITE <"$dir/resolved"
	if [ ! -e "$dir/root/.complete" ]; then
		deb=$(find "$dir" -maxdepth 1 -name "${PKG}_*.deb" | head -1)
		if [ -z "$deb" ]; then
			apt_update
			mapfile -t opts < <(apt_opts)
			log "downloading $PKG=$PKGVER ($PKGSUITE)"
			(cd "$dir" && apt-get "${opts[@]}" -qq download "$PKG=$PKGVER") >&2 ||
				die "$series: apt-get download $PKG=$PKGVER failed"
			deb=$(find "$dir" -maxdepth 1 -name "${PKG}_*.deb" | head -1)
		fi
		rm -rf "$dir/root"
		dpkg-deb -x "$deb" "$dir/root"
		touch "$dir/root/.complete"
	fi
}

# ---- the guest's initramfs ------------------------------------------------------

# add_bin STAGE FILE: FILE into STAGE/bin, its shared libraries (and the
# dynamic loader) at the paths ldd names.
add_bin() {
	local stage=$1 file=$2 lib
	install -m 0755 "$file" "$stage/bin/"
	while read -r lib; do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done < <(ldd "$file" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
}

# cpio_gz DIR OUT: DIR as a newc archive owned by root, gzip'ed.
cpio_gz() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$2"
}

# The part common to every kernel: busybox, the tools, test_xdp, ip, jq.
build_common() {
	local stage=$OUT/stage-common a f
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,dev,proc,sys,tmp,run,var,modules}
	ln -s ../run "$stage/var/run"
	install -m 0755 "$here/init" "$stage/init"
	install -m 0755 "$(command -v busybox)" "$stage/bin/busybox"
	for f in "$XG_BUILD"/tests/test_xdp "$XG_BUILD"/xg-* "$(command -v ip)" "$(command -v jq)"; do
		add_bin "$stage" "$f"
	done
	# Busybox for everything else; the real ip (busybox ip has no netns).
	for a in $("$stage/bin/busybox" --list); do
		[ -e "$stage/bin/$a" ] || ln -s busybox "$stage/bin/$a"
	done
	cpio_gz "$stage" "$OUT/common.cpio.gz"
	rm -rf "$stage"
}

# Modules the guest loads, dependencies first.
WANT_MODULES="veth"

# add_module STAGE MODDIR NAME: NAME's dependencies, then NAME, into
# STAGE/modules uncompressed (busybox insmod reads plain .ko only), and
# appended to STAGE/modules.order.
add_module() {
	local stage=$1 moddir=$2 name=$3 file ko deps d
	[ -e "$stage/modules/$name.ko" ] && return 0
	file=$(find "$moddir" -name "$name.ko" -o -name "$name.ko.*" | head -1)
	if [ -z "$file" ]; then
		name=${name//_/-}
		file=$(find "$moddir" -name "$name.ko" -o -name "$name.ko.*" | head -1)
	fi
	[ -n "$file" ] || die "module $name not found in $moddir"
	ko=$stage/modules/$name.ko
	case $file in
	*.ko) cp "$file" "$ko" ;;
	*.xz) xz -dc "$file" >"$ko" ;;
	*.zst) zstd -qdc "$file" >"$ko" ;;
	*.gz) gzip -dc "$file" >"$ko" ;;
	*) die "cannot decompress $file" ;;
	esac
	# .modinfo holds NUL-separated "depends=a,b"
	deps=$(tr '\0' '\n' <"$ko" | sed -n 's/^depends=//p' | head -1)
	for d in ${deps//,/ }; do
		add_module "$stage" "$moddir" "$d"
	done
	echo "$name.ko" >>"$stage/modules.order"
}

# build_initrd SERIES: $OUT/SERIES.initrd, the common part and the modules
# of SERIES's kernel (the kernel unpacks concatenated archives in turn).
build_initrd() {
	local series=$1 stage=$OUT/stage-$1 moddir m
	moddir=$(echo "$CACHE/$series"/root/lib/modules/*)
	rm -rf "$stage"
	mkdir -p "$stage/modules"
	: >"$stage/modules.order"
	for m in $WANT_MODULES; do
		add_module "$stage" "$moddir" "$m"
	done
	cpio_gz "$stage" "$OUT/$series.modules.cpio.gz"
	cat "$OUT/common.cpio.gz" "$OUT/$series.modules.cpio.gz" >"$OUT/$series.initrd"
	rm -rf "$stage" "$OUT/$series.modules.cpio.gz"
}

# ---- boot and read the results ------------------------------------------------

PASSED=0
FAILED=0

# boot SERIES: run the guest, its serial console into $OUT/SERIES.log.
boot() {
	local series=$1 vmlinuz rc=0
	vmlinuz=$(echo "$CACHE/$series"/root/boot/vmlinuz-*)
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m 2G -smp 2 \
		-nographic -no-reboot -nic none \
		-kernel "$vmlinuz" -initrd "$OUT/$series.initrd" \
		-append "console=ttyS0 panic=-1 quiet" \
		</dev/null 2>&1 | tr -d '\r' >"$OUT/$series.log" || rc=$?
	return "$rc"
}

# report SERIES RC SECONDS: the kernel's result line, added to the totals.
report() {
	local series=$1 rc=$2 secs=$3 log=$OUT/$1.log uname res tp=0 tf=1 sp sf
	local note='' vlog=$OUT/$1.verifier.log
	uname=$(sed -n 's/^XG: uname //p' "$log" | head -1)
	res=$(sed -nE 's/^XG: test_xdp ([0-9]+ passed, [0-9]+ failed).*/\1/p' "$log" | tail -1)
	if [[ $res =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		tp=${BASH_REMATCH[1]}
		tf=${BASH_REMATCH[2]}
	else
		note+="; no test_xdp result"
	fi
	sp=$(grep -c '^XG: smoke ok ' "$log" || true)
	sf=$(grep -c '^XG: smoke not ok ' "$log" || true)
	if ! grep -q '^XG: done$' "$log"; then
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			note+="; guest timed out after ${TIMEOUT}s"
		else
			note+="; guest did not finish (qemu exit $rc)"
		fi
		sf=$((sf + 1))
	fi
	echo "kernel ${uname:-$series (did not boot)}: test_xdp $tp passed, $tf failed;" \
		"smoke $sp passed, $sf failed$note (${secs}s)"
	grep '^XG: smoke not ok ' "$log" | sed 's/^XG: smoke /  /' || true
	# The first program the verifier rejected: its log (libbpf prints it).
	sed -n '/-- BEGIN PROG LOAD LOG --/,/-- END PROG LOAD LOG --/{p;/-- END PROG LOAD LOG --/q}' \
		"$log" >"$vlog"
	if [ -s "$vlog" ]; then
		echo "  the verifier rejected the program; last 40 lines of its log" \
			"(all of it: $vlog):"
		grep -v -e '-- BEGIN PROG LOAD LOG --' -e '-- END PROG LOAD LOG --' "$vlog" |
			tail -40 | sed 's/^/  | /'
	else
		rm -f "$vlog"
	fi
	PASSED=$((PASSED + tp + sp))
	FAILED=$((FAILED + tf + sf))
}

if [ "${1:-}" = --fetch-only ]; then
	for k in $KERNELS; do
		fetch "$k"
		echo "$k: $PKG $PKGVER ($PKGSUITE)"
	done
	exit 0
fi

for k in $KERNELS; do
	[ -n "${SUITE[$k]:-}" ] || die "unknown kernel series '$k' (known: ${!SUITE[*]})"
done
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
command -v busybox >/dev/null || die "busybox not found (apt-get install busybox-static)"
[ -x "$XG_BUILD/tests/test_xdp" ] || die "$XG_BUILD/tests/test_xdp not found; run make first"
mkdir -p "$OUT"

echo "test-kernels: $XG_BUILD on $KERNELS under qemu (TCG); the running kernel" \
	"($(uname -r)) is covered by make test"
for k in $KERNELS; do
	fetch "$k"
	echo "$k: $PKG $PKGVER ($PKGSUITE)"
done
build_common
for k in $KERNELS; do
	build_initrd "$k"
	start=$SECONDS
	rc=0
	boot "$k" || rc=$?
	report "$k" "$rc" $((SECONDS - start))
done
echo
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
