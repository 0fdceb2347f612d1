/*
 * docs.c: the documentation the API serves itself: the OpenAPI 3 document
 * (src/serve/openapi.json, compiled into the binary) at /openapi.json, and Swagger UI
 * (npm swagger-ui-dist, installed from web/api-docs/package-lock.json) at /docs, read
 * into memory at start from a fixed list of files: nothing else on disk is reachable.
 */
#include "docs.h"

#include <stdlib.h>
#include <string.h>

/* the document, embedded by the assembler (the path is relative to the repository root,
 * where make runs the compiler) */
__asm__(".section .rodata\n"
        ".global api_openapi_start\n"
        ".global api_openapi_end\n"
        ".balign 16\n"
        "api_openapi_start:\n"
        ".incbin \"src/serve/openapi.json\"\n"
        "api_openapi_end:\n"
        ".byte 0\n"
        ".previous\n");
extern const char api_openapi_start[];
extern const char api_openapi_end[];

const char *api_openapi_json(size_t *len)
{
    *len = (size_t)(api_openapi_end - api_openapi_start);
    return api_openapi_start;
}

static const char _index_html[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<title>creditscore API</title>\n"
    "<link rel=\"stylesheet\" href=\"/docs/swagger-ui.css\">\n"
    "<link rel=\"icon\" type=\"image/png\" href=\"/docs/favicon-32x32.png\">\n"
    "</head>\n<body>\n<div id=\"swagger-ui\"></div>\n"
    "<script src=\"/docs/swagger-ui-bundle.js\"></script>\n"
    "<script src=\"/docs/swagger-ui-standalone-preset.js\"></script>\n"
    "<script src=\"/docs/swagger-initializer.js\"></script>\n"
    "</body>\n</html>\n";

static const char _init_js[] =
    "window.onload = function () {\n"
    "  window.ui = SwaggerUIBundle({\n"
    "    url: \"/openapi.json\", dom_id: \"#swagger-ui\", deepLinking: true,\n"
    "    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],\n"
    "    plugins: [SwaggerUIBundle.plugins.DownloadUrl], layout: \"StandaloneLayout\"\n"
    "  });\n"
    "};\n";

static const struct {
    const char *name;
    const char *type;
} _files[] = {
    {"swagger-ui.css", "text/css; charset=utf-8"},
    {"swagger-ui-bundle.js", "application/javascript; charset=utf-8"},
    {"swagger-ui-standalone-preset.js", "application/javascript; charset=utf-8"},
    {"favicon-32x32.png", "image/png"},
    {"favicon-16x16.png", "image/png"},
};
#define N_FILES (sizeof _files / sizeof _files[0])

struct api_docs {
    int present;                /* 1 when the folder had the files */
    char *data[N_FILES];
    size_t len[N_FILES];
};

static char *_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cs_buf b = {0};
    char chunk[65536];
    size_t n;
    if (!f) return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (cs_buf_append(&b, chunk, n, NULL) != CS_OK) break;
    if (ferror(f) || !feof(f)) {
        fclose(f);
        cs_buf_free(&b);
        return NULL;
    }
    fclose(f);
    *len = b.len;
    return cs_buf_take(&b);
}

api_docs *api_docs_load(const char *dir, cs_err *err)
{
    api_docs *d = cs_calloc(1, sizeof *d, err);
    if (!d || !dir) return d;
    for (size_t i = 0; i < N_FILES; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, _files[i].name);
        d->data[i] = _slurp(path, &d->len[i]);
        if (!d->data[i] && i < 3) {     /* css and the two scripts are required */
            cs_err_set(err, CS_EIO, "%s: cannot read (is swagger-ui-dist installed there?)", path);
            api_docs_free(d);
            return NULL;
        }
    }
    d->present = 1;
    return d;
}

void api_docs_free(api_docs *d)
{
    if (!d) return;
    for (size_t i = 0; i < N_FILES; i++) free(d->data[i]);
    free(d);
}

int api_docs_get(const api_docs *d, const char *name, const void **data, size_t *len, const char **type)
{
    if (!d || !d->present) return 0;
    if (!strcmp(name, "") || !strcmp(name, "index.html")) {
        *data = _index_html;
        *len = sizeof _index_html - 1;
        *type = "text/html; charset=utf-8";
        return 1;
    }
    if (!strcmp(name, "swagger-initializer.js")) {
        *data = _init_js;
        *len = sizeof _init_js - 1;
        *type = "application/javascript; charset=utf-8";
        return 1;
    }
    for (size_t i = 0; i < N_FILES; i++)
        if (!strcmp(name, _files[i].name) && d->data[i]) {
            *data = d->data[i];
            *len = d->len[i];
            *type = _files[i].type;
            return 1;
        }
    return 0;
}
