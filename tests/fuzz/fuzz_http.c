/*
 * fuzz_http.c: libFuzzer target for the HTTP layer as a whole: the bytes go over a real TCP
 * socket to a running `serve` (API, a small hand-built model, no audit log) or `dashboard`
 * (forwarding to that API; its own folder with an index page), the first byte choosing
 * which; the rest is sent, the write side shut, the answer read until the server closes or
 * 2 s pass. Must hold: no crash, leak or undefined behaviour in either server (the front
 * end's parser, the canonical request, the library behind it, the handlers), every answer
 * starts with an HTTP/1.1 status line, and both servers still answer /health. `make fuzz`
 * runs it; tests/e2e/test_fuzz_corpus.sh replays its corpus.
 */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dash/dash.h"
#include "model/model.h"
#include "serve/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[3] = {"EXT_SOURCE_2", "AMT_CREDIT", "DAYS_BIRTH"};
static api_server *api;
static dash_server *dash;
static int ports[2];

static void _die(const char *what, const cs_err *err)
{
    fprintf(stderr, "fuzz_http: %s: %s\n", what, err ? err->msg : "");
    abort();
}

/* a two-tree model over three features (as tests/unit/test_serve_server.c) */
static void _write_model(const char *path)
{
    lrn_model *l = lrn_model_create(LRN_GBDT, 3, NULL);
    tree_node t0[3] = {{0, 1, 2, 1, 0.5, 0, 100, 5}, {-1, -1, -1, 0, 0, 0.4, 60, 0}, {-1, -1, -1, 0, 0, -0.6, 40, 0}};
    feat_matrix *fm = feat_matrix_create(40, 3, NULL);
    ev_calib *cal = ev_calib_fit(EV_CALIB_NONE, NULL, NULL, 0, NULL);
    double prob[40];
    size_t rows[40];
    mf_parts p;
    mf_reference *ref;
    cs_err err = {0};
    l->base_score = -1.5;
    l->n_trees = 1;
    l->trees = calloc(1, sizeof *l->trees);
    l->trees[0].n_nodes = 3;
    l->trees[0].nodes = malloc(sizeof t0);
    memcpy(l->trees[0].nodes, t0, sizeof t0);
    for (int j = 0; j < 3; j++) fm->names[j] = strdup(names[j]);
    for (int i = 0; i < 40; i++) {
        fm->ids[i] = 100000 + i;
        fm->target[i] = i % 4 == 0;
        fm->values[i] = (i % 10) / 10.0;
        fm->values[40 + i] = 1e5 * (i % 9);
        fm->values[80 + i] = -10000 - 300.0 * i;
        double x[3] = {fm->values[i], fm->values[40 + i], fm->values[80 + i]};
        rows[i] = (size_t)i;
        prob[i] = lrn_raw_to_proba(l, lrn_predict_raw(l, x));
    }
    if (!(ref = mf_reference_build(fm, rows, 40, prob, 0.3, 20, 1, &err))) _die("reference", &err);
    memset(&p, 0, sizeof p);
    p.name = "fuzz";
    p.version = "1";
    p.data_digest = "h64:0000000000000000";
    p.n_train = 40;
    p.positive_rate = 0.25;
    p.n_feats = 3;
    p.feat_names = names;
    p.learner = l;
    p.params_json = "{}";
    p.calib = cal;
    p.threshold = 0.3;
    p.cost = EV_COST_DEFAULT;
    p.reference = ref;
    p.expected_value = -1.5;
    if (mf_write(&p, path, &err) != CS_OK) _die("write the model", &err);
    mf_reference_free(ref);
    ev_calib_free(cal);
    lrn_model_free(l);
    feat_matrix_free(fm);
}

static void _start(void)
{
    static char dir[] = "/tmp/fuzz_http_XXXXXX";
    char model[96], web[96], index[128], url[64];
    api_config ac = api_config_default();
    dash_config dc = dash_config_default();
    cs_err err = {0};
    FILE *f;
    if (!mkdtemp(dir)) _die("mkdtemp", NULL);
    snprintf(model, sizeof model, "%s/m.csm", dir);
    snprintf(web, sizeof web, "%s/web", dir);
    snprintf(index, sizeof index, "%s/index.html", web);
    _write_model(model);
    if (mkdir(web, 0700) != 0 || !(f = fopen(index, "w"))) _die("web folder", NULL);
    fputs("<!doctype html><title>fuzz</title>\n", f);
    fclose(f);
    ac.port = 0;
    ac.threads = 1;
    ac.model_path = model;
    ac.window = 0;
    ac.drain_s = 0;
    ac.request_timeout_s = 2;
    if (!(api = api_server_create(&ac, &err)) || api_server_start(api, &err) != CS_OK) _die("serve", &err);
    ports[0] = api_server_port(api);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ports[0]);
    dc.port = 0;
    dc.threads = 1;
    dc.api_url = url;
    dc.web_root = web;
    dc.api_timeout_s = 2;
    dc.request_timeout_s = 2;
    if (!(dash = dash_start(&dc, &err))) _die("dashboard", &err);
    ports[1] = dash_port(dash);
}

