/*
 * front.c: the front's event loop (one thread, epoll): accept with the connection limits,
 * read each request through the strict parser (parse.c), hand it in canonical form to the
 * server over the connection's socket pair, relay the answer back while following its
 * framing (so that the next request is read only once the answer has left), and enforce
 * the request deadline. A refused request is answered with the JSON error, the connection
 * half-closed and drained briefly (a lingering close, so the answer is not lost to a reset
 * when unread bytes remain), then closed.
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK 65536
#define MAX_PIPELINED 65536         /* bytes read ahead while an answer is pending */
#define MAX_RELAY (4u << 20)        /* answer bytes buffered towards a slow client */
#define LINGER_S 2.0
#define MAX_RESP_HEAD 65536

enum { S_HEAD, S_BODY, S_WAIT, S_CLOSING, S_LINGER };
enum { R_IDLE, R_HEAD, R_BODY, R_CLOSE };

typedef struct fconn fconn;
typedef struct fend {
    fconn *c;
    int which;                      /* 0 client, 1 server */
} fend;

struct fconn {
    int cfd, bfd;
    struct sockaddr_storage addr;
    socklen_t alen;
    fend ends[2];
    unsigned ev[2];                 /* the epoll interest set now */
    cs_buf in;                      /* client bytes read, from in_off on not yet used */
    size_t in_off;
    cs_buf cout, bout;              /* to the client, to the server */
    size_t cout_off, bout_off;
    int st;
    int c_eof, b_eof;
    double t_begin;                 /* start of the wait for the current request */
    double t_last;                  /* last byte either way */
    double t_linger;
    http_head head;
    cs_buf body;
    http_chunks ch;
    int rs;                         /* the answer being relayed */
    cs_buf rhead;
    unsigned long long rleft;
    int resp_is_head;
    int dead;                       /* closed: freed after the current round of events */
    fconn *prev, *next;
};

struct http_front {
    http_front_config cfg;
    http_limits lim;
    int lfd, ep, wfd, port;
    fend wake_tag, listen_tag;
    pthread_t th;
    int th_on;
    atomic_int stop, close_listener, listener_closed;
    atomic_ullong accepted, refused, rejected, timed_out;
    atomic_int open;
    fconn *conns, *dead;
    uint64_t id_seed, next_id;
};

http_front_config http_front_config_default(void)
{
    http_front_config c;
    memset(&c, 0, sizeof c);
    c.host = "127.0.0.1";
    c.max_conns = 1024;
    c.max_conns_per_addr = 64;
    c.request_timeout_s = 30;
    c.idle_timeout_s = 30;
    c.max_body = 1u << 20;
    c.max_target = 8192;
    c.max_head = 65536;
    c.max_headers = 100;
    return c;
}

static void _new_id(http_front *f, char out[72])
{
    uint64_t n = f->next_id++;
    snprintf(out, 72, "%016llx", (unsigned long long)cs_hash64(&n, sizeof n, f->id_seed));
}

static void _interest(http_front *f, fconn *c, int which, unsigned ev)
{
    int fd = which ? c->bfd : c->cfd;
    struct epoll_event e;
    if (fd < 0 || c->ev[which] == ev) return;
    memset(&e, 0, sizeof e);
    e.events = ev;
    e.data.ptr = &c->ends[which];
    epoll_ctl(f->ep, EPOLL_CTL_MOD, fd, &e);
    c->ev[which] = ev;
}

static void _close(http_front *f, fconn *c)
{
    if (c->dead) return;
    if (c->cfd >= 0) close(c->cfd);     /* closing removes it from the epoll set */
    if (c->bfd >= 0) close(c->bfd);
    c->cfd = c->bfd = -1;
    if (c->prev) c->prev->next = c->next;
    else f->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    c->dead = 1;
    c->next = f->dead;      /* an event of this round may still name it */
    f->dead = c;
    atomic_fetch_sub(&f->open, 1);
}

