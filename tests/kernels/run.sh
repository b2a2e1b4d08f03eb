#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make test-kernels`: boot Debian's stock kernels under qemu (TCG, no KVM)
# and run, in each, the packet tests (test_xdp), a short run of the packet
# fuzzer and a smoke test of the commands (tests/kernels/init). x86-64
# only.
#
#   XG_BUILD           the build tree to test (default: build/)
#   KERNELS            kernel series (default "5.10 6.1 6.12")
#   XG_KERNEL_CACHE    downloaded and unpacked kernels (default
#                      /var/cache/xdpguard/kernels); each series is resolved
#                      to one exact package once, recorded there in
#                      SERIES/resolved, and never downloaded again
#   XG_KERNEL_REFRESH  1: resolve every series again (newest package)
#   XG_KERNEL_TIMEOUT  seconds one guest may run (default 900)
#   XG_DEBIAN_MIRROR   Debian mirror (default: the one this machine's apt uses)
#   XG_KERNEL_LOGS     where the serial logs go (default build/kernels)
#
# Per kernel one line "kernel UNAME: test_xdp N passed, M failed; fuzz ...;
# smoke K passed, L failed", the serial log in build/kernels/SERIES.log;
# last the line "N passed, M failed" over every test_xdp and fuzz result
# and smoke check.
# Exit status 0 only if nothing failed and every guest finished.
set -euo pipefail
# Paths given relative to where we were started, defaults to the tree.
[ -z "${XG_BUILD:-}" ] || XG_BUILD=$(cd "$XG_BUILD" && pwd)
[ -z "${XG_KERNEL_LOGS:-}" ] || XG_KERNEL_LOGS=$(mkdir -p "$XG_KERNEL_LOGS" && cd "$XG_KERNEL_LOGS" && pwd)
[ -z "${XG_KERNEL_CACHE:-}" ] || XG_KERNEL_CACHE=$(mkdir -p "$XG_KERNEL_CACHE" && cd "$XG_KERNEL_CACHE" && pwd)
cd "$(dirname "$0")/../.."
HERE=$PWD/tests/kernels

XG_BUILD=${XG_BUILD:-$PWD/build}
KERNELS=${KERNELS:-5.10 6.1 6.12}
CACHE=${XG_KERNEL_CACHE:-/var/cache/xdpguard/kernels}
TIMEOUT=${XG_KERNEL_TIMEOUT:-900}
OUT=${XG_KERNEL_LOGS:-$PWD/build/kernels}
mkdir -p "$OUT"

# The Debian release whose stock kernel each series is.
declare -A SUITE=([5.10]=bullseye [6.1]=bookworm [6.12]=bookworm)
# Modules the guest loads (their dependencies come along).
MODULES="veth"

log() { printf '%s\n' "$*" >&2; }
die() {
	log "test-kernels: $*"
	exit 1
}