/* a connected socket to 127.0.0.1:port. Each exchange comes from its own address of
 * 127.0.0.0/8 (127.2.x.y, turning over every 62,500 exchanges): thousands of exchanges a
 * second from one address reuse its ephemeral ports' 4-tuples while they are still in
 * TIME_WAIT (the harness closes first: it shuts its write side), and a CI run's connect
 * failed after 61,000 of them. A failed connect is retried for up to a second before the
 * harness gives up, naming the errno: a server that stopped listening still fails it. */
static int _connect(int port)
{
    static unsigned long n;
    struct sockaddr_in a, b;
    int e = 0;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int attempt = 0; attempt < 20; attempt++) {
        unsigned long k = n++ % 62500;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
        if (fd < 0) {
            e = errno;
            break;
        }
        memset(&b, 0, sizeof b);
        b.sin_family = AF_INET;
        b.sin_addr.s_addr = htonl(0x7f020000u | (uint32_t)(k / 250) << 8 | (uint32_t)(k % 250 + 1));
        /* closed with a reset when the harness stops waiting before the server closed */
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        if (bind(fd, (struct sockaddr *)&b, sizeof b) == 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
            return fd;
        e = errno;
        close(fd);
        usleep(50000);
    }
    fprintf(stderr, "fuzz_http: connect to port %d: %s\n", port, strerror(e));
    abort();
}

/* send, shut the write side, read the answer; returns its length (out holds its start) */
static size_t _exchange(int port, const uint8_t *data, size_t size, char *out, size_t cap)
{
    int fd = _connect(port);
    size_t n = 0, sent = 0;
    char buf[16384];
    while (sent < size) {
        ssize_t w = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (w <= 0) break;      /* the server may close early (a refusal) */
        sent += (size_t)w;
    }
    shutdown(fd, SHUT_WR);
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        ssize_t r;
        if (poll(&p, 1, 2000) <= 0) break;
        r = recv(fd, buf, sizeof buf, 0);
        if (r <= 0) break;
        if (n < cap) memcpy(out + n, buf, (size_t)r < cap - n ? (size_t)r : cap - n);
        n += (size_t)r;
    }
    close(fd);
    return n;
}

/* the server on port still answers req with a 200: tried 10 times over about 5 s before the
 * harness gives up, printing what it got (on a loaded machine one answer can take longer
 * than the 2 s an exchange waits; a server that stopped answering fails every try) */
static void _healthy(const char *who, int port, const uint8_t *req, size_t len)
{
    char head[64];
    size_t n = 0;
    for (int attempt = 0; attempt < 10; attempt++) {
        if ((n = _exchange(port, req, len, head, sizeof head)) >= 12 && !memcmp(head, "HTTP/1.1 200", 12)) return;
        usleep(500000);
    }
    fprintf(stderr, "fuzz_http: %s stopped answering /health (last answer: %zu bytes: %.*s)\n", who, n,
            (int)(n < sizeof head ? n : sizeof head), head);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned long runs;
    char head[64];
    size_t n;
    if (!api) _start();
    if (size < 1) return 0;
    n = _exchange(ports[data[0] & 1], data + 1, size - 1, head, sizeof head);
    if (n && (n < 12 || memcmp(head, "HTTP/1.1 ", 9))) {
        fprintf(stderr, "fuzz_http: an answer that is not HTTP/1.1: %.*s\n", (int)(n < 40 ? n : 40), head);
        abort();
    }
    if (++runs % 64 == 0 || getenv("FUZZ_HTTP_CHECK")) {
        static const uint8_t health[] = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        static const uint8_t dhealth[] = "GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        _healthy("the API", ports[0], health, sizeof health - 1);
        _healthy("the dashboard", ports[1], dhealth, sizeof dhealth - 1);
    }
    return 0;
}