static void _free_dead(http_front *f)
{
    while (f->dead) {
        fconn *c = f->dead;
        f->dead = c->next;
        cs_buf_free(&c->in);
        cs_buf_free(&c->cout);
        cs_buf_free(&c->bout);
        cs_buf_free(&c->body);
        cs_buf_free(&c->head.canon);
        cs_buf_free(&c->rhead);
        free(c);
    }
}

/* send what is pending to one side; -1 when that side is gone */
static int _flush(int fd, cs_buf *b, size_t *off)
{
    while (*off < b->len) {
        ssize_t w = send(fd, b->data + *off, b->len - *off, MSG_NOSIGNAL);
        if (w > 0) *off += (size_t)w;
        else if (w < 0 && errno == EINTR) continue;
        else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        else return -1;
    }
    b->len = 0;
    *off = 0;
    return 0;
}

/* answer a refusal and close the connection (after the answer has left) */
static void _refuse(http_front *f, fconn *c, const http_refusal *r)
{
    char rid[72];
    if (c->head.request_id[0]) snprintf(rid, sizeof rid, "%s", c->head.request_id);
    else _new_id(f, rid);
    http_refusal_answer(r, rid, &c->cout);
    c->st = S_CLOSING;
    if (c->bfd >= 0) {          /* the server sees the end of its connection */
        close(c->bfd);
        c->bfd = -1;
    }
    atomic_fetch_add(&f->rejected, 1);
}

/* the request is in: the canonical form to the server */
static void _forward(http_front *f, fconn *c)
{
    http_refusal r;
    cs_status st = cs_buf_append(&c->bout, c->head.canon.data, c->head.canon.len, NULL);
    if (!st && (c->head.content_length >= 0 || c->head.chunked))
        st = cs_buf_printf(&c->bout, NULL, "Content-Length: %zu\r\n", c->body.len);
    if (!st) st = cs_buf_puts(&c->bout, "\r\n", NULL);
    if (!st && c->body.len) st = cs_buf_append(&c->bout, c->body.data, c->body.len, NULL);
    cs_buf_free(&c->head.canon);
    cs_buf_free(&c->body);
    if (st) {
        memset(&r, 0, sizeof r);
        r.status = 503;
        r.code = "overloaded";
        snprintf(r.message, sizeof r.message, "out of memory");
        _refuse(f, c, &r);
        return;
    }
    c->st = S_WAIT;
    c->rs = R_HEAD;
    c->resp_is_head = c->head.is_head;
    c->rhead.len = 0;
}

/* parse what the client sent, as far as the state allows */
static void _process(http_front *f, fconn *c)
{
    http_refusal r;
    for (;;) {
        const char *p = c->in.data ? c->in.data + c->in_off : "";
        size_t n = c->in.len - c->in_off;
        if (c->st == S_HEAD) {
            int rc;
            if (!n) break;
            rc = http_parse_head(p, n, &f->lim, &c->head, &r);
            if (rc < 0) return _refuse(f, c, &r);
            if (rc == 0) break;
            c->in_off += c->head.head_len;
            c->st = S_BODY;
            c->body.len = 0;
            memset(&c->ch, 0, sizeof c->ch);
            if (c->head.expect_continue && (c->head.chunked || c->head.content_length > 0) &&
                c->in.len == c->in_off)
                cs_buf_puts(&c->cout, "HTTP/1.1 100 Continue\r\n\r\n", NULL);
            continue;
        }
        if (c->st == S_BODY) {
            if (c->head.chunked) {
                size_t used;
                int rc = http_chunks_feed(&c->ch, p, n, f->lim.max_body, &c->body, &used, &r);
                c->in_off += used;
                if (rc < 0) return _refuse(f, c, &r);
                if (rc == 0) break;
            } else if (c->head.content_length > 0) {
                size_t need = (size_t)c->head.content_length - c->body.len, k = n < need ? n : need;
                if (k && cs_buf_append(&c->body, p, k, NULL)) {
                    memset(&r, 0, sizeof r);
                    r.status = 503;
                    r.code = "overloaded";
                    snprintf(r.message, sizeof r.message, "out of memory");
                    return _refuse(f, c, &r);
                }
                c->in_off += k;
                if (c->body.len < (size_t)c->head.content_length) break;
            }
            _forward(f, c);
        }
        break;
    }
    if (c->in_off == c->in.len) c->in.len = c->in_off = 0;
    else if (c->in_off > 65536) {
        memmove(c->in.data, c->in.data + c->in_off, c->in.len - c->in_off);
        c->in.len -= c->in_off;
        c->in_off = 0;
    }
}

