/* tcplife-httpd: command line, then the server. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/parse_num.h"
#include "httpd/confine.h"
#include "httpd/lab/refused.h"
#include "httpd/listener.h"
#include "httpd/server.h"

#define HTTPD_DEFAULT_PORT 8080
#define HTTPD_DEFAULT_TIMEOUT 5
/* As nginx's worker_connections. */
#define HTTPD_DEFAULT_MAX_CONNS 1024
/* make install's page; the Makefile compiles it from PREFIX. */
#ifndef TL_DATADIR
#define TL_DATADIR "/usr/local/share/tcplife-http"
#endif
#define HTTPD_INSTALLED_DOCROOT TL_DATADIR "/www"

static const char httpd_usage[] =
    "usage: tcplife-httpd [-l ADDR]... [-p PORT] [-r DOCROOT] [-t SECONDS] [-c MAX] [-q] [-u "
    "USER]\n"
    "Serves DOCROOT over HTTP/1.1 on 127.0.0.1 and ::1.\n"
    "  -l ADDR     listen on this numeric address only (repeatable; default\n"
    "              127.0.0.1 and ::1)\n"
    "  -p PORT     TCP port (default 8080; 0 picks a free one)\n"
    "  -r DOCROOT  directory to serve (default: the first that exists of www next\n"
    "              to the binary, " HTTPD_INSTALLED_DOCROOT ",\n"
    "              ./www)\n"
    "  -t SECONDS  idle and send timeout, 1-3600 (default 5)\n"
    "  -c MAX      at most MAX connections at once, 1-65536 (default 1024); more\n"
    "              wait in the listen backlog. Each takes at most 42 KiB\n"
    "  -q          no access log on stderr\n"
    "  -u USER     started as root, serve as USER once the sockets and DOCROOT are\n"
    "              open (default: the user who ran sudo, else nobody; only -u root\n"
    "              keeps root); no capabilities and a seccomp filter either way\n"
    "  --lab       teachers' scenarios: GET /lab/ lists them (server-close,\n"
    "              connection-close, slow, chunked, large, abort), and PORT+1 (or a\n"
    "              free port) is held bound but never listening: a refused port\n"
    "  --no-sandbox  for debugging: no seccomp filter (the user is still changed)\n"
    "  -h, --help  this help;  --version  the version\n";

/* Arguments are checked here and reported once, as one line, exit 2. */
static int httpd_bad_args(const char *msg, const char *arg)
{
	fprintf(stderr, "tcplife-httpd: %s%s%s (try --help)\n", msg, arg ? ": " : "",
		arg ? arg : "");
	return 2;
}

static bool httpd_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* www next to the binary (a build tree, from any cwd), else the installed
 * page, else ./www. */
static void httpd_default_docroot(char *buf, size_t cap)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		snprintf(buf, cap, "%s/www", dirname(exe));
		if (httpd_is_dir(buf))
			return;
	}
	snprintf(buf, cap, "%s",
		 httpd_is_dir(HTTPD_INSTALLED_DOCROOT) ? HTTPD_INSTALLED_DOCROOT : "www");
}

static int httpd_option(struct server_config *cfg, int opt, const char *arg)
{
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned long v;

	switch (opt) {
	case 'l':
		if (listener_addr(arg, 0, &ss, &len))
			return httpd_bad_args("not a numeric IPv4 or IPv6 address", arg);
		if (cfg->naddrs == SERVER_MAX_LISTENERS)
			return httpd_bad_args("too many -l addresses", arg);
		cfg->addrs[cfg->naddrs++] = arg;
		return 0;
	case 'p':
		if (tl_parse_ulong(arg, 0, 65535, &v))
			return httpd_bad_args("bad port", arg);
		cfg->port = (uint16_t)v;
		return 0;
	case 'r':
		cfg->docroot = arg;
		return 0;
	case 't':
		if (tl_parse_ulong(arg, 1, 3600, &v))
			return httpd_bad_args("bad timeout", arg);
		cfg->timeout_s = (unsigned)v;
		return 0;
	case 'c':
		if (tl_parse_ulong(arg, 1, 65536, &v))
			return httpd_bad_args("bad connection limit", arg);
		cfg->max_conns = (unsigned)v;
		return 0;
	case 'q':
		cfg->quiet = true;
		return 0;
	case 'L':
		cfg->lab = true;
		return 0;
	default:
		return httpd_bad_args("bad option", NULL);
	}
}

/* The refused port is bound before the listeners, so that PORT+1 is
 * tried before the kernel can hand it out; announced before the serving
 * line, which tells that everything is ready. */
static int httpd_lab_refused(const struct server_config *cfg)
{
	uint16_t want = cfg->port && cfg->port < 65535 ? cfg->port + 1 : 0;
	int port = lab_refused_open(cfg->addrs, cfg->naddrs, want, cfg->default_addrs);

	if (port < 0) {
		fprintf(stderr, "tcplife-httpd: lab refused port: %s\n", strerror(-port));
		return 1;
	}
	printf("tcplife-httpd: lab scenarios under /lab/; refused port %d (bound, not "
	       "listening: a SYN there is answered RST, ACK)\n",
	       port);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"no-sandbox", no_argument, NULL, 'S'},
	    {"lab", no_argument, NULL, 'L'},
	    {NULL, 0, NULL, 0},
	};
	struct server_config cfg = {.port = HTTPD_DEFAULT_PORT,
				    .timeout_s = HTTPD_DEFAULT_TIMEOUT,
				    .max_conns = HTTPD_DEFAULT_MAX_CONNS};
	struct httpd_confine confine;
	const char *user = NULL;
	bool sandbox = true;
	char docroot[PATH_MAX], what[128];
	int opt, err;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":l:p:r:t:c:u:qh", longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(httpd_usage, stdout);
			return 0;
		}
		if (opt == 'V') {
			printf("tcplife-httpd %s\n", TL_VERSION);
			return 0;
		}
		if (opt == ':')
			return httpd_bad_args("option needs a value", argv[optind - 1]);
		if (opt == '?')
			return httpd_bad_args("unknown option", argv[optind - 1]);
		if (opt == 'u') {
			user = optarg;
			continue;
		}
		if (opt == 'S') {
			sandbox = false;
			continue;
		}
		err = httpd_option(&cfg, opt, optarg);
		if (err)
			return err;
	}
	if (optind < argc)
		return httpd_bad_args("unexpected argument", argv[optind]);
	if (cfg.naddrs == 0) {
		cfg.addrs[cfg.naddrs++] = "127.0.0.1";
		cfg.addrs[cfg.naddrs++] = "::1";
		cfg.default_addrs = true;
	}
	if (!cfg.docroot) {
		httpd_default_docroot(docroot, sizeof(docroot));
		cfg.docroot = docroot;
	}
	err = httpd_confine_init(&confine, user, sandbox);
	if (err)
		return httpd_bad_args(err == -EPERM ? "only root can change user" : "no such user",
				      user ? user : "nobody");
	if (cfg.lab) {
		err = httpd_lab_refused(&cfg);
		if (err)
			return err;
	}
	cfg.confine = httpd_confine;
	cfg.confine_ctx = &confine;
	err = server_run(&cfg, what, sizeof(what));
	if (err) {
		fprintf(stderr, "tcplife-httpd: %s: %s\n", what, strerror(-err));
		return 1;
	}
	return 0;
}
