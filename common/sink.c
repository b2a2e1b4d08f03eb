// SPDX-License-Identifier: GPL-2.0
/* Where xg-features writes its lines: stdout, a consumer's Unix stream
 * socket, or rotated files in a directory. Lines wait in one bounded
 * buffer; a line goes in whole or not at all (counted undelivered), and a
 * line leaves whole: a closed file or a new connection never starts or
 * ends in the middle of one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "xg.h"

/* Reconnecting: the first retry soon (a consumer restarting), then
 * doubling up to a few seconds, so an absent one costs nothing.
 */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define FILE_PREFIX "features-"
#define FILE_SUFFIX ".ndjson"

struct xg_sink {
	struct xg_sink_opts o;
	char *buf;
	size_t head, commit, tail; /* sent | flushed, unsent | put */
	__u64 queued; /* lines in the buffer */
	struct xg_sink_stats st;
	int fd; /* stdout, the socket or the open file; -1 none */
	/* socket */
	bool partial; /* the bytes sent so far end inside a line */
	bool said_waiting;
	__u64 backoff_ms, retry_ms;
	/* files */
	char part[PATH_MAX];
	__u64 fsize; /* bytes in the open file */
	__u64 opened_ms, opened_real_ns;
	int write_errno; /* the last one reported */
};

/* ---- checks before anything is opened -------------------------------------- */

static int check_socket_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return xg_fail(-ENOTSOCK, "%s is not a socket", path);
	return 0;
}

/* O_TMPFILE tries the writing itself and leaves no name behind (access()
 * says yes to root on a read-only mount's mode bits too).
 */
static int check_dir(const char *dir)
{
	struct stat st;
	int fd;

	if (stat(dir, &st) < 0)
		return xg_fail(-errno, "cannot use %s: %s", dir,
			       strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return xg_fail(-ENOTDIR, "%s is not a directory", dir);
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)
		return access(dir, W_OK | X_OK) ?
			       xg_fail(-errno, "cannot write to %s: %s", dir,
				       strerror(errno)) :
			       0;
	return xg_fail(-errno, "cannot write to %s: %s", dir, strerror(errno));
}

int xg_sink_check(const struct xg_sink_opts *o)
{
	if (o->socket_path)
		return check_socket_path(o->socket_path);
	if (o->out_dir)
		return check_dir(o->out_dir);
	return 0;
}

/* ---- the buffer ------------------------------------------------------------ */

static __u64 count_lines(const char *p, size_t n)
{
	const char *end = p + n;
	__u64 lines = 0;

	while ((p = memchr(p, '\n', end - p))) {
		lines++;
		p++;
	}
	return lines;
}

/* Moves what is left to the start, so the free room is in one piece. */
static void compact(struct xg_sink *s)
{
	if (!s->head)
		return;
	memmove(s->buf, s->buf + s->head, s->tail - s->head);
	s->commit -= s->head;
	s->tail -= s->head;
	s->head = 0;
}

/* The lines from head on are lost: counted, and the buffer empty. */
static void drop_all(struct xg_sink *s)
{
	s->st.undelivered += s->queued;
	s->queued = 0;
	s->head = s->commit = s->tail = 0;
}

/* A socket that ended: the line half sent is lost; whole ones wait. */
static void drop_partial(struct xg_sink *s)
{
	char *nl;

	if (!s->partial)
		return;
	s->partial = false;
	nl = memchr(s->buf + s->head, '\n', s->tail - s->head);
	if (!nl)
		return;
	s->head = nl + 1 - s->buf;
	if (s->commit < s->head)
		s->commit = s->head;
	s->queued--;
	s->st.undelivered++;
}

/* ---- the socket ------------------------------------------------------------ */

static void sock_lost(struct xg_sink *s, __u64 now_ms)
{
	close(s->fd);
	s->fd = -1;
	s->st.disconnects++;
	drop_partial(s);
	s->backoff_ms = BACKOFF_MIN_MS;
	s->retry_ms = now_ms + s->backoff_ms;
}

static void sock_connect(struct xg_sink *s, __u64 now_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (s->fd >= 0 || now_ms < s->retry_ms)
		return;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->o.socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		s->fd = fd;
		s->backoff_ms = 0;
		if (s->st.connects++ || s->said_waiting)
			xg_warn("connected to %s", s->o.socket_path);
		s->said_waiting = false;
		return;
	}
	if (fd >= 0)
		close(fd);
	if (!s->said_waiting && !s->st.connects) {
		xg_warn("waiting for a consumer on %s", s->o.socket_path);
		s->said_waiting = true;
	}
	s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (s->backoff_ms > BACKOFF_MAX_MS)
		s->backoff_ms = BACKOFF_MAX_MS;
	s->retry_ms = now_ms + s->backoff_ms;
}