/* the answer is out: wait for the next request */
static void _answer_done(http_front *f, fconn *c)
{
    c->rs = R_IDLE;
    c->st = S_HEAD;
    c->t_begin = cs_now();
    c->rhead.len = 0;
    memset(&c->head, 0, sizeof c->head);
    _process(f, c);
}

/* follow the framing of the server's answer through n bytes of it */
static void _track_answer(http_front *f, fconn *c, const char *p, size_t n)
{
    while (n) {
        if (c->rs == R_HEAD) {
            size_t from = c->rhead.len > 3 ? c->rhead.len - 3 : 0, k;
            char *e;
            /* take bytes up to the end of the head */
            if (cs_buf_append(&c->rhead, p, n, NULL) || c->rhead.len > MAX_RESP_HEAD) {
                c->rs = R_CLOSE;
                return;
            }
            e = memmem(c->rhead.data + from, c->rhead.len - from, "\r\n\r\n", 4);
            if (!e) return;
            k = (size_t)(e + 4 - c->rhead.data);            /* head bytes */
            size_t rest = c->rhead.len - k;                 /* of this call's bytes, after the head */
            p += n - rest;
            n = rest;
            {
                int status = 0;
                long long clen = -1;
                c->rhead.data[k - 2] = '\0';
                if (sscanf(c->rhead.data, "HTTP/1.%*d %d", &status) != 1) {
                    c->rs = R_CLOSE;
                    return;
                }
                for (char *l = strstr(c->rhead.data, "\r\n"); l; l = strstr(l + 2, "\r\n")) {
                    if (!strncasecmp(l + 2, "Content-Length:", 15)) clen = strtoll(l + 17, NULL, 10);
                    else if (!strncasecmp(l + 2, "Transfer-Encoding:", 18)) clen = -2;
                }
                c->rhead.len = 0;
                if (status >= 100 && status < 200) continue;            /* an interim answer */
                if (c->resp_is_head || status == 204 || status == 304 || clen == 0) {
                    _answer_done(f, c);
                } else if (clen > 0) {
                    c->rs = R_BODY;
                    c->rleft = (unsigned long long)clen;
                } else {
                    c->rs = R_CLOSE;    /* framed by the end of the connection */
                    return;
                }
            }
            continue;
        }
        if (c->rs == R_BODY) {
            size_t k = n < c->rleft ? n : (size_t)c->rleft;
            c->rleft -= k;
            p += k;
            n -= k;
            if (!c->rleft) _answer_done(f, c);
            continue;
        }
        return;     /* R_CLOSE, R_IDLE: relayed as they come */
    }
}

static void _update(http_front *f, fconn *c)
{
    unsigned evc = 0, evb = 0;
    if (c->st == S_CLOSING && c->cout.len == 0) {
        /* the answer is out: half-close, drain what the client still sends, then close */
        shutdown(c->cfd, SHUT_WR);
        c->st = S_LINGER;
        c->t_linger = cs_now() + LINGER_S;
    }
    if (c->st == S_LINGER) evc = EPOLLIN;
    else if (c->st != S_CLOSING && !c->c_eof &&
             (c->st != S_WAIT || c->in.len - c->in_off < MAX_PIPELINED))
        evc = EPOLLIN;
    if (c->cout.len) evc |= EPOLLOUT;
    if (c->bfd >= 0) {
        if (!c->b_eof && c->cout.len < MAX_RELAY) evb = EPOLLIN;
        if (c->bout.len) evb |= EPOLLOUT;
    }
    _interest(f, c, 0, evc);
    if (c->bfd >= 0) _interest(f, c, 1, evb);
}

