/*
 * progress.c: the progress bar for long work. On a terminal it redraws one line in place;
 * anywhere else it prints a plain line at every 10% so logs stay readable.
 */
#include "cs.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct cs_progress {
    FILE *out;          /* borrowed; NULL = silent */
    char label[64];
    uint64_t total;
    int tty;            /* 1 when out is a terminal */
    double t_start;
    double t_last_draw;
    int last_decile;    /* plain mode: last 10% step printed */
};

double cs_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

cs_progress *cs_progress_create(FILE *out, const char *label, uint64_t total)
{
    cs_progress *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->out = out;
    snprintf(p->label, sizeof p->label, "%s", label ? label : "");
    p->total = total ? total : 1;
    p->tty = out && isatty(fileno(out));
    p->t_start = cs_now();
    p->t_last_draw = -1.0;
    p->last_decile = -1;
    return p;
}

static void _fmt_secs(char *buf, size_t cap, double s)
{
    if (s < 0) s = 0;
    if (s < 60) snprintf(buf, cap, "%.0fs", s);
    else if (s < 3600) snprintf(buf, cap, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else snprintf(buf, cap, "%dh%02dm", (int)(s / 3600), ((int)s % 3600) / 60);
}

static void _draw(cs_progress *p, uint64_t done, const char *note, int final)
{
    double frac = (double)done / (double)p->total;
    double elapsed = cs_now() - p->t_start;
    char when[32];

    if (frac > 1) frac = 1;
    if (final) {
        _fmt_secs(when, sizeof when, elapsed);
    } else if (frac > 0.001) {
        char left[24];
        _fmt_secs(left, sizeof left, elapsed / frac - elapsed);
        snprintf(when, sizeof when, "%s left", left);
    } else {
        snprintf(when, sizeof when, "...");
    }
    if (p->tty) {
        char bar[31];
        int fill = (int)(frac * 30);
        memset(bar, '#', (size_t)fill);
        memset(bar + fill, '.', (size_t)(30 - fill));
        bar[30] = '\0';
        fprintf(p->out, "\r\033[K%s [%s] %3d%% %s%s%s", p->label, bar, (int)(frac * 100), when,
                note ? "  " : "", note ? note : "");
        if (final) fputc('\n', p->out);
    } else {
        fprintf(p->out, "%s: %3d%% %s%s%s\n", p->label, (int)(frac * 100), when,
                note ? "  " : "", note ? note : "");
    }
    fflush(p->out);
}

void cs_progress_update(cs_progress *p, uint64_t done, const char *note)
{
    if (!p || !p->out) return;
    if (p->tty) {
        double now = cs_now();
        if (p->t_last_draw >= 0 && now - p->t_last_draw < 0.1) return;
        p->t_last_draw = now;
        _draw(p, done, note, 0);
    } else {
        int decile = (int)(10.0 * (double)done / (double)p->total);
        if (decile > 9) decile = 9;     /* 100% is printed by finish */
        if (decile > p->last_decile && decile > 0) {
            p->last_decile = decile;
            _draw(p, done, note, 0);
        }
    }
}

void cs_progress_finish(cs_progress *p, const char *note)
{
    if (!p || !p->out) return;
    _draw(p, p->total, note, 1);
}

void cs_progress_free(cs_progress *p)
{
    free(p);
}