/* Writes what was flushed, as much as the socket takes now. */
static void sock_write(struct xg_sink *s, __u64 now_ms)
{
	__u64 lines;
	ssize_t n;

	sock_connect(s, now_ms);
	while (s->fd >= 0 && s->head < s->commit) {
		n = send(s->fd, s->buf + s->head, s->commit - s->head,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			sock_lost(s, now_ms);
			return;
		}
		lines = count_lines(s->buf + s->head, n);
		s->head += n;
		s->st.written += lines;
		s->queued -= lines;
		s->partial = s->buf[s->head - 1] != '\n';
	}
	if (s->head == s->tail)
		s->head = s->commit = s->tail = 0;
}

/* ---- the files ------------------------------------------------------------- */

static int file_open(struct xg_sink *s, __u64 now_ms)
{
	snprintf(s->part, sizeof(s->part), "%s/.%s%d%s.part", s->o.out_dir,
		 FILE_PREFIX, (int)getpid(), FILE_SUFFIX);
	s->fd = open(s->part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (s->fd < 0)
		return xg_fail(-errno, "cannot create %s: %s", s->part,
			       strerror(errno));
	s->fsize = 0;
	s->opened_ms = now_ms;
	s->opened_real_ns = xg_clock_ns(CLOCK_REALTIME);
	return 0;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int closed_file(const struct dirent *de)
{
	size_t n = strlen(de->d_name), k = strlen(FILE_SUFFIX);

	return !strncmp(de->d_name, FILE_PREFIX, strlen(FILE_PREFIX)) &&
	       n > k && !strcmp(de->d_name + n - k, FILE_SUFFIX);
}

/* --keep N: the oldest closed files beyond N go (names sort by time). */
static void file_prune(struct xg_sink *s)
{
	char path[PATH_MAX];
	struct dirent **v;
	int n, i;

	if (!s->o.keep)
		return;
	n = scandir(s->o.out_dir, &v, closed_file, name_cmp);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		if (i < n - (int)s->o.keep) {
			snprintf(path, sizeof(path), "%s/%s", s->o.out_dir,
				 v[i]->d_name);
			if (unlink(path) == 0)
				s->st.files_deleted++;
		}
		free(v[i]);
	}
	free(v);
}

/* 20261123T210000.123456Z: ISO 8601's basic form, no ':' in a name. */
static void file_time(__u64 real_ns, char *buf, size_t len)
{
	time_t sec = real_ns / XG_NSEC_PER_SEC;
	char day[32];
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y%m%dT%H%M%S", &tm);
	snprintf(buf, len, "%s.%06uZ", day,
		 (unsigned int)(real_ns % XG_NSEC_PER_SEC / 1000));
}

/* The open file under its final name: features-TIME.ndjson, TIME its
 * opening (UTC, microseconds); an empty one is removed instead.
 */
static void file_close(struct xg_sink *s)
{
	char when[40], path[PATH_MAX + 64];
	int i;

	if (s->fd < 0)
		return;
	close(s->fd);
	s->fd = -1;
	if (!s->fsize) {
		unlink(s->part);
		return;
	}
	file_time(s->opened_real_ns, when, sizeof(when));
	for (i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "%s/%s%s%s%.0d%s", s->o.out_dir,
			 FILE_PREFIX, when, i ? "-" : "", i, FILE_SUFFIX);
		if (!renameat2(AT_FDCWD, s->part, AT_FDCWD, path,
			       RENAME_NOREPLACE))
			break;
		if (errno != EEXIST) {
			xg_warn("cannot rename %s: %s", s->part,
				strerror(errno));
			return;
		}
	}
	s->st.files++;
	file_prune(s);
}

/* Writes [head, commit) whole, blocking: to the open file or stdout. A
 * failure cuts the file back to where the batch began, so no half line
 * stays in it, and counts the batch undelivered.
 */
static void fd_write(struct xg_sink *s)
{
	size_t start = s->head, n = s->commit - s->head;
	__u64 lines = count_lines(s->buf + start, n);
	ssize_t w;

	while (s->head < s->commit) {
		w = write(s->fd, s->buf + s->head, s->commit - s->head);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		s->head += w;
	}
	s->queued -= lines;
	if (s->head == s->commit) {
		s->st.written += lines;
		s->fsize += n;
		s->write_errno = 0;
	} else {
		if (errno != s->write_errno)
			xg_warn("cannot write %s: %s",
				s->o.out_dir ? s->part : "stdout",
				strerror(errno));
		s->write_errno = errno;
		if (s->o.out_dir && ftruncate(s->fd, s->fsize) == 0)
			lseek(s->fd, s->fsize, SEEK_SET);
		s->st.undelivered += lines;
		s->head = s->commit;
	}
	if (s->head == s->tail)
		s->head = s->commit = s->tail = 0;
}