/* 1 when the connection was closed */
static int _on_client(http_front *f, fconn *c, unsigned ev)
{
    if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        char buf[READ_CHUNK];
        for (int k = 0; k < 16; k++) {
            ssize_t r = recv(c->cfd, buf, sizeof buf, 0);
            if (r > 0) {
                c->t_last = cs_now();
                if (c->st == S_LINGER) continue;    /* drained */
                if (cs_buf_append(&c->in, buf, (size_t)r, NULL)) {
                    _close(f, c);
                    return 1;
                }
                if ((size_t)r < sizeof buf) break;
            } else if (r == 0) {
                c->c_eof = 1;
                break;
            } else if (errno == EINTR) {
                continue;
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            } else {
                _close(f, c);
                return 1;
            }
        }
        if (c->st == S_LINGER && c->c_eof) {
            _close(f, c);
            return 1;
        }
        if (c->st == S_HEAD || c->st == S_BODY) _process(f, c);
    }
    /* the client is gone with no request pending, or one cut short: what is still to
     * send leaves first */
    if (c->c_eof && (c->st == S_HEAD || c->st == S_BODY)) {
        if (!c->cout.len) {
            _close(f, c);
            return 1;
        }
        c->st = S_CLOSING;
    }
    if (c->bout.len && c->bfd >= 0 && _flush(c->bfd, &c->bout, &c->bout_off) < 0) {
        _close(f, c);
        return 1;
    }
    if (c->cout.len && _flush(c->cfd, &c->cout, &c->cout_off) < 0) {
        _close(f, c);
        return 1;
    }
    if (c->cout.len == 0 && c->b_eof && c->st != S_CLOSING && c->st != S_LINGER) {
        _close(f, c);           /* the server closed and everything it said has left */
        return 1;
    }
    _update(f, c);
    if (c->st == S_LINGER && c->c_eof) {
        _close(f, c);
        return 1;
    }
    return 0;
}

static int _on_server(http_front *f, fconn *c, unsigned ev)
{
    if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        char buf[READ_CHUNK];
        for (int k = 0; k < 16 && c->cout.len < MAX_RELAY; k++) {
            ssize_t r = recv(c->bfd, buf, sizeof buf, 0);
            if (r > 0) {
                c->t_last = cs_now();
                if (cs_buf_append(&c->cout, buf, (size_t)r, NULL)) {
                    _close(f, c);
                    return 1;
                }
                _track_answer(f, c, buf, (size_t)r);
                if (c->st == S_CLOSING) break;
            } else if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
                c->b_eof = 1;
                break;
            } else if (errno != EINTR) {
                break;
            }
        }
    }
    return _on_client(f, c, 0);
}

static int _same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family) return 0;
    if (a->ss_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr == ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    if (a->ss_family == AF_INET6)
        return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
    return 0;
}

static void _refuse_conn(http_front *f, int fd, const char *msg)
{
    http_refusal r;
    cs_buf b = {0};
    char rid[72];
    memset(&r, 0, sizeof r);
    r.status = 503;
    r.code = "too_many_connections";
    snprintf(r.message, sizeof r.message, "%s", msg);
    _new_id(f, rid);
    if (!http_refusal_answer(&r, rid, &b)) (void)!send(fd, b.data, b.len, MSG_NOSIGNAL | MSG_DONTWAIT);
    cs_buf_free(&b);
    close(fd);
    atomic_fetch_add(&f->refused, 1);
}

