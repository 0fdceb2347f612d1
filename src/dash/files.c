/*
 * files.c: safe mapping of request paths to the dashboard's files, and their MIME types.
 */
#include "dash.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int _hex(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int dash_resolve(const char *root_real, const char *url_path, char *out, size_t cap)
{
    char dec[PATH_MAX], joined[2 * PATH_MAX + 16], real[PATH_MAX];
    size_t n = 0, root_len = strlen(root_real);
    struct stat sb;

    /* percent-decode once; anything odd is refused rather than guessed */
    for (const char *p = url_path; *p; p++) {
        int c = (unsigned char)*p;
        if (c == '%') {
            int h = _hex(p[1]), l = h >= 0 ? _hex(p[2]) : -1;
            if (h < 0 || l < 0) return 403;
            c = h * 16 + l;
            p += 2;
        }
        if (c == 0 || c == '\\' || n + 1 >= sizeof dec) return 403;
        dec[n++] = (char)c;
    }
    dec[n] = '\0';
    if (dec[0] != '/') return 403;
    if (strstr(dec, "/..") || strstr(dec, "../") || !strcmp(dec, "..")) return 403;
    if (!strcmp(dec, "/")) snprintf(dec, sizeof dec, "/index.html");
    snprintf(joined, sizeof joined, "%s%s", root_real, dec);
    if (!realpath(joined, real)) return 404;
    /* symlinks are followed: the final file must still lie inside the root */
    if (strncmp(real, root_real, root_len) != 0 || (real[root_len] != '/' && real[root_len] != '\0')) return 403;
    if (stat(real, &sb) != 0) return 404;
    if (!S_ISREG(sb.st_mode)) return S_ISDIR(sb.st_mode) ? 403 : 404;
    if (strlen(real) + 1 > cap) return 403;
    memcpy(out, real, strlen(real) + 1);
    return 0;
}

const char *dash_mime(const char *path)
{
    static const struct { const char *ext, *type; } types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
        {".ico", "image/x-icon"}, {".map", "application/json"}, {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"}};
    const char *dot = strrchr(path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (!strcasecmp(dot, types[i].ext)) return types[i].type;
    return "application/octet-stream";
}
