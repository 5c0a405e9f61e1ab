#include "httpd/server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "httpd/access_log.h"
#include "httpd/conn.h"
#include "httpd/docroot.h"
#include "httpd/idle_list.h"
#include "httpd/listener.h"

#define SERVER_EVENTS 256
/* Accepts per wakeup, so a flood of new connections cannot starve the
 * open ones. */
#define SERVER_ACCEPTS 64
/* The pause before reading a trickling request again (conn.c): at a byte
 * every 2 ms, five bytes per read instead of one; a request finishing
 * meanwhile is answered this much later. */
#define SERVER_PACE_MS 10

/* epoll data points at one of these tags, the first member of each source. */
enum server_kind {
	SERVER_LISTENER,
	SERVER_SIGNAL,
	SERVER_CONN,
};

struct server_listener {
	enum server_kind kind;
	int fd;
	const char *addr;
};

struct server_conn {
	enum server_kind kind;
	/* What epoll watches: input, output, or (CONN_WAIT_READ_PACED)
	 * nothing, the connection being on srv->paced. */
	enum conn_wait wait;
	uint64_t read_ms; /* when a read last brought bytes */
	struct idle_node idle;
	struct idle_node paced;
	struct idle_node delay; /* CONN_WAIT_DELAY: on srv->delayed */
	struct conn conn;
};

struct server {
	int epfd;
	int sigfd;
	enum server_kind sig_kind;
	struct server_listener listeners[SERVER_MAX_LISTENERS];
	size_t nlisteners;
	uint16_t port;
	struct docroot root;
	struct idle_list idle;
	struct idle_list paced; /* connections pausing before their next read */
	/* Lab slow answers, each LAB_SLOW_MS after it began: sorted as idle. */
	struct idle_list delayed;
	struct conn_env env;
	uint64_t now_ms;
	uint64_t timeout_ms;
	size_t nconns;
	size_t max_conns;
	bool accept_paused;
	bool stopping;
};

#define server_conn_of(node, member)                                                               \
	((struct server_conn *)((char *)(node)-offsetof(struct server_conn, member)))

static void server_clock(struct server *srv)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	srv->now_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	srv->env.now = time(NULL);
	srv->env.now_ms = srv->now_ms;
}

static int server_watch(struct server *srv, int op, int fd, uint32_t events, void *tag)
{
	struct epoll_event ev = {.events = events, .data.ptr = tag};

	return epoll_ctl(srv->epfd, op, fd, &ev) < 0 ? -errno : 0;
}

/* At the connection cap, or out of descriptors or memory: stop accepting
 * until a connection ends, instead of spinning on a listener that stays
 * readable; the listen backlog holds the newcomers meanwhile. */
static void server_pause_accept(struct server *srv, bool pause)
{
	/* Only a closing connection resumes accepting: with none open, pausing
	 * would stop the server for good. */
	if (srv->accept_paused == pause || (pause && !idle_list_first(&srv->idle)))
		return;
	srv->accept_paused = pause;
	for (size_t i = 0; i < srv->nlisteners; i++)
		server_watch(srv, EPOLL_CTL_MOD, srv->listeners[i].fd, pause ? 0 : EPOLLIN,
			     &srv->listeners[i]);
}

static void server_conn_free(struct server *srv, struct server_conn *sc)
{
	idle_list_remove(&sc->idle);
	idle_list_remove(&sc->paced);
	idle_list_remove(&sc->delay);
	conn_fini(&sc->conn);
	free(sc);
	srv->nconns--;
	server_pause_accept(srv, false);
}

/* Pausing pays only while bytes come faster than the pause: reads under
 * SERVER_PACE_MS apart, or a pause's end finding bytes. Slower, each read
 * would cost a pause's wakeup and epoll_ctl on top of the event (at a byte
 * every 15 ms: 8 us per byte instead of 6). */
static enum conn_wait server_pace_or_not(struct server *srv, struct server_conn *sc,
					 enum conn_wait wait)
{
	bool fast = sc->wait == CONN_WAIT_READ_PACED || srv->now_ms - sc->read_ms < SERVER_PACE_MS;

	if (sc->conn.rx_got)
		sc->read_ms = srv->now_ms;
	return wait == CONN_WAIT_READ_PACED && !fast ? CONN_WAIT_READ : wait;
}

/* Unwatched until the pause ends (a level-triggered watch would report
 * every byte arriving meanwhile), then read without asking epoll: after a
 * pause the bytes are usually there, and a connection that keeps
 * trickling costs one recv per pause and no epoll_ctl. */
static void server_pace(struct server *srv, struct server_conn *sc)
{
	if (sc->wait != CONN_WAIT_READ_PACED) {
		server_watch(srv, EPOLL_CTL_MOD, sc->conn.fd, 0, sc);
		sc->wait = CONN_WAIT_READ_PACED;
	}
	idle_list_restart(&srv->paced, &sc->paced, srv->now_ms + SERVER_PACE_MS);
}