TMP=
QEMU_PID=
cleanup() {
	if [ -n "$QEMU_PID" ]; then
		kill "$QEMU_PID" 2>/dev/null || true
		wait "$QEMU_PID" 2>/dev/null || true
	fi
	[ -z "$TMP" ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- kernel packages ------------------------------------------------------------

# machine_mirror ARCHIVE: the URI of "debian" or "debian-security" in this
# machine's apt sources (deb822 or one-line), so kernels come from the
# same host; deb.debian.org if none is found.
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

# apt with its own sources, lists and cache under $CACHE/apt: the machine's
# apt setup is neither read nor changed.
APT_DIR=$CACHE/apt
APT_OPTS=(-o "Dir::Etc::sourcelist=$APT_DIR/sources.list" -o "Dir::Etc::sourceparts=-"
	-o "Dir::State::Lists=$APT_DIR/lists" -o "Dir::Cache=$APT_DIR/cache"
	-o "APT::Sandbox::User=root")
APT_UPDATED=0
apt_update() {
	local main sec key=/usr/share/keyrings/debian-archive-keyring.gpg s
	[ "$APT_UPDATED" = 0 ] || return 0
	main=${XG_DEBIAN_MIRROR:-$(machine_mirror debian)}
	sec=$(machine_mirror debian-security)
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
	for s in bullseye bookworm; do
		echo "deb [signed-by=$key] $main $s main"
		echo "deb [signed-by=$key] $sec $s-security main"
	done >"$APT_DIR/sources.list"
	log "apt-get update, private lists in $APT_DIR ($main, $sec)"
	apt-get "${APT_OPTS[@]}" -qq update >&2 || die "apt-get update failed"
	APT_UPDATED=1
}

# resolve SERIES: "PACKAGE VERSION SUITE" of the newest stock image of
# SERIES in its release: what the metapackage linux-image-amd64 depends on,
# or linux-image-SERIES-amd64 for a release's second kernel (6.12 in
# bookworm).
resolve() {
	local series=$1 suite=${SUITE[$1]} meta ver best='' bestmeta='' from dep
	for meta in linux-image-amd64 "linux-image-$series-amd64"; do
		# "linux-image-amd64 | 6.1.192-3 | http://... bookworm-security/main amd64 Packages"
		while read -r ver; do
			case $ver in "$series".*) ;; *) continue ;; esac
			if [ -z "$best" ] || dpkg --compare-versions "$ver" gt "$best"; then
				best=$ver
				bestmeta=$meta
			fi
		done < <(apt-cache "${APT_OPTS[@]}" madison "$meta" 2>/dev/null |
			awk -F' *[|] *' -v s="$suite" '$3 ~ " "s"(-security)?/" {print $2}')
	done
	[ -n "$best" ] || return 1
	from=$(apt-cache "${APT_OPTS[@]}" madison "$bestmeta" |
		awk -F' *[|] *' -v v="$best" '$2 == v {split($3, a, " "); sub("/.*", "", a[2]); print a[2]; exit}')
	# "Depends: linux-image-6.1.0-57-amd64 (= 6.1.192-3)"
	dep=$(apt-cache "${APT_OPTS[@]}" show "$bestmeta=$best" | sed -n 's/^Depends: //p' | head -1)
	[[ $dep =~ ^(linux-image-[^ ,]+)\ \(=\ ([^\)]+)\) ]] || return 1
	echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} $from"
}