static void _accept(http_front *f)
{
    for (int k = 0; k < 64; k++) {
        struct sockaddr_storage a;
        socklen_t al = sizeof a;
        int fd = accept4(f->lfd, (struct sockaddr *)&a, &al, SOCK_NONBLOCK | SOCK_CLOEXEC), sv[2], same = 0, one = 1;
        fconn *c;
        struct epoll_event e;
        if (fd < 0) return;
        if (atomic_load(&f->open) >= f->cfg.max_conns) {
            _refuse_conn(f, fd, "the server holds its maximum of connections; try again later");
            continue;
        }
        for (fconn *o = f->conns; o; o = o->next) same += _same_addr(&o->addr, &a);
        if (same >= f->cfg.max_conns_per_addr) {
            _refuse_conn(f, fd, "too many connections from your address; try again later");
            continue;
        }
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 || !(c = calloc(1, sizeof *c))) {
            _refuse_conn(f, fd, "the server is out of resources; try again later");
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
        c->cfd = fd;
        c->bfd = sv[0];
        c->addr = a;
        c->alen = al;
        c->ends[0].c = c->ends[1].c = c;
        c->ends[1].which = 1;
        c->t_begin = c->t_last = cs_now();
        /* the server's end goes to the library (which owns and closes it from now on) */
        if (f->cfg.deliver(f->cfg.ud, sv[1], (const struct sockaddr *)&a, al) != 0) {
            close(sv[0]);
            free(c);
            _refuse_conn(f, fd, "the server cannot take the connection now; try again later");
            continue;
        }
        c->next = f->conns;
        if (f->conns) f->conns->prev = c;
        f->conns = c;
        atomic_fetch_add(&f->open, 1);
        atomic_fetch_add(&f->accepted, 1);
        memset(&e, 0, sizeof e);
        e.events = EPOLLIN;
        e.data.ptr = &c->ends[0];
        epoll_ctl(f->ep, EPOLL_CTL_ADD, fd, &e);
        c->ev[0] = EPOLLIN;
        e.data.ptr = &c->ends[1];
        epoll_ctl(f->ep, EPOLL_CTL_ADD, c->bfd, &e);
        c->ev[1] = EPOLLIN;
    }
}

/* deadlines: a request cut short, a silent connection, a lingering close */
static void _sweep(http_front *f)
{
    double now = cs_now();
    fconn *next;
    for (fconn *c = f->conns; c; c = next) {
        next = c->next;
        if (c->st == S_LINGER) {
            if (now > c->t_linger) _close(f, c);
        } else if (c->st == S_HEAD || c->st == S_BODY) {
            if (f->cfg.request_timeout_s > 0 && now - c->t_begin > f->cfg.request_timeout_s) {
                if (c->st == S_HEAD && c->in.len == c->in_off) {
                    _close(f, c);       /* an idle keep-alive connection */
                } else {
                    http_refusal r;
                    memset(&r, 0, sizeof r);
                    r.status = 408;
                    r.code = "request_timeout";
                    snprintf(r.message, sizeof r.message, "the request did not arrive whole within %g s",
                             f->cfg.request_timeout_s);
                    atomic_fetch_add(&f->timed_out, 1);
                    _refuse(f, c, &r);
                    _on_client(f, c, 0);
                }
            } else if (now - c->t_last > f->cfg.idle_timeout_s) {
                _close(f, c);
            }
        } else if (c->st == S_CLOSING && now - c->t_last > f->cfg.idle_timeout_s) {
            _close(f, c);
        }
    }
}

static void *_loop(void *arg)
{
    http_front *f = arg;
    struct epoll_event evs[64];
    double last_sweep = cs_now();
    while (!atomic_load(&f->stop)) {
        int n = epoll_wait(f->ep, evs, 64, 100);
        for (int i = 0; i < n; i++) {
            fend *e = evs[i].data.ptr;
            if (e == &f->listen_tag) _accept(f);
            else if (e == &f->wake_tag) {
                uint64_t v;
                (void)!read(f->wfd, &v, sizeof v);
            } else if (e->c->dead) {
                continue;
            } else if (e->which) _on_server(f, e->c, evs[i].events);
            else _on_client(f, e->c, evs[i].events);
        }
        _free_dead(f);
        if (atomic_load(&f->close_listener) && f->lfd >= 0) {
            close(f->lfd);
            f->lfd = -1;
            atomic_store(&f->listener_closed, 1);
        }
        if (cs_now() - last_sweep > 0.1) {
            _sweep(f);
            _free_dead(f);
            last_sweep = cs_now();
        }
    }
    while (f->conns) _close(f, f->conns);
    _free_dead(f);
    return NULL;
}

