#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check-fresh` (root): proves that the README's install line is enough
# to build xdpguard on a bare Debian 12. In a throwaway minbase chroot it
# installs exactly the packages of the README's `sudo apt-get install` line,
# copies the source tree in, runs `make` (no warnings allowed) and the packet
# tests, and closes with one "N passed, M failed" line.
#
# With --deb (`make check-deb`) it builds the Debian package instead: the
# README's packages and debhelper (debian/control's Build-Depends must be
# exactly those), build-essential, then `dpkg-buildpackage -us -uc -b` (no
# warnings allowed) and lintian (no error allowed; every tag shown); then,
# in a second bare chroot, `apt-get install ./xdpguard_*.deb`, every tool,
# page, completion and unit where it belongs, and `apt-get purge` removing
# it all.
#
# Cached under $XG_FRESH_CACHE (default /var/cache/xdpguard/fresh):
#   bookworm-minbase-ARCH.tar.gz  the bare debootstrap tree, before anything
#                                 is installed in it (rebuilt when older than
#                                 30 days, or with XG_FRESH_REFRESH=1)
#   archives/                     downloaded .deb files, bind-mounted as the
#                                 chroot's /var/cache/apt/archives
# Installed packages are never cached: every run starts from the bare tree.
#
# Everything runs in a private mount namespace (unshare --mount), so the
# chroot's mounts are invisible to the rest of the host and vanish with the
# script even if it is killed; the cleanup still unmounts them and checks
# that nothing is mounted under the chroot before deleting it.
set -euo pipefail

SUITE=bookworm
CACHE=${XG_FRESH_CACHE:-/var/cache/xdpguard/fresh}
TMPBASE=${XG_FRESH_TMP:-/var/tmp}
MAX_AGE_DAYS=30

say() { printf '[check-fresh] %s\n' "$*"; }
die() {
	printf '[check-fresh] error: %s\n' "$*" >&2
	exit 2
}

DEB=
case ${1:-} in
--deb) DEB=1 ;;
'') ;;
*) die "usage: $0 [--deb]" ;;
esac

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mounts): sudo make check-fresh"
for tool in debootstrap unshare chroot findmnt flock tar gzip; do
	command -v "$tool" >/dev/null ||
		die "$tool not found (apt-get install debootstrap util-linux tar gzip)"
done

# Into a private mount namespace: nothing mounted from here on is seen by,
# or propagates to, the host's mount table.
if [ -z "${XG_FRESH_IN_NS:-}" ]; then
	XG_FRESH_IN_NS=1 exec unshare --mount --propagation private -- bash "$0" "$@"
fi

# The cleanup writes here even when a signal lands inside a redirection.
exec 3>&1 4>&2

cd "$(dirname "$0")/../.."
SRC=$PWD
ARCH=$(dpkg --print-architecture)

# ---- the README's install line ---------------------------------------------

# The one `sudo apt-get install ...` line of the README's Install section:
# every word after `install` must be a package name, so that an option added
# there (or a reworded line) makes this check fail instead of drift.
readme_packages() {
	local lines n
	lines=$(awk '/^## / { inside = ($0 == "## Install") } inside && /^sudo apt-get install / { print }' README.md)
	n=$(printf '%s' "$lines" | grep -c . || true)
	[ "$n" -eq 1 ] || {
		echo "README.md: expected exactly one 'sudo apt-get install ...' line in '## Install', found $n" >&2
		return 1
	}
	local -
	set -f
	set -- $lines
	shift 3
	[ $# -gt 0 ] || {
		echo "README.md: the install line names no package" >&2
		return 1
	}
	local p
	for p; do
		[[ $p =~ ^[a-z0-9][a-z0-9+.-]+$ ]] || {
			echo "README.md: '$p' on the install line is not a package name; tests/fresh/run.sh only knows plain package lists" >&2
			return 1
		}
	done
	echo "$*"
}

# ---- the machine's Debian mirror --------------------------------------------