static void server_conn_event(struct server *srv, struct server_conn *sc)
{
	enum conn_wait wait = conn_run(&sc->conn, &srv->env);

	/* A delayed connection's socket is unwatched: only an error or hangup
	 * wakes it before its time, and then its client is gone. */
	if (wait == CONN_WAIT_CLOSE || (wait == CONN_WAIT_DELAY && sc->delay.next)) {
		server_conn_free(srv, sc);
		return;
	}
	wait = server_pace_or_not(srv, sc, wait);
	if (wait == CONN_WAIT_READ_PACED) {
		server_pace(srv, sc);
	} else if (wait != sc->wait) {
		idle_list_remove(&sc->paced);
		server_watch(srv, EPOLL_CTL_MOD, sc->conn.fd,
			     wait == CONN_WAIT_READ    ? EPOLLIN
			     : wait == CONN_WAIT_WRITE ? EPOLLOUT
						       : 0,
			     sc);
		sc->wait = wait;
	}
	if (wait == CONN_WAIT_DELAY)
		idle_list_restart(&srv->delayed, &sc->delay, sc->conn.lab_due_ms);
	if (sc->conn.restart_timer) {
		idle_list_restart(&srv->idle, &sc->idle, srv->now_ms + srv->timeout_ms);
		sc->conn.restart_timer = false;
	}
}

static struct server_conn *server_conn_add(struct server *srv, int fd,
					   const struct sockaddr_storage *peer)
{
	struct server_conn *sc = malloc(sizeof(*sc));

	if (!sc)
		return NULL;
	sc->kind = SERVER_CONN;
	sc->wait = CONN_WAIT_READ;
	sc->read_ms = srv->now_ms;
	sc->idle = (struct idle_node){0};
	sc->paced = (struct idle_node){0};
	sc->delay = (struct idle_node){0};
	conn_init(&sc->conn, fd, peer);
	if (server_watch(srv, EPOLL_CTL_ADD, fd, EPOLLIN, sc)) {
		free(sc);
		return NULL;
	}
	idle_list_restart(&srv->idle, &sc->idle, srv->now_ms + srv->timeout_ms);
	sc->conn.restart_timer = false;
	srv->nconns++;
	return sc;
}

static void server_accept(struct server *srv, int lfd)
{
	for (int i = 0; i < SERVER_ACCEPTS; i++) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		struct server_conn *sc;
		int fd;

		if (srv->nconns >= srv->max_conns) {
			server_pause_accept(srv, true);
			return;
		}
		fd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				server_pause_accept(srv, true);
			return;
		}
		sc = server_conn_add(srv, fd, &peer);
		if (!sc) {
			close(fd);
			server_pause_accept(srv, true);
			return;
		}
		/* Under load the request is usually there already: serving it now
		 * saves a trip through epoll_wait. */
		server_conn_event(srv, sc);
	}
}

static void server_dispatch(struct server *srv, const struct epoll_event *ev)
{
	enum server_kind *kind = ev->data.ptr;
	struct signalfd_siginfo si;

	switch (*kind) {
	case SERVER_LISTENER:
		server_accept(srv, ((struct server_listener *)kind)->fd);
		break;
	case SERVER_SIGNAL:
		if (read(srv->sigfd, &si, sizeof(si)) == sizeof(si))
			srv->stopping = true;
		break;
	case SERVER_CONN:
		server_conn_event(srv, (struct server_conn *)kind);
		break;
	}
}

/* Runs each connection whose time on l is up; off is where its node for l
 * sits in struct server_conn. */
static void server_wake_due(struct server *srv, struct idle_list *l, size_t off)
{
	struct idle_node *n;

	while ((n = idle_list_first(l)) && n->deadline_ms <= srv->now_ms) {
		idle_list_remove(n);
		server_conn_event(srv, (struct server_conn *)((char *)n - off));
	}
}

static void server_expire(struct server *srv)
{
	struct idle_node *n;

	server_wake_due(srv, &srv->delayed, offsetof(struct server_conn, delay));
	while ((n = idle_list_first(&srv->idle)) && n->deadline_ms <= srv->now_ms) {
		conn_expire(&server_conn_of(n, idle)->conn, &srv->env);
		server_conn_free(srv, server_conn_of(n, idle));
	}
}

/* Until the earliest of the next deadline, pause's end and delayed answer. */
static int server_wait_ms(const struct server *srv)
{
	const struct idle_list *const lists[] = {&srv->idle, &srv->paced, &srv->delayed};
	struct idle_node *n = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		struct idle_node *first = idle_list_first(lists[i]);

		if (first && (!n || first->deadline_ms < n->deadline_ms))
			n = first;
	}
	if (!n)
		return -1;
	return n->deadline_ms > srv->now_ms ? (int)(n->deadline_ms - srv->now_ms) : 0;
}

