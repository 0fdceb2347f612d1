/*
 * dash.h: the dashboard's own small server (`creditscore dashboard`), a process apart from
 * the scoring API. It serves the page's static files (HTML, CSS, JavaScript, the charting
 * library installed from npm) from one folder and nothing outside it, and forwards the
 * page's calls under /api/ to the API (/api/v1/clients -> API_URL/v1/clients), adding
 * the API key when it holds one, so that the page talks to one origin only and its
 * Content-Security-Policy can forbid everything else.
 *
 *   dash_config cfg = dash_config_default();
 *   cfg.api_url = "http://127.0.0.1:8000"; cfg.web_root = "web";
 *   dash_server *d = dash_start(&cfg, &err);
 *   ... dash_stop(d);
 */
#ifndef CS_DASH_DASH_H
#define CS_DASH_DASH_H

#include "../base/cs.h"

typedef struct dash_config {
    const char *host;           /* address to bind; default 127.0.0.1 */
    int port;                   /* 0 = any free port; default 8501 */
    const char *api_url;        /* the API's base URL, http:// only (required) */
    const char *web_root;       /* the folder of the page's files (required) */
    const char *api_key;        /* sent to the API as X-API-Key, or NULL */
    int threads;                /* worker threads; default 4 */
    size_t max_body;            /* largest body forwarded to the API; default 1 MiB */
    double api_timeout_s;       /* the API must answer within this; default 10 */
    int max_conns;              /* simultaneous connections; default 256 */
    int max_conns_per_addr;     /* of them from one client address; default 64 */
    double request_timeout_s;   /* a request must arrive whole within this of the connection's
                                 * start or of the previous answer (the API's deadline); default 30 */
} dash_config;

dash_config dash_config_default(void);

typedef struct dash_server dash_server;

/* Check the configuration (the web root exists and holds index.html, the API URL parses)
 * and start listening. */
dash_server *dash_start(const dash_config *cfg, cs_err *err);

/* The port bound. */
int dash_port(const dash_server *d);

/* Stop and free. NULL is allowed. */
void dash_stop(dash_server *d);

/* ---- the pieces, exposed for tests --------------------------------------------------- */

/* Map a request path to a file under root_real (an absolute, symlink-free folder):
 * "/" -> index.html. The path is percent-decoded once; a path with "..", a NUL, a
 * backslash, or that resolves (symlinks included) outside the root gives 403; a missing
 * file 404. On 0, out holds the absolute file path. */
int dash_resolve(const char *root_real, const char *url_path, char *out, size_t cap);

/* The Content-Type of a file name, from its extension. */
const char *dash_mime(const char *path);

/* A parsed http://host:port/prefix URL. */
typedef struct dash_url {
    char host[256];
    int port;
    char prefix[256];           /* path prefix without a trailing slash ("" for none) */
} dash_url;

cs_status dash_url_parse(const char *url, dash_url *out, cs_err *err);

/* Forward one request to the API and collect its answer (HTTP/1.1, Connection: close).
 * On transport failure (refused, timeout, malformed answer) returns an error; the server
 * turns it into a 502 with a JSON error that the page shows. *body is malloc'd. */
cs_status dash_forward(const dash_url *api, const char *method, const char *path_and_query,
                       const char *api_key, const char *request_id, const char *body,
                       size_t body_len, double timeout_s, int *status, char **resp_body,
                       size_t *resp_len, char *content_type, size_t ct_cap, cs_err *err);

/* ---- the page's weight (cache.c) ------------------------------------------------------
 * Each file is answered with a content ETag (a request whose If-None-Match holds it gets 304
 * and no body) and gzip when the browser accepts it. index.html names its local scripts and
 * styles with "?v=<etag>" added; a request carrying v= is cached for a year (immutable),
 * everything else is revalidated (no-cache). API answers (GET and POST) are gzipped too, and
 * a GET answer carries the ETag of its body. */
#define DASH_ETAG_LEN 24

typedef struct dash_assets dash_assets;

/* The files of root_real (absolute, symlink-free), held in memory as they are asked for. */
dash_assets *dash_assets_create(const char *root_real, cs_err *err);
void dash_assets_free(dash_assets *a);

/* One file's body, ETag and gzip copy (gz NULL when not worth it), owned by the caller. */
typedef struct dash_asset {
    char *data, *gz;
    size_t len, gz_len;
    char etag[DASH_ETAG_LEN];
} dash_asset;

/* The answer for the absolute path (from dash_resolve): a copy of the cached file, rebuilt
 * when its size or modification time changed; index.html with its references versioned.
 * Thread-safe. */
cs_status dash_assets_get(dash_assets *a, const char *path, dash_asset *out, cs_err *err);
void dash_asset_clear(dash_asset *x);

/* A strong ETag of bytes: "\"<16 hex digits of their SHA-256>\"". */
void dash_etag(const void *data, size_t len, char out[DASH_ETAG_LEN]);
/* 1 when an If-None-Match header value names etag (or is "*"). NULL gives 0. */
int dash_etag_match(const char *if_none_match, const char *etag);
/* 1 when an Accept-Encoding header value accepts gzip (not "gzip;q=0"). NULL gives 0. */
int dash_accepts_gzip(const char *accept_encoding);
/* The gzip stream of data (*out malloc'd). */
cs_status dash_gzip(const void *data, size_t len, char **out, size_t *out_len, cs_err *err);

#endif /* CS_DASH_DASH_H */