# fetch SERIES: $CACHE/SERIES/root holds the unpacked image package; sets
# PKG, PKGVER, PKGSUITE. Uses the network only for what is not cached.
fetch() {
	local series=$1 dir=$CACHE/$1 deb
	mkdir -p "$dir"
	if [ "${XG_KERNEL_REFRESH:-0}" = 1 ] || [ ! -s "$dir/resolved" ]; then
		apt_update
		resolve "$series" >"$dir/resolved.new" ||
			die "$series: no stock kernel package found in ${SUITE[$series]}"
		cmp -s "$dir/resolved.new" "$dir/resolved" || rm -rf "$dir/root" "$dir"/*.deb
		mv "$dir/resolved.new" "$dir/resolved"
	fi
	read -r PKG PKGVER PKGSUITE <"$dir/resolved"
	[ ! -e "$dir/root/.complete" ] || return 0
	deb=$(find "$dir" -maxdepth 1 -name "${PKG}_*.deb" | head -1)
	if [ -z "$deb" ]; then
		apt_update
		log "downloading $PKG=$PKGVER ($PKGSUITE)"
		(cd "$dir" && apt-get "${APT_OPTS[@]}" -qq download "$PKG=$PKGVER") >&2 ||
			die "$series: apt-get download $PKG=$PKGVER failed"
		deb=$(find "$dir" -maxdepth 1 -name "${PKG}_*.deb" | head -1)
	fi
	rm -rf "$dir/root"
	dpkg-deb -x "$deb" "$dir/root"
	touch "$dir/root/.complete"
}

# ---- the guest's initramfs ------------------------------------------------------

# add_bin STAGE FILE: FILE into STAGE/bin, and its shared libraries and the
# dynamic loader at the paths ldd names.
add_bin() {
	local stage=$1 file=$2 lib
	install -m 0755 "$file" "$stage/bin/"
	while read -r lib; do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done < <(ldd "$file" 2>/dev/null |
		awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
}

# cpio_gz DIR OUT: DIR as a newc archive, every file owned by root.
cpio_gz() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$2"
}

# The part of the initramfs every kernel shares: /init, busybox, the tools,
# test_xdp, iproute2's ip (busybox ip has no netns) and jq.
build_common() {
	local stage=$TMP/common a f
	mkdir -p "$stage"/{bin,dev,proc,sys,tmp,run,var,modules}
	ln -s ../run "$stage/var/run"
	install -m 0755 "$HERE/init" "$stage/init"
	for f in "$(command -v busybox)" "$XG_BUILD"/tests/test_xdp \
		"$XG_BUILD"/tests/fuzz "$XG_BUILD"/xg-* \
		"$(command -v ip)" "$(command -v jq)"; do
		add_bin "$stage" "$f"
	done
	for a in $("$stage/bin/busybox" --list); do
		[ -e "$stage/bin/$a" ] || ln -s busybox "$stage/bin/$a"
	done
	cpio_gz "$stage" "$TMP/common.cpio.gz"
}

# add_module STAGE MODDIR NAME: NAME's dependencies, then NAME, into
# STAGE/modules uncompressed (busybox insmod reads plain .ko only), each
# named once in STAGE/modules.order, the order the guest loads them in.
add_module() {
	local stage=$1 moddir=$2 name=$3 file ko deps d
	[ ! -e "$stage/modules/$name.ko" ] || return 0
	file=$(find "$moddir" \( -name "$name.ko*" -o -name "${name//_/-}.ko*" \) | head -1)
	[ -n "$file" ] || die "module $name not found in $moddir"
	ko=$stage/modules/$name.ko
	case $file in
	*.ko) cp "$file" "$ko" ;;
	*.ko.xz) xz -dc "$file" >"$ko" ;;
	*.ko.zst) zstd -qdc "$file" >"$ko" ;;
	*.ko.gz) gzip -dc "$file" >"$ko" ;;
	*) die "cannot decompress $file" ;;
	esac
	# .modinfo holds NUL-separated strings, "depends=a,b" among them.
	deps=$(tr '\0' '\n' <"$ko" | sed -n 's/^depends=//p' | head -1)
	for d in ${deps//,/ }; do
		add_module "$stage" "$moddir" "$d"
	done
	echo "$name.ko" >>"$stage/modules.order"
}

# build_initrd SERIES: $TMP/SERIES.initrd, the common archive followed by
# one with SERIES's modules (the kernel unpacks concatenated archives), and
# the kernel beside it in $TMP/SERIES.vmlinuz: the boots need no cache.
build_initrd() {
	local series=$1 stage=$TMP/$1 m
	cp "$(echo "$CACHE/$series"/root/boot/vmlinuz-*)" "$TMP/$series.vmlinuz"
	mkdir -p "$stage/modules"
	: >"$stage/modules.order"
	for m in $MODULES; do
		add_module "$stage" "$(echo "$CACHE/$series"/root/lib/modules/*)" "$m"
	done
	cpio_gz "$stage" "$TMP/$series.modules.cpio.gz"
	cat "$TMP/common.cpio.gz" "$TMP/$series.modules.cpio.gz" >"$TMP/$series.initrd"
}

# ---- boot and read the results --------------------------------------------------

# boot SERIES: run the guest; its serial console, without carriage returns
# and the firmware's escape codes, into $OUT/SERIES.log. Returns qemu's
# status (124: killed by the timeout).
boot() {
	local series=$1 rc=0
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m 2G -smp 2 \
		-nographic -no-reboot -nic none \
		-kernel "$TMP/$series.vmlinuz" \
		-initrd "$TMP/$series.initrd" \
		-append "console=ttyS0 panic=-1 quiet" \
		</dev/null >"$TMP/$series.raw" 2>&1 &
	QEMU_PID=$!
	wait "$QEMU_PID" || rc=$?
	QEMU_PID=
	sed -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' \
		"$TMP/$series.raw" >"$OUT/$series.log"
	return "$rc"
}

PASSED=0
FAILED=0
declare -A PACKAGE

# result NAME LOG: "PASSED FAILED" of the guest's last "XG: NAME N passed,
# M failed" line; "0 1" and status 1 if there is none.
result() {
	local res
	res=$(sed -nE "s/^XG: $1 ([0-9]+) passed, ([0-9]+) failed .*/\1 \2/p" "$2" | tail -1)
	[ -n "$res" ] || {
		echo 0 1
		return 1
	}
	echo "$res"
}