static int server_loop(struct server *srv)
{
	struct epoll_event events[SERVER_EVENTS];

	while (!srv->stopping) {
		int n = epoll_wait(srv->epfd, events, SERVER_EVENTS, server_wait_ms(srv));

		/* A stop and continue (SIGSTOP, SIGCONT) interrupts the wait. */
		if (n < 0 && errno != EINTR)
			return -errno;
		server_clock(srv);
		for (int i = 0; i < n; i++)
			server_dispatch(srv, &events[i]);
		server_expire(srv);
		server_wake_due(srv, &srv->paced, offsetof(struct server_conn, paced));
		access_log_flush();
	}
	return 0;
}

/* Descriptors besides the connections' sockets and files: listeners,
 * epoll, signalfd, stdio. */
#define SERVER_FDS_RESERVED (SERVER_MAX_LISTENERS + 8)

/* Each connection may hold a socket and a file: raise the soft limit to
 * that, within the hard limit (short of it, accepting pauses on EMFILE). */
static void server_raise_nofile(size_t max_conns)
{
	rlim_t want = (rlim_t)max_conns * 2 + SERVER_FDS_RESERVED;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int server_listen(struct server *srv, const struct server_config *cfg, char *what,
			 size_t what_len)
{
	srv->port = cfg->port;
	for (size_t i = 0; i < cfg->naddrs; i++) {
		int fd = listener_open(cfg->addrs[i], srv->port, true, &srv->port);

		/* The default ::1 is optional on hosts without IPv6. */
		if (fd < 0 && cfg->default_addrs && srv->nlisteners > 0 &&
		    (fd == -EADDRNOTAVAIL || fd == -EAFNOSUPPORT))
			continue;
		if (fd < 0) {
			snprintf(what, what_len, "listen on %s port %u", cfg->addrs[i], srv->port);
			return fd;
		}
		srv->listeners[srv->nlisteners++] =
		    (struct server_listener){SERVER_LISTENER, fd, cfg->addrs[i]};
	}
	return 0;
}

/* SIGINT and SIGTERM arrive through a signalfd, so the loop sees them as
 * events without the races of an asynchronous handler. */
static int server_signals(struct server *srv)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	srv->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (srv->sigfd < 0)
		return -errno;
	srv->sig_kind = SERVER_SIGNAL;
	return server_watch(srv, EPOLL_CTL_ADD, srv->sigfd, EPOLLIN, &srv->sig_kind);
}

static int server_open(struct server *srv, const struct server_config *cfg, char *what,
		       size_t what_len)
{
	int err;

	server_raise_nofile(cfg->max_conns);
	snprintf(what, what_len, "docroot %s", cfg->docroot);
	err = docroot_init(&srv->root, cfg->docroot);
	if (err)
		return err;
	err = server_listen(srv, cfg, what, what_len);
	if (err)
		return err;
	snprintf(what, what_len, "event loop");
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv->epfd < 0)
		return -errno;
	for (size_t i = 0; i < srv->nlisteners && !err; i++)
		err = server_watch(srv, EPOLL_CTL_ADD, srv->listeners[i].fd, EPOLLIN,
				   &srv->listeners[i]);
	return err ? err : server_signals(srv);
}

static void server_close(struct server *srv)
{
	struct idle_node *n;

	while ((n = idle_list_first(&srv->idle)))
		server_conn_free(srv, server_conn_of(n, idle));
	access_log_flush();
	for (size_t i = 0; i < srv->nlisteners; i++)
		close(srv->listeners[i].fd);
	if (srv->sigfd >= 0)
		close(srv->sigfd);
	if (srv->epfd >= 0)
		close(srv->epfd);
	if (srv->root.dirfd >= 0)
		docroot_fini(&srv->root);
}

/* The line tests and users wait for: everything is listening once it shows. */
static void server_announce(const struct server *srv)
{
	printf("tcplife-httpd: serving %s on", srv->root.path);
	for (size_t i = 0; i < srv->nlisteners; i++) {
		char url[80];

		listener_url(srv->listeners[i].addr, srv->port, url, sizeof(url));
		printf("%s %s", i == 0 ? "" : i + 1 == srv->nlisteners ? " and" : ",", url);
	}
	printf("\n");
	fflush(stdout);
}

int server_run(const struct server_config *cfg, char *what, size_t what_len)
{
	struct server srv = {.epfd = -1, .sigfd = -1, .root.dirfd = -1};
	int err;

	idle_list_init(&srv.idle);
	idle_list_init(&srv.paced);
	idle_list_init(&srv.delayed);
	srv.env = (struct conn_env){&srv.root, cfg->timeout_s, 0, !cfg->quiet, cfg->lab, 0};
	srv.timeout_ms = (uint64_t)cfg->timeout_s * 1000;
	srv.max_conns = cfg->max_conns;
	err = server_open(&srv, cfg, what, what_len);
	if (!err && cfg->confine) {
		snprintf(what, what_len, "giving up root");
		err = cfg->confine(cfg->confine_ctx);
	}
	if (!err) {
		server_clock(&srv);
		server_announce(&srv);
		snprintf(what, what_len, "event loop");
		err = server_loop(&srv);
	}
	server_close(&srv);
	return err;
}