# apt_uri SUITE: the URI of the first enabled `deb` entry for SUITE in the
# machine's apt sources (one-line and deb822 formats), or nothing.
apt_uri() {
	local suite=$1 f
	{
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -r "$f" ] || continue
			awk -v s="$suite" '
				$1 == "deb" {
					i = 2
					if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
					if ($(i + 1) == s) print $i
				}' "$f"
		done
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -r "$f" ] || continue
			awk -v s="$suite" '
				function flush() {
					if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " s " ") &&
					    tolower(enabled) != "no")
						{ split(uris, u, " "); if (u[1] != "") print u[1] }
					types = uris = suites = enabled = ""; last = ""
				}
				/^[ \t]*#/ { next }
				/^[ \t]*$/ { flush(); next }
				/^[ \t]/ { if (last == "uris") uris = uris " " $0; if (last == "suites") suites = suites " " $0; next }
				{
					key = tolower($0); sub(/:.*/, "", key)
					val = $0; sub(/^[^:]*:[ \t]*/, "", val); gsub(/[ \t]+/, " ", val)
					last = key
					if (key == "types") types = val
					else if (key == "uris") uris = val
					else if (key == "suites") suites = val
					else if (key == "enabled") enabled = val
				}
				END { flush() }' "$f"
		done
	} | head -n 1 | sed 's:/*$::'
}

MIRROR=${XG_FRESH_MIRROR:-$(apt_uri "$SUITE")}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY=${XG_FRESH_SECURITY_MIRROR:-$(apt_uri "$SUITE-security")}
SECURITY=${SECURITY:-http://deb.debian.org/debian-security}

# ---- progress, timing, results ---------------------------------------------

T0=$EPOCHREALTIME
phase_name=
phase_t0=
LOGDIR=
passed=0
failed=0
packet_line=

elapsed() { # since $1, in seconds with one decimal
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}
phase() {
	phase_name=$1
	phase_t0=$EPOCHREALTIME
	printf '\n== %s\n' "$1"
}
phase_done() {
	say "$phase_name: ${1:-done} ($(elapsed "$phase_t0") s)"
}
# log NAME CMD...: runs CMD with its output in $LOGDIR/NAME.log; on failure
# shows the end of that log.
log() {
	local name=$1 rc=0
	shift
	"$@" >"$LOGDIR/$name.log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "--- last lines of $LOGDIR/$name.log:"
		tail -n 40 "$LOGDIR/$name.log" | sed 's/^/    /'
		echo "---"
	fi
	return "$rc"
}
# fail_check MSG: the current check failed; the EXIT trap cleans up and
# prints the summary.
fail_check() {
	say "FAILED: $phase_name: $*"
	failed=$((failed + 1))
	exit 1
}
summary() {
	printf '\n== summary (%s s in all)\n' "$(elapsed "$T0")"
	[ -z "$packet_line" ] || say "packet tests: $packet_line"
	echo "$passed passed, $failed failed"
}

# ---- the chroot and its cleanup ---------------------------------------------

ROOT=
# Mount points at or under $ROOT, in this mount namespace, deepest first.
mounts_under() {
	[ -n "$ROOT" ] || return 0
	awk -v r="$ROOT" '{
		m = $5
		while (match(m, /\\[0-7][0-7][0-7]/)) {
			c = substr(m, RSTART + 1, 3)
			m = substr(m, 1, RSTART - 1) sprintf("%c", (substr(c,1,1) * 64 + substr(c,2,1) * 8 + substr(c,3,1))) substr(m, RSTART + 4)
		}
		if (m == r || index(m, r "/") == 1) print m
	}' /proc/self/mountinfo | sort -r
}

# Processes whose root is the chroot (ours: started in it by this script).
chroot_pids() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] && echo "${p#/proc/}"
	done
	return 0
}

remove_root() {
	local m left pids
	[ -n "$ROOT" ] && [ -d "$ROOT" ] || return 0
	pids=$(chroot_pids)
	if [ -n "$pids" ]; then
		say "cleanup: stopping processes left in the chroot: $(echo $pids)"
		kill $pids 2>/dev/null || true
		sleep 1
		pids=$(chroot_pids)
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
	fi
	for m in $(mounts_under); do
		umount "$m" 2>/dev/null || umount -R "$m" 2>/dev/null || umount -R -l "$m" 2>/dev/null || true
	done
	left=$(mounts_under)
	if [ -n "$left" ]; then
		say "cleanup: still mounted, NOT deleting $ROOT:"
		echo "$left" | sed 's/^/    /'
		return 1
	fi
	# --one-file-system: a mount missed above on another file system stops
	# rm there rather than being followed.
	rm -rf --one-file-system "$ROOT"
	ROOT=
}