http_front *http_front_start(const http_front_config *cfg, cs_err *err)
{
    http_front *f;
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    struct sockaddr *addr;
    socklen_t alen;
    struct epoll_event e;
    int one = 1;
    if (!cfg->deliver || cfg->max_conns < 1 || cfg->max_conns_per_addr < 1 || !cfg->host) {
        cs_err_set(err, CS_EINVAL, "front end settings out of range (connections >= 1, a host and a server to feed)");
        return NULL;
    }
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    if (inet_pton(AF_INET, cfg->host, &a4.sin_addr) == 1 || !strcmp(cfg->host, "localhost")) {
        if (!strcmp(cfg->host, "localhost")) a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)cfg->port);
        addr = (struct sockaddr *)&a4;
        alen = sizeof a4;
    } else if (inet_pton(AF_INET6, cfg->host, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)cfg->port);
        addr = (struct sockaddr *)&a6;
        alen = sizeof a6;
    } else {
        cs_err_set(err, CS_EINVAL, "--host '%s': give a numeric IPv4 or IPv6 address", cfg->host);
        return NULL;
    }
    if (!(f = cs_calloc(1, sizeof *f, err))) return NULL;
    f->cfg = *cfg;
    f->lim.max_body = cfg->max_body;
    f->lim.max_target = cfg->max_target;
    f->lim.max_head = cfg->max_head;
    f->lim.max_headers = cfg->max_headers;
    f->lfd = f->ep = f->wfd = -1;
    {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        f->id_seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40) ^ 0x66726f6e74ULL;
    }
    f->lfd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (f->lfd < 0) goto fail_errno;
    setsockopt(f->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (addr->sa_family == AF_INET6) setsockopt(f->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(f->lfd, addr, alen) != 0 || listen(f->lfd, 1024) != 0) goto fail_errno;
    {
        struct sockaddr_storage b;
        socklen_t bl = sizeof b;
        getsockname(f->lfd, (struct sockaddr *)&b, &bl);
        f->port = ntohs(b.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&b)->sin6_port : ((struct sockaddr_in *)&b)->sin_port);
    }
    if ((f->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 || (f->wfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) goto fail_errno;
    memset(&e, 0, sizeof e);
    e.events = EPOLLIN;
    e.data.ptr = &f->listen_tag;
    epoll_ctl(f->ep, EPOLL_CTL_ADD, f->lfd, &e);
    e.data.ptr = &f->wake_tag;
    epoll_ctl(f->ep, EPOLL_CTL_ADD, f->wfd, &e);
    if (pthread_create(&f->th, NULL, _loop, f) != 0) {
        cs_err_set(err, CS_EIO, "cannot start the front end's thread");
        http_front_free(f);
        return NULL;
    }
    f->th_on = 1;
    return f;
fail_errno:
    cs_err_set(err, CS_EIO, "cannot listen on %s:%d (%s)", cfg->host, cfg->port, strerror(errno));
    http_front_free(f);
    return NULL;
}

int http_front_port(const http_front *f) { return f ? f->port : 0; }

static void _wake(http_front *f)
{
    uint64_t one = 1;
    if (f->wfd >= 0) (void)!write(f->wfd, &one, sizeof one);
}

void http_front_close_listener(http_front *f)
{
    if (!f || !f->th_on) return;
    atomic_store(&f->close_listener, 1);
    _wake(f);
    for (int i = 0; i < 1000 && !atomic_load(&f->listener_closed); i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

void http_front_get_stats(http_front *f, http_front_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!f) return;
    out->accepted = atomic_load(&f->accepted);
    out->refused = atomic_load(&f->refused);
    out->rejected = atomic_load(&f->rejected);
    out->timed_out = atomic_load(&f->timed_out);
    out->open = atomic_load(&f->open);
}

void http_front_free(http_front *f)
{
    if (!f) return;
    if (f->th_on) {
        atomic_store(&f->stop, 1);
        _wake(f);
        pthread_join(f->th, NULL);
    }
    if (f->lfd >= 0) close(f->lfd);
    if (f->ep >= 0) close(f->ep);
    if (f->wfd >= 0) close(f->wfd);
    free(f);
}