# report SERIES RC SECONDS: the kernel's result line (and what failed),
# added to the totals.
report() {
	local series=$1 rc=$2 secs=$3 log=$OUT/$1.log vlog=$OUT/$1.verifier.log
	local uname res tp tf fp ff sp sf note='' split
	uname=$(sed -n 's/^XG: uname //p' "$log" | head -1)
	res=$(result test_xdp "$log") ||
		note+="; no test_xdp result (counted as 1 failed)"
	read -r tp tf <<<"$res"
	res=$(result fuzz "$log") ||
		note+="; no fuzz result (counted as 1 failed)"
	read -r fp ff <<<"$res"
	sp=$(grep -c '^XG: smoke ok ' "$log" || true)
	sf=$(grep -c '^XG: smoke not ok ' "$log" || true)
	if ! grep -q '^XG: done$' "$log"; then
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			note+="; guest killed after ${TIMEOUT}s"
		else
			note+="; guest did not finish (qemu exit $rc)"
		fi
		note+=" (counted as 1 failed smoke check)"
		sf=$((sf + 1))
	fi
	echo "kernel ${uname:-$series (no uname: did not boot?)}: test_xdp $tp passed, $tf failed;" \
		"fuzz $fp passed, $ff failed; smoke $sp passed, $sf failed$note"
	# "XG: seconds boot 4.1 test_xdp 30.2 fuzz 5.0 smoke 7.5", guest clock
	split=$(sed -nE 's/^XG: seconds boot ([0-9.]+) test_xdp ([0-9.]+) fuzz ([0-9.]+) smoke ([0-9.]+)$/ (boot \1, test_xdp \2, fuzz \3, smoke \4)/p' "$log")
	echo "  ${secs}s$split; ${PACKAGE[$series]}; log $log"
	awk '/^FAIL / && ++n <= 20 {print "  " $0}
		END {if (n > 20) print "  ... and " n - 20 " more FAIL lines"}' "$log"
	sed -n 's/^XG: smoke \(not ok .*\)/  \1/p' "$log"
	# libbpf prints the verifier's log of a rejected program; the first one
	# is test_xdp's (xg-load -v's may follow).
	sed -n '/-- BEGIN PROG LOAD LOG --/,/-- END PROG LOAD LOG --/{p;/-- END PROG LOAD LOG --/q}' \
		"$log" | grep -v -e '-- BEGIN PROG LOAD LOG --' -e '-- END PROG LOAD LOG --' >"$vlog" || true
	if [ -s "$vlog" ]; then
		echo "  the verifier rejected the program; the last 40 lines of its log (all: $vlog):"
		tail -40 "$vlog" | sed 's/^/  | /'
	else
		rm -f "$vlog"
	fi
	PASSED=$((PASSED + tp + fp + sp))
	FAILED=$((FAILED + tf + ff + sf))
}

# ---- main -----------------------------------------------------------------------

for k in $KERNELS; do
	[ -n "${SUITE[$k]:-}" ] || die "unknown kernel series '$k' (known: 5.10 6.1 6.12)"
done
[ "$(uname -m)" = x86_64 ] || die "x86-64 hosts only (the guests run the host's binaries)"
for c in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio \
	jq:jq ip:iproute2 xz:xz-utils zstd:zstd; do
	command -v "${c%%:*}" >/dev/null || die "${c%%:*} not found (apt-get install ${c#*:})"
done
[ -x "$XG_BUILD/tests/test_xdp" ] || die "$XG_BUILD/tests/test_xdp not found; run make first"
[ -x "$XG_BUILD/tests/fuzz" ] || die "$XG_BUILD/tests/fuzz not found; run make first"
mkdir -p "$CACHE"
TMP=$(mktemp -d "$OUT/tmp.XXXXXX")

echo "test-kernels: $XG_BUILD on Debian's $KERNELS kernels under qemu (TCG);" \
	"the running kernel ($(uname -r)) is make test's"
# The cache is read and changed under a lock, and only until every guest's
# kernel and initramfs are ready.
exec 9>"$CACHE/.lock"
flock 9
for k in $KERNELS; do
	fetch "$k"
	echo "$k: $PKG $PKGVER ($PKGSUITE)"
	PACKAGE[$k]="$PKG $PKGVER"
done
build_common
for k in $KERNELS; do
	build_initrd "$k"
done
flock -u 9

for k in $KERNELS; do
	log "booting $k ..."
	start=$SECONDS
	rc=0
	boot "$k" || rc=$?
	report "$k" "$rc" $((SECONDS - start))
done
echo
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
