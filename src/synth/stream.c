/*
 * stream.c: the production stream of `creditscore synth --stream`: monthly cohorts of new
 * applicants after the training population, drifting gradually (and, if asked, with a
 * shock from one month on), each with an application time and an outcome that becomes
 * known with a delay. The rates are documented in docs/synth.md ("Production stream");
 * change them there too.
 *
 * Per month m (0-based) and drift scale D:
 *   credit quality t        mean -0.015 D m sd (EXT_SOURCE_1..3 and the history see it)
 *   goods price (credit)    x exp(0.02 D m)
 *   working applicants' age years above 20.6 x (1 - 0.012 D m)
 *   shock from month K      t a further -shock_size sd, default log-odds + shock_odds
 * Outcome: default within the window ~ Bernoulli(sigmoid(intercept + z)), the training
 * population's own model; a default happens in month on book k = 1..W with probability
 * proportional to k exp(-k / 4); it is observed then, a repaid loan at month W.
 */
#include "synth_int.h"

#include <math.h>
#include <string.h>

#define STREAM_T_PER_MONTH (-0.015)
#define STREAM_LOAN_PER_MONTH 0.02
#define STREAM_AGE_PER_MONTH 0.012
#define STREAM_AGE_MIN_FACTOR 0.3
#define STREAM_SEED_SALT 0x73747265616d3031ULL /* "stream01": the outcome's own stream */

/* ---- calendar (H. Hinnant's days_from_civil / civil_from_days) ----------------------- */

int64_t synth_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void synth_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int _days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* year and month k months after (y, m) */
static void _add_months(int y, int m, int k, int *yo, int *mo)
{
    int t = y * 12 + (m - 1) + k;
    *yo = t / 12;
    *mo = t % 12 + 1;
}

/* ---- the drift ------------------------------------------------------------------------- */

int synth_stream_month(const synth_plan *p, uint64_t index)
{
    if (index < p->n_train || !p->stream.per_month) return -1;
    return (int)((index - p->n_train) / p->stream.per_month);
}

void synth_stream_shift(const synth_plan *p, uint64_t index, synth_shift *sh)
{
    int m = synth_stream_month(p, index);
    double dm = m < 0 ? 0.0 : p->stream.drift * (double)m;
    int shocked = m >= 0 && p->stream.shock_month >= 0 && m >= p->stream.shock_month;
    sh->t = STREAM_T_PER_MONTH * dm - (shocked ? p->stream.shock_size : 0.0);
    sh->loan = exp(STREAM_LOAN_PER_MONTH * dm);
    sh->age = fmax(STREAM_AGE_MIN_FACTOR, 1.0 - STREAM_AGE_PER_MONTH * dm);
    sh->odds = shocked ? p->stream.shock_odds : 0.0;
}

double synth_stream_hazard(int k, int outcome_months)
{
    double total = 0;
    if (k < 1 || k > outcome_months) return 0.0;
    for (int j = 1; j <= outcome_months; j++) total += (double)j * exp(-(double)j / 4.0);
    return (double)k * exp(-(double)k / 4.0) / total;
}

/* ---- the rows -------------------------------------------------------------------------- */

static char *_put2(char *p, int v)
{
    *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

static char *_put_date(char *p, int y, int m, int d)
{
    p = _put2(p, y / 100);
    p = _put2(p, y % 100);
    *p++ = '-';
    p = _put2(p, m);
    *p++ = '-';
    return _put2(p, d);
}

cs_status synth_stream_rows(const synth_plan *p, const synth_client *c, int defaults, cs_buf *stream,
                            cs_buf *outcomes, uint64_t *n_outcomes, cs_err *err)
{
    const synth_stream_plan *sp = &p->stream;
    int m = synth_stream_month(p, c->index), y, mo, d, oy, om, od, k;
    uint64_t j;
    int64_t day0, end_day, secs, obs_day;
    double month_secs, u;
    cs_rng r;
    char line[128], *q = line;

    if (m < 0) return cs_err_set(err, CS_EINTERNAL, "client %llu is not in the stream", (unsigned long long)c->index);
    j = (c->index - p->n_train) % sp->per_month;
    _add_months(sp->start_year, sp->start_month, m, &y, &mo);
    day0 = synth_days_from_civil(y, mo, 1);
    month_secs = 86400.0 * _days_in_month(y, mo);
    cs_rng_seed_stream(&r, p->seed ^ STREAM_SEED_SALT, c->index);
    /* the month's applications in id order, spread over the month */
    u = cs_rng_uniform(&r);
    secs = (int64_t)floor(((double)j + u) / (double)sp->per_month * month_secs);
    synth_civil_from_days(day0 + secs / 86400, &y, &mo, &d);

    q = synth_put_int(q, (int64_t)c->v[A_SK_ID_CURR]);
    *q++ = ',';
    {
        int my, mm;
        _add_months(sp->start_year, sp->start_month, m, &my, &mm);
        q = _put2(q, my / 100);
        q = _put2(q, my % 100);
        *q++ = '-';
        q = _put2(q, mm);
    }
    *q++ = ',';
    q = _put_date(q, y, mo, d);
    *q++ = 'T';
    q = _put2(q, (int)(secs % 86400 / 3600));
    *q++ = ':';
    q = _put2(q, (int)(secs % 3600 / 60));
    *q++ = ':';
    q = _put2(q, (int)(secs % 60));
    *q++ = 'Z';
    *q++ = '\n';
    if (cs_buf_append(stream, line, (size_t)(q - line), err)) return CS_ENOMEM;

    /* the outcome: the month on book of a default from the hazard, else the window's end */
    k = sp->outcome_months;
    if (defaults) {
        double v = cs_rng_uniform(&r), acc = 0;
        for (int i = 1; i <= sp->outcome_months; i++) {
            acc += synth_stream_hazard(i, sp->outcome_months);
            if (v < acc) {
                k = i;
                break;
            }
        }
    }
    _add_months(y, mo, k, &oy, &om);
    od = d < _days_in_month(oy, om) ? d : _days_in_month(oy, om);
    obs_day = synth_days_from_civil(oy, om, od);
    {
        int ey, em;
        _add_months(sp->start_year, sp->start_month, sp->months, &ey, &em);
        end_day = synth_days_from_civil(ey, em, 1);
    }
    if (obs_day >= end_day) return CS_OK; /* not known yet when the stream ends */
    q = line;
    q = synth_put_int(q, (int64_t)c->v[A_SK_ID_CURR]);
    *q++ = ',';
    *q++ = defaults ? '1' : '0';
    *q++ = ',';
    q = _put_date(q, oy, om, od);
    *q++ = '\n';
    if (cs_buf_append(outcomes, line, (size_t)(q - line), err)) return CS_ENOMEM;
    (*n_outcomes)++;
    return CS_OK;
}