checking=0
cleanup() {
	local rc=$? stopped_in=$phase_name
	trap '' INT TERM HUP
	set +e
	exec 1>&3 2>&4
	if [ -n "$ROOT" ]; then
		phase "cleanup"
		if remove_root; then
			phase_done "chroot removed"
		else
			rc=1
		fi
	fi
	if [ -n "$LOGDIR" ] && [ -d "$LOGDIR" ]; then
		if [ "$rc" -eq 0 ] || [ -z "$(ls -A "$LOGDIR")" ]; then
			rm -rf "$LOGDIR"
		else
			say "logs kept in $LOGDIR"
		fi
	fi
	if [ "$checking" -eq 1 ]; then
		# A run that stops early never reads as a success.
		if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
			say "FAILED: stopped with exit status $rc during: ${stopped_in:-setup}"
			failed=1
		fi
		summary
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'echo >&3; say "interrupted" >&3; exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# in_root CMD...: CMD in the chroot with a clean environment (nothing from
# the host's or make's environment leaks into the build).
in_root() {
	chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

bind() { # SRC DEST: a non-recursive, private bind mount
	mkdir -p "$2"
	mount --bind "$1" "$2"
	mount --make-private "$2"
}

# ---- run --------------------------------------------------------------------

mkdir -p "$CACHE/archives/partial"
exec 9>"$CACHE/lock"
if ! flock -n 9; then
	say "waiting for another check-fresh run on this machine ($CACHE/lock)"
	flock 9
fi
LOGDIR=$(mktemp -d "$TMPBASE/xdpguard-fresh-log.XXXXXX")

# Chroots of earlier runs that were killed before their cleanup (we hold
# the lock, so no other run owns one): nothing is mounted in them here.
for old in "$TMPBASE"/xdpguard-fresh-root.*; do
	[ -d "$old" ] || continue
	ROOT=$old
	say "removing $old, left by an earlier run"
	remove_root || die "cannot remove $old"
done

checking=1
phase "README install line"
if ! PKGS=$(readme_packages 2>&1); then
	fail_check "$PKGS"
fi
say "packages: $PKGS"
if [ -n "$DEB" ]; then
	# debian/control builds with exactly the README's packages and debhelper.
	bdeps=$(awk '/^Build-Depends:/ { on = 1; sub(/^Build-Depends:/, "") }
		on && /^[^ \t]/ && !/^Build-Depends:/ { on = 0 }
		on { print }' debian/control | tr ',' '\n' | sed 's/(.*//; s/[[:space:]]//g' | grep . | sort | xargs)
	want=$(printf '%s\n' $PKGS debhelper-compat | sort | xargs)
	[ "$bdeps" = "$want" ] ||
		fail_check "debian/control Build-Depends ($bdeps) is not the README's line plus debhelper-compat ($want)"
	say "debian/control Build-Depends: the same, and debhelper-compat"
	PKGS="$PKGS debhelper build-essential"
fi
phase_done

TARBALL=$CACHE/$SUITE-minbase-$ARCH.tar.gz

# new_root: ROOT becomes a new bare chroot (from the cached minbase tarball,
# made first if missing or old), with Debian 12's apt sources and the
# mounts the build and the packet tests need.
new_root() {
	ROOT=$(mktemp -d "$TMPBASE/xdpguard-fresh-root.XXXXXX")
	chmod 755 "$ROOT"

	if [ -n "${XG_FRESH_REFRESH:-}" ] || [ -z "$(find "$TARBALL" -mtime -"$MAX_AGE_DAYS" 2>/dev/null)" ]; then
		phase "debootstrap --variant=minbase $SUITE ($MIRROR)"
		if ! log debootstrap debootstrap --variant=minbase --arch="$ARCH" "$SUITE" "$ROOT" "$MIRROR"; then
			[ ! -f "$ROOT/debootstrap/debootstrap.log" ] ||
				tail -n 20 "$ROOT/debootstrap/debootstrap.log" | sed 's/^/    /'
			fail_check "debootstrap failed"
		fi
		[ -z "$(mounts_under)" ] || fail_check "debootstrap left mounts under $ROOT"
		say "$(grep -m1 'Valid Release signature' "$LOGDIR/debootstrap.log" || echo 'Release signature NOT checked')"
		# The bare tree, before anything is installed, minus the .deb files
		# debootstrap leaves behind.
		rm -f "$ROOT"/var/cache/apt/archives/*.deb
		if ! tar -C "$ROOT" --numeric-owner --xattrs --xattrs-include='*' -cpzf "$TARBALL.tmp.$$" . ||
			! mv "$TARBALL.tmp.$$" "$TARBALL"; then
			rm -f "$TARBALL.tmp.$$"
			fail_check "cannot write $TARBALL"
		fi
		printf 'suite=%s arch=%s mirror=%s debootstrap=%s date=%s\n' "$SUITE" "$ARCH" "$MIRROR" \
			"$(debootstrap --version | awk '{ print $2 }')" "$(date -u +%FT%TZ)" >"$TARBALL.info"
		phase_done "done, cached as $TARBALL ($(du -h "$TARBALL" | cut -f1))"
	else
		phase "minbase $SUITE from cache"
		say "$TARBALL: $(cat "$TARBALL.info" 2>/dev/null || echo 'no info')"
		tar -C "$ROOT" --numeric-owner --xattrs --xattrs-include='*' -xpzf "$TARBALL" ||
			fail_check "cannot unpack $TARBALL (XG_FRESH_REFRESH=1 rebuilds it)"
		phase_done
	fi

	# What a Debian 12 install's apt sources hold: the release, its updates and
	# its security updates, main only. Name resolution from the host.
	cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY $SUITE-security main
EOF
	cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
	# No service may start from the chroot.
	printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
	chmod 755 "$ROOT/usr/sbin/policy-rc.d"

	bind /proc "$ROOT/proc"
	bind /sys "$ROOT/sys"
	# The packet tests pin under /sys/fs/bpf (a per-pid directory).
	if mountpoint -q /sys/fs/bpf; then
		bind /sys/fs/bpf "$ROOT/sys/fs/bpf"
	else
		mount -t bpf -o mode=0700 bpf "$ROOT/sys/fs/bpf"
	fi
	bind /dev "$ROOT/dev"
	bind /dev/pts "$ROOT/dev/pts"
	bind "$CACHE/archives" "$ROOT/var/cache/apt/archives"
}
new_root

phase "apt-get install (the README's line${DEB:+, debhelper, build-essential})"
cached_debs=$(find "$CACHE/archives" -maxdepth 1 -name '*.deb' | wc -l)
t=$EPOCHREALTIME
log apt-update in_root apt-get update || fail_check "apt-get update failed"
say "apt-get update: $(elapsed "$t") s"
t=$EPOCHREALTIME
# shellcheck disable=SC2086 # a word list on purpose
log apt-install in_root apt-get install -y $PKGS || fail_check "apt-get install $PKGS failed"
say "apt-get install -y $PKGS: $(elapsed "$t") s"
say "$(grep -E '^[0-9]+ upgraded, [0-9]+ newly installed' "$LOGDIR/apt-install.log" || true)"
# Packages of the bare tree that the install upgraded, as dependencies, to
# their bookworm-updates or -security versions.
upgraded=$(awk '/^The following packages will be upgraded:/ { on = 1; next }
	on && /^  / { printf "%s", $0; next } { on = 0 }' "$LOGDIR/apt-install.log" | xargs)
[ -z "$upgraded" ] || say "upgraded from the bare tree: $upgraded"
say "$(grep -E '^(Need to get|After this operation)' "$LOGDIR/apt-install.log" | tr '\n' ' ')($cached_debs .deb files were in the cache)"
# Old versions no longer on the mirror leave the .deb cache.
log apt-autoclean in_root apt-get autoclean || true
# The failure this check was written for: the BPF build used to need
# gnu/stubs-32.h, which only libc6-dev-i386 ships.
if [ -e "$ROOT/usr/include/gnu/stubs-32.h" ]; then
	say "note: gnu/stubs-32.h is installed in the chroot (by $(in_root dpkg -S /usr/include/gnu/stubs-32.h | cut -d: -f1))"
else
	say "gnu/stubs-32.h is not installed (no libc6-dev-i386)"
fi
say "$(in_root dpkg-query -W -f '${db:Status-Abbrev}\n' | grep -c '^ii') packages installed in the chroot"
passed=$((passed + 1))
phase_done

phase "copy the source tree"
mkdir -p "$ROOT/src/xdpguard"
if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# The working tree as git sees it: tracked files (with uncommitted
	# changes) and untracked files that are not ignored; never build/.
	git -C "$SRC" ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			case $f in build/*) continue ;; esac
			[ -e "$f" ] || [ -L "$f" ] || continue
			printf '%s\0' "$f"
		done | sort -zu | tar -C "$SRC" --null -T - -cf - | tar -C "$ROOT/src/xdpguard" -xf -
	rev=$(git -C "$SRC" describe --always --dirty 2>/dev/null || echo '?')
	case $rev in
	*-dirty) say "source: $rev (the working tree, uncommitted changes included)" ;;
	*) say "source: $rev" ;;
	esac
else
	tar -C "$SRC" --exclude=./build --exclude=./.git --exclude='*.o' -cf - . | tar -C "$ROOT/src/xdpguard" -xf -
	say "source: $SRC (not a git work tree: copied all but build/ and .git)"
fi
say "$(find "$ROOT/src/xdpguard" -type f | wc -l) files"
phase_done

# ---- --deb: the package ------------------------------------------------------

# deb_check: build, lint, install in a second bare chroot, check, purge.
deb_check() {
	local rc=0 deb tools t files left

	phase "dpkg-buildpackage -us -uc -b (in the chroot)"
	in_root sh -c "cd /src/xdpguard && DEB_BUILD_OPTIONS=parallel=$(nproc) dpkg-buildpackage -us -uc -b" \
		>"$LOGDIR/dpkg-buildpackage.log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		tail -n 40 "$LOGDIR/dpkg-buildpackage.log" | sed 's/^/    /'
		fail_check "dpkg-buildpackage exited $rc"
	fi
	if grep -i 'warning:' "$LOGDIR/dpkg-buildpackage.log" | sed 's/^/    /' | grep .; then
		fail_check "the package build printed warnings"
	fi
	deb=$(cd "$ROOT/src" && ls xdpguard_*_"$ARCH".deb)
	say "$deb: $(du -h "$ROOT/src/$deb" | cut -f1), $(dpkg-deb -c "$ROOT/src/$deb" | grep -vc '/$') files; Depends: $(dpkg-deb -f "$ROOT/src/$deb" Depends)"
	passed=$((passed + 1))
	phase_done

	phase "lintian (in the chroot)"
	log apt-lintian in_root apt-get install -y --no-install-recommends lintian ||
		fail_check "apt-get install lintian failed"
	rc=0
	# as nobody: lintian warns when run as root
	in_root setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp \
		sh -c 'cd /src && lintian --pedantic --display-info --display-experimental --fail-on error xdpguard_*.changes' \
		>"$LOGDIR/lintian.log" 2>&1 || rc=$?
	sed 's/^/    /' "$LOGDIR/lintian.log"
	say "lintian $(in_root lintian --version | awk '{ print $2 }'): $(grep -c '^E:' "$LOGDIR/lintian.log") errors, $(grep -c '^W:' "$LOGDIR/lintian.log") warnings, $(grep -cE '^[IPX]:' "$LOGDIR/lintian.log") info, pedantic or experimental tags"
	[ "$rc" -eq 0 ] || fail_check "lintian exited $rc"
	passed=$((passed + 1))
	phase_done

	cp "$ROOT/src/$deb" "$LOGDIR/"
	# a second bare chroot, from the same tarball
	remove_root || fail_check "cannot remove the build chroot"
	unset XG_FRESH_REFRESH
	ROOT=$(mktemp -d "$TMPBASE/xdpguard-fresh-root.XXXXXX")
	chmod 755 "$ROOT"
	new_root

	phase "apt-get install ./$deb (in the bare chroot)"
	cp "$LOGDIR/$deb" "$ROOT/tmp/"
	log apt-update2 in_root apt-get update || fail_check "apt-get update failed"
	log apt-install-deb in_root apt-get install -y "/tmp/$deb" || fail_check "apt-get install ./$deb failed"
	say "$(grep -E '^[0-9]+ upgraded, [0-9]+ newly installed' "$LOGDIR/apt-install-deb.log" || true)"
	passed=$((passed + 1))
	phase_done

	phase "the installed package"
	files=$(in_root dpkg -L xdpguard)
	tools=$(grep '^/usr/sbin/xg-' <<<"$files" || true)
	[ -n "$tools" ] || fail_check "no xg-* tool in /usr/sbin"
	for t in $tools; do
		log "$(basename "$t")-version" in_root "$t" --version || fail_check "$t --version failed"
		grep -qx "/usr/share/man/man8/$(basename "$t").8.gz" <<<"$files" ||
			fail_check "no man page for $t"
	done
	# the completion, as bash-completion loads it: completions/<tool>
	in_root bash -c 'for t in "$@"; do source "/usr/share/bash-completion/completions/${t##*/}" && complete -p "${t##*/}" || exit 1; done' _ $tools >/dev/null ||
		fail_check "a tool has no completion in /usr/share/bash-completion/completions"
	say "$(echo $tools | wc -w) tools in /usr/sbin, each runs --version and has its man page and completion"
	say "man pages: $(grep -c '^/usr/share/man/.*\.gz$' <<<"$files"); systemd units: $(grep -E '^(/usr)?/lib/systemd/system/.' <<<"$files" | xargs -r -n1 basename | xargs | grep . || echo none); contrib: $(grep -c '^/usr/share/doc/xdpguard/contrib/.*\.' <<<"$files") files"
	passed=$((passed + 1))
	phase_done

	phase "apt-get purge xdpguard"
	log apt-purge in_root apt-get purge -y xdpguard || fail_check "apt-get purge failed"
	left=$(for f in $files; do
		if [ -e "$ROOT$f" ] && [ ! -d "$ROOT$f" ]; then echo "$f"; fi
	done)
	[ -z "$left" ] || fail_check "left after purge: $(echo $left)"
	passed=$((passed + 1))
	phase_done
}

if [ -n "$DEB" ]; then
	deb_check
	exit 0
fi

# Exactly the README's commands: `make`, then `make install PREFIX=/usr/local`
# (run as root here, so without sudo).
phase "make (in the chroot)"
rc=0
in_root sh -c 'cd /src/xdpguard && make' >"$LOGDIR/make.out" 2>"$LOGDIR/make.err" || rc=$?
sed 's/^/    /' "$LOGDIR/make.out"
if [ -s "$LOGDIR/make.err" ]; then
	echo "    --- stderr:"
	sed 's/^/    /' "$LOGDIR/make.err"
fi
[ "$rc" -eq 0 ] || fail_check "make exited $rc"
if grep -qi 'warning:' "$LOGDIR/make.err"; then
	fail_check "make printed warnings"
fi
passed=$((passed + 1))
phase_done "ok, no warnings"

phase "make install PREFIX=/usr/local (in the chroot)"
log make-install in_root sh -c 'cd /src/xdpguard && make install PREFIX=/usr/local' ||
	fail_check "make install failed"
# Each installed tool starts: its shared libraries came with the README's
# packages.
tools=$(in_root sh -c 'ls /usr/local/sbin | grep "^xg-"' || true)
[ -n "$tools" ] || fail_check "no xg-* tool in /usr/local/sbin"
for t in $tools; do
	log "$t-version" in_root "/usr/local/sbin/$t" --version || fail_check "$t --version failed"
done
say "$(echo $tools | wc -w) tools in /usr/local/sbin, each runs --version; $(in_root sh -c 'ls /usr/local/share/man/man7 /usr/local/share/man/man8' | grep -c '\.[78]$') man pages"
passed=$((passed + 1))
phase_done

phase "packet tests (build/tests/test_xdp in the chroot)"
rc=0
# exec: the shell's pid becomes test_xdp's, which names its pin directory.
in_root sh -c 'cd /src/xdpguard && echo $$ >/tmp/test_xdp.pid && exec build/tests/test_xdp' \
	>"$LOGDIR/test_xdp.log" 2>&1 || rc=$?
cat "$LOGDIR/test_xdp.log"
test_pid=$(cat "$ROOT/tmp/test_xdp.pid" 2>/dev/null || true)
if [ -n "$test_pid" ] && [ -e "/sys/fs/bpf/xg-pkt-test-$test_pid" ]; then
	# Not a check of the install line, but nothing may be left behind.
	say "test_xdp left /sys/fs/bpf/xg-pkt-test-$test_pid behind; removing it"
	rm -rf "/sys/fs/bpf/xg-pkt-test-$test_pid"
fi
packet_line=$(tail -n 1 "$LOGDIR/test_xdp.log")
if [[ $packet_line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	passed=$((passed + BASH_REMATCH[1]))
	failed=$((failed + BASH_REMATCH[2]))
	if [ "$rc" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
		packet_line=
		fail_check "test_xdp exited $rc without reporting a failure"
	fi
else
	packet_line=
	fail_check "test_xdp exited $rc without its 'N passed, M failed' line"
fi
phase_done "exit $rc"

[ "$failed" -eq 0 ] || exit 1