static void rotate(struct xg_sink *s, __u64 now_ms)
{
	s->commit = s->tail;
	if (s->fd >= 0)
		fd_write(s);
	file_close(s);
	if (file_open(s, now_ms))
		s->retry_ms = now_ms + BACKOFF_MAX_MS;
}

/* ---- the sink -------------------------------------------------------------- */

int xg_sink_open(const struct xg_sink_opts *o, struct xg_sink **out)
{
	struct xg_sink *s = calloc(1, sizeof(*s));
	__u64 now = xg_mono_ms();
	int err = 0;

	if (!s || !(s->buf = malloc(o->buf_size))) {
		free(s);
		return xg_fail(-ENOMEM, "out of memory");
	}
	s->o = *o;
	s->fd = -1;
	if (o->out_dir)
		err = file_open(s, now);
	else if (o->socket_path)
		sock_connect(s, now);
	else
		s->fd = STDOUT_FILENO;
	if (err) {
		free(s->buf);
		free(s);
		return err;
	}
	*out = s;
	return 0;
}

/* The lines put since the last flush, written now: in order, whole. */
void xg_sink_flush(struct xg_sink *s, __u64 now_ms)
{
	s->commit = s->tail;
	if (s->o.socket_path)
		sock_write(s, now_ms);
	else if (s->fd >= 0)
		fd_write(s);
	else
		drop_all(s);
}

bool xg_sink_put(struct xg_sink *s, const char *line, size_t len, __u64 now_ms)
{
	size_t used = s->tail - s->head;

	if (s->o.out_dir && s->o.rotate_size &&
	    s->fsize + used + len > s->o.rotate_size && s->fsize + used)
		rotate(s, now_ms);
	/* stdout and files wait for the writing; only the socket drops */
	if (!s->o.socket_path && len > s->o.buf_size - used)
		xg_sink_flush(s, now_ms);
	used = s->tail - s->head;
	if (len > s->o.buf_size - used) {
		s->st.undelivered++;
		s->st.full++;
		return false;
	}
	if (len > s->o.buf_size - s->tail)
		compact(s);
	memcpy(s->buf + s->tail, line, len);
	s->tail += len;
	s->queued++;
	return true;
}

int xg_sink_poll_fd(const struct xg_sink *s, short *events)
{
	if (!s->o.socket_path || s->fd < 0)
		return -1;
	/* POLLHUP and POLLERR come anyway: a consumer gone while idle */
	*events = s->head < s->commit ? POLLOUT : 0;
	return s->fd;
}

void xg_sink_ready(struct xg_sink *s, short revents, __u64 now_ms)
{
	if (s->fd < 0)
		return;
	if (revents & (POLLOUT | POLLERR | POLLHUP)) {
		if (s->head < s->commit)
			sock_write(s, now_ms);
		else if (revents & (POLLERR | POLLHUP))
			sock_lost(s, now_ms);
	}
}

__u64 xg_sink_next_ms(const struct xg_sink *s)
{
	if (s->o.socket_path && s->fd < 0)
		return s->retry_ms;
	if (s->o.out_dir && s->fd < 0)
		return s->retry_ms;
	if (s->o.out_dir && s->o.rotate_secs)
		return s->opened_ms + s->o.rotate_secs * 1000;
	return UINT64_MAX;
}

void xg_sink_tick(struct xg_sink *s, __u64 now_ms)
{
	if (s->o.socket_path && s->fd < 0 && now_ms >= s->retry_ms)
		sock_write(s, now_ms);
	else if (s->o.out_dir && s->fd < 0 && now_ms >= s->retry_ms)
		rotate(s, now_ms);
	else if (s->o.out_dir && s->o.rotate_secs &&
		 now_ms >= s->opened_ms + s->o.rotate_secs * 1000)
		rotate(s, now_ms);
}

void xg_sink_reopen(struct xg_sink *s, __u64 now_ms)
{
	if (s->o.out_dir)
		rotate(s, now_ms);
}

/* Flushes; a socket gets up to @wait_ms to take the rest. */
void xg_sink_close(struct xg_sink *s, int wait_ms, struct xg_sink_stats *st)
{
	__u64 now = xg_mono_ms(), end = now + wait_ms;
	struct pollfd p;

	xg_sink_flush(s, now);
	while (s->o.socket_path && s->fd >= 0 && s->head < s->commit &&
	       now < end) {
		p = (struct pollfd){ .fd = s->fd, .events = POLLOUT };
		if (poll(&p, 1, (int)(end - now)) > 0)
			xg_sink_ready(s, p.revents, now);
		now = xg_mono_ms();
	}
	drop_partial(s);
	drop_all(s);
	if (s->o.out_dir)
		file_close(s);
	else if (s->o.socket_path && s->fd >= 0)
		close(s->fd);
	*st = s->st;
	free(s->buf);
	free(s);
}

void xg_sink_stats(const struct xg_sink *s, struct xg_sink_stats *st)
{
	*st = s->st;
}
