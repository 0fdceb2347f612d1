/*
 * client.c: one client of the generator: the application record (every column of
 * application_train/test), the latent risk behind TARGET and the sizes of the client's
 * history. Marginals come from the real figures in ref.c; the dependencies that matter
 * for credit risk are explicit here (see docs/synth.md for the model in one page):
 *
 *   t  ~ N(0,1)  credit quality, seen (noisily) by EXT_SOURCE_1..3
 *   h  = -0.45 t + 0.89 e   payment behaviour, seen (noisily) in the history tables
 *   z  = risk logit = weights on -t, h, an unobserved u, age, employment, gender,
 *        education, region rating, annuity/credit ratio, occupation, ...
 *   TARGET ~ Bernoulli(sigmoid(intercept + z)), intercept set for an 8.07 % default rate.
 */
#include "synth_int.h"

#include <math.h>
#include <string.h>

/* ---- random helpers ------------------------------------------------------------------ */

double synth_sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

double synth_phi(double x)
{
    return 0.5 * erfc(-x * 0.7071067811865476);
}

uint64_t synth_poisson(cs_rng *r, double mean)
{
    /* Knuth's product method, for the small means used here; large means are capped */
    double l, p = 1.0;
    uint64_t k = 0;
    if (mean <= 0) return 0;
    if (mean > 30) return (uint64_t)llround(fmax(0.0, mean + sqrt(mean) * cs_rng_normal(r)));
    l = exp(-mean);
    do {
        k++;
        p *= cs_rng_uniform(r);
    } while (p > l);
    return k - 1;
}

/* gamma(shape, 1) by Marsaglia and Tsang (shape < 1 boosted) */
static double _gamma(cs_rng *r, double shape)
{
    double d, c, x, v, u;
    if (shape < 1.0) {
        double g = _gamma(r, shape + 1.0);
        return g * pow(cs_rng_uniform(r) + 1e-300, 1.0 / shape);
    }
    d = shape - 1.0 / 3.0;
    c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        do {
            x = cs_rng_normal(r);
            v = 1.0 + c * x;
        } while (v <= 0);
        v = v * v * v;
        u = cs_rng_uniform(r);
        if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
        if (log(u + 1e-300) < 0.5 * x * x + d * (1.0 - v + log(v))) return d * v;
    }
}

uint64_t synth_negbin(cs_rng *r, double mean, double shape)
{
    return synth_poisson(r, mean * _gamma(r, shape) / shape);
}

double synth_lognormal(cs_rng *r, double median, double sigma)
{
    return median * exp(sigma * cs_rng_normal(r));
}

/* ---- marginals ----------------------------------------------------------------------- */

/* A value of a documented numeric column from a uniform u: the quantile function through
 * min, p25 and median (piecewise linear), then a power curve up to max whose exponent
 * brings the mean near the documented one. Quartiles are exact by construction. */
static double _qf(const synth_ref_col *c, double u)
{
    double lower, mup, k;
    if (u < 0.25) return c->min + (c->p25 - c->min) * u / 0.25;
    if (u < 0.5) return c->p25 + (c->median - c->p25) * (u - 0.25) / 0.25;
    lower = 0.25 * (c->min + c->p25) / 2 + 0.25 * (c->p25 + c->median) / 2;
    mup = (c->mean - lower) / 0.5;
    k = mup > c->median ? (c->max - c->median) / (mup - c->median) - 1.0 : 8.0;
    if (k < 1.0) k = 1.0;
    if (k > 40) k = 40;
    return c->median + (c->max - c->median) * pow((u - 0.5) / 0.5, k);
}

static double _miss(const synth_client *c, int col)
{
    const synth_ref_col *rc = &synth_ref_app[col];
    return c->trainlike ? rc->miss_train / SYNTH_REAL_TRAIN : rc->miss_test / SYNTH_REAL_TEST;
}

static const char *_pick(cs_rng *r, int col)
{
    const synth_ref_col *rc = &synth_ref_app[col];
    return rc->cats[synth_ref_pick(rc->cats, rc->n_cats, cs_rng_uniform(r))].value;
}

/* a category of col other than `not` */
static const char *_pick_not(cs_rng *r, int col, const char *not)
{
    const synth_ref_col *rc = &synth_ref_app[col];
    double total = 0, u, acc = 0;
    for (int i = 0; i < rc->n_cats; i++)
        if (strcmp(rc->cats[i].value, not)) total += rc->cats[i].count;
    u = cs_rng_uniform(r) * total;
    for (int i = 0; i < rc->n_cats; i++) {
        if (!strcmp(rc->cats[i].value, not)) continue;
        acc += rc->cats[i].count;
        if (u < acc) return rc->cats[i].value;
    }
    return rc->cats[0].value;
}

static int _bern(cs_rng *r, double p)
{
    return cs_rng_uniform(r) < p;
}

static double _round_to(double v, double step)
{
    return floor(v / step + 0.5) * step;
}

static double _clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* age in years of a client who is not a pensioner: quantile knots */
static double _age_worker(double u)
{
    static const double ku[] = {0.0, 0.25, 0.5, 0.75, 0.93, 1.0};
    static const double ka[] = {20.6, 29.5, 37.0, 45.5, 54.5, 66.0};
    for (int i = 1; i < 6; i++)
        if (u <= ku[i]) return ka[i - 1] + (ka[i] - ka[i - 1]) * (u - ku[i - 1]) / (ku[i] - ku[i - 1]);
    return ka[5];
}

/* Coverage: the first SYNTH_COVER_CLIENTS clients (train or test) take category
 * (index mod n) of each categorical column instead of the drawn one, so that every value
 * occurs whatever the size and seed. Values the test table never has (Maternity leave,
 * family status Unknown) are then replaced as for any test client: with 128 clients each
 * such value falls on at least 16 of them, so on a train client. */
#define SYNTH_COVER_CLIENTS 128

static const char *_cover(uint64_t index, int col, const char *drawn)
{
    const synth_ref_col *rc = &synth_ref_app[col];
    return index < SYNTH_COVER_CLIENTS ? rc->cats[index % (uint64_t)rc->n_cats].value : drawn;
}

/* organization of coverage client `index`: the non-XNA values in turn over the coverage
 * clients whose (coverage) income type is not a pensioner's or an unemployed one's */
static const char *_cover_org(uint64_t index, const char *drawn)
{
    const synth_ref_col *ri = &synth_ref_app[A_NAME_INCOME_TYPE], *ro = &synth_ref_app[A_ORGANIZATION_TYPE];
    uint64_t rank = 0;
    int k = 0;
    if (index >= SYNTH_COVER_CLIENTS) return drawn;
    for (uint64_t j = 0; j < index; j++) {
        const char *it = ri->cats[j % (uint64_t)ri->n_cats].value;
        rank += strcmp(it, "Pensioner") && strcmp(it, "Unemployed");
    }
    rank %= (uint64_t)(ro->n_cats - 1);
    for (int i = 0; i < ro->n_cats; i++) {
        if (!strcmp(ro->cats[i].value, "XNA")) continue;
        if ((uint64_t)k++ == rank) return ro->cats[i].value;
    }
    return drawn;
}

/* Train/test drift: how application_test differs from application_train, beyond the
 * documented test missing rates (directions and sizes from the real test sample of
 * ../shared/data/homecredit-sample, 49 rows; see docs/synth.md). */
#define TEST_REVOLVING 0.012    /* share of revolving loans in test */
#define TEST_TUESDAY 0.20       /* extra share of Tuesday applications */
#define TEST_PHONE_SHIFT 300.0  /* test phone changes this many days older */
#define TEST_REQ_MON 0.15       /* enquiry means, test / train */
#define TEST_REQ_QRT 1.9
#define TEST_REQ_YEAR 1.35

static const int _terms[] = {12, 18, 24, 30, 36, 48, 60};
static const double _term_w[] = {0.10, 0.12, 0.25, 0.13, 0.22, 0.11, 0.07};

/* ---- the client ---------------------------------------------------------------------- */

void synth_client_core(cs_rng *r, uint64_t index, uint8_t flags, const synth_shift *sh, synth_client *c)
{
    const synth_ref_col *R = synth_ref_app;
    double *v = c->v;
    const char **s = c->s;
    double t, h, u_hid, eh, age, years_emp = 0, z = 0;
    int anomaly, pensioner, revolving, rating;
    const char *itype, *edu, *occ;

    for (int k = 0; k < SYNTH_APP_NCOL; k++) {
        v[k] = NAN;
        s[k] = NULL;
    }
    c->index = index;
    c->is_train = (flags & SYNTH_F_TRAIN) != 0;
    c->trainlike = c->is_train || (flags & SYNTH_F_STREAM) != 0;
    v[A_SK_ID_CURR] = (double)(SYNTH_ID_CURR0 + index);

    /* latent risk */
    t = cs_rng_normal(r) + (sh ? sh->t : 0.0);
    eh = cs_rng_normal(r);
    u_hid = cs_rng_normal(r);
    h = -0.45 * t + 0.893 * eh;
    c->t = t;
    c->h = h;

    /* who: income type drives the DAYS_EMPLOYED = 365243 rows (pensioners, unemployed) */
    itype = _cover(index, A_NAME_INCOME_TYPE, _pick(r, A_NAME_INCOME_TYPE));
    if (!c->trainlike && !strcmp(itype, "Maternity leave")) itype = "Working";
    pensioner = !strcmp(itype, "Pensioner");
    anomaly = pensioner || !strcmp(itype, "Unemployed");
    s[A_NAME_INCOME_TYPE] = itype;
    age = pensioner ? 50.0 + 19.1 * pow(cs_rng_uniform(r), 0.55) : _age_worker(cs_rng_uniform(r));
    /* stream drift: working applicants get younger (docs/synth.md) */
    if (sh && !pensioner) age = 20.6 + (age - 20.6) * sh->age;
    c->age_years = age;
    v[A_DAYS_BIRTH] = -floor(age * 365.25);
    if (anomaly) {
        v[A_DAYS_EMPLOYED] = 365243;
    } else {
        double l = -2900.0 * log(1.0 - cs_rng_uniform(r));
        double cap = fmin(17912.0, (age - 18.0) * 365.25);
        if (l > cap) l = cap * cs_rng_uniform(r);
        v[A_DAYS_EMPLOYED] = -floor(l);
        years_emp = l / 365.25;
    }

    s[A_CODE_GENDER] = (flags & SYNTH_F_XNA) ? "XNA" : _bern(r, 202448.0 / 307507.0) ? "F" : "M";
    edu = _cover(index, A_NAME_EDUCATION_TYPE, _pick(r, A_NAME_EDUCATION_TYPE));
    s[A_NAME_EDUCATION_TYPE] = edu;
    s[A_NAME_FAMILY_STATUS] = _cover(index, A_NAME_FAMILY_STATUS, _pick(r, A_NAME_FAMILY_STATUS));
    if (!c->trainlike && !strcmp(s[A_NAME_FAMILY_STATUS], "Unknown")) s[A_NAME_FAMILY_STATUS] = "Married";
    {
        double u = cs_rng_uniform(r);
        int kids = u < 0.70 ? 0 : u < 0.899 ? 1 : u < 0.986 ? 2 : u < 0.998 ? 3 : 4 + (int)synth_poisson(r, 0.5);
        if (pensioner && _bern(r, 0.8)) kids = 0;
        v[A_CNT_CHILDREN] = kids;
        v[A_CNT_FAM_MEMBERS] = kids + ((!strcmp(s[A_NAME_FAMILY_STATUS], "Married") ||
                                        !strcmp(s[A_NAME_FAMILY_STATUS], "Civil marriage")) ? 2 : 1);
        if (_bern(r, _miss(c, A_CNT_FAM_MEMBERS))) v[A_CNT_FAM_MEMBERS] = NAN;
    }

    /* the loan */
    /* train/test drift (docs/synth.md): the test set has few revolving loans (1 of the 49
     * real test sample rows, 9.5 % in train) */
    revolving = _bern(r, c->trainlike ? 29279.0 / 307511.0 : TEST_REVOLVING);
    s[A_NAME_CONTRACT_TYPE] = revolving ? "Revolving loans" : "Cash loans";
    {
        double inc = synth_lognormal(r, 147150.0, 0.40) * (pensioner ? 0.8 : 1.0);
        double credit, goods, annuity;
        inc = _bern(r, 0.85) ? _round_to(inc, 2250.0) : _round_to(inc, 0.5);
        inc = _clamp(inc, 25650.0, 1.17e8);
        v[A_AMT_INCOME_TOTAL] = inc;
        if (revolving) {
            static const double lim[] = {135000, 180000, 225000, 270000, 337500, 450000, 540000, 675000};
            credit = lim[cs_rng_below(r, 8)];
            goods = credit;
            annuity = credit * 0.05;
        } else {
            double rate = 0.02 + 0.01 * cs_rng_uniform(r), uu, acc = 0;
            int n = 24;
            /* stream drift: larger loans (docs/synth.md) */
            goods = _round_to(inc * synth_lognormal(r, 3.35, 0.85) * (sh ? sh->loan : 1.0), 4500.0);
            goods = _clamp(goods, 40500.0, 4050000.0);
            credit = _round_to(goods * (1.0 + fmax(0.0, 0.12 + 0.08 * cs_rng_normal(r))), 0.5);
            credit = _clamp(credit, 45000.0, 4050000.0);
            /* larger loans run longer */
            uu = synth_phi(log(credit / 513531.0) / 0.6 + 0.6 * cs_rng_normal(r));
            for (int k = 0; k < 7; k++) {
                acc += _term_w[k];
                if (uu < acc) {
                    n = _terms[k];
                    break;
                }
            }
            annuity = _round_to(credit * rate / (1.0 - pow(1.0 + rate, -n)), 0.5);
            if (annuity < 1615.5) annuity = 1615.5;
        }
        v[A_AMT_CREDIT] = credit;
        v[A_AMT_GOODS_PRICE] = goods;
        v[A_AMT_ANNUITY] = annuity;
        {
            double pr = annuity / credit;
            z += pr < 0.035 ? -0.40 : pr < 0.06 ? 0.20 : pr > 0.08 ? -0.25 : 0.0;
            z += 0.25 * (credit / goods > 1.2);
            z += 0.05 * log(credit / inc);
        }
        if (_bern(r, _miss(c, A_AMT_ANNUITY))) v[A_AMT_ANNUITY] = NAN;
        if (revolving && _bern(r, _miss(c, A_AMT_GOODS_PRICE) * 307511.0 / 29279.0))
            v[A_AMT_GOODS_PRICE] = NAN;
    }
    {
        int car = !_bern(r, _miss(c, A_OWN_CAR_AGE));
        s[A_FLAG_OWN_CAR] = car ? "Y" : "N";
        if (car) v[A_OWN_CAR_AGE] = floor(_qf(&R[A_OWN_CAR_AGE], cs_rng_uniform(r)) + 0.5);
        if (car) z -= 0.15;
    }
    s[A_FLAG_OWN_REALTY] = _bern(r, 213312.0 / 307511.0) ? "Y" : "N";
    if (!_bern(r, _miss(c, A_NAME_TYPE_SUITE))) s[A_NAME_TYPE_SUITE] = _pick(r, A_NAME_TYPE_SUITE);
    s[A_NAME_TYPE_SUITE] = _cover(index, A_NAME_TYPE_SUITE, s[A_NAME_TYPE_SUITE]);
    s[A_NAME_HOUSING_TYPE] = _cover(index, A_NAME_HOUSING_TYPE, _pick(r, A_NAME_HOUSING_TYPE));

    /* where */
    {
        double up = cs_rng_uniform(r), q;
        v[A_REGION_POPULATION_RELATIVE] = _round_to(_qf(&R[A_REGION_POPULATION_RELATIVE], up), 1e-6);
        q = up + 0.12 * cs_rng_normal(r);
        rating = q > 0.90 ? 1 : q < 0.16 ? 3 : 2;
        v[A_REGION_RATING_CLIENT] = rating;
        v[A_REGION_RATING_CLIENT_W_CITY] = rating > 1 && _bern(r, 0.04) ? rating - 1 : rating;
    }
    v[A_DAYS_REGISTRATION] = fmax(floor(_qf(&R[A_DAYS_REGISTRATION], cs_rng_uniform(r)) + 0.5),
                                  v[A_DAYS_BIRTH]);
    v[A_DAYS_ID_PUBLISH] = fmax(floor(_qf(&R[A_DAYS_ID_PUBLISH], cs_rng_uniform(r)) + 0.5),
                                v[A_DAYS_BIRTH]);

    /* contacts and work */
    v[A_FLAG_MOBIL] = _bern(r, 0.999997) ? 1 : 0;
    v[A_FLAG_EMP_PHONE] = anomaly ? 0 : 1;
    v[A_FLAG_WORK_PHONE] = !anomaly && _bern(r, 0.199368 / 0.82);
    v[A_FLAG_CONT_MOBILE] = _bern(r, 0.998133);
    v[A_FLAG_PHONE] = _bern(r, 0.281066);
    v[A_FLAG_EMAIL] = _bern(r, 0.05672);
    occ = NULL;
    if (!anomaly && !_bern(r, fmax(0.0, (_miss(c, A_OCCUPATION_TYPE) - 0.18) / 0.82)))
        occ = _pick(r, A_OCCUPATION_TYPE);
    occ = _cover(index, A_OCCUPATION_TYPE, occ);
    s[A_OCCUPATION_TYPE] = occ;
    s[A_WEEKDAY_APPR_PROCESS_START] = _pick(r, A_WEEKDAY_APPR_PROCESS_START);
    /* test applications lean to Tuesdays (a third of the real test sample, 17 % in train) */
    if (_bern(r, c->trainlike ? 0.0 : TEST_TUESDAY)) s[A_WEEKDAY_APPR_PROCESS_START] = "TUESDAY";
    s[A_WEEKDAY_APPR_PROCESS_START] = _cover(index, A_WEEKDAY_APPR_PROCESS_START, s[A_WEEKDAY_APPR_PROCESS_START]);
    v[A_HOUR_APPR_PROCESS_START] = _clamp(floor(12.06 + 3.26 * cs_rng_normal(r) + 0.5), 0, 23);
    v[A_REG_REGION_NOT_LIVE_REGION] = _bern(r, 0.015144);
    v[A_REG_REGION_NOT_WORK_REGION] = !anomaly && _bern(r, 0.050769 / 0.82);
    v[A_LIVE_REGION_NOT_WORK_REGION] = v[A_REG_REGION_NOT_WORK_REGION] ? _bern(r, 0.75) : 0;
    v[A_REG_CITY_NOT_LIVE_CITY] = _bern(r, 0.078173);
    v[A_REG_CITY_NOT_WORK_CITY] = !anomaly && _bern(r, 0.230454 / 0.82);
    v[A_LIVE_CITY_NOT_WORK_CITY] = v[A_REG_CITY_NOT_WORK_CITY] ? _bern(r, 0.75) : 0;
    s[A_ORGANIZATION_TYPE] = anomaly ? "XNA" : _cover_org(index, _pick_not(r, A_ORGANIZATION_TYPE, "XNA"));

    /* external scores: noisy views of t (EXT_SOURCE_1 and _3 also see age) */
    {
        double ag = (age - 42.44) / 13.55;
        double g1 = 0.55 * t + 0.40 * ag + 0.733 * cs_rng_normal(r);
        double g2 = 0.60 * t + 0.800 * cs_rng_normal(r);
        double g3 = 0.64 * t + 0.20 * ag + 0.742 * cs_rng_normal(r);
        v[A_EXT_SOURCE_1] = _qf(&R[A_EXT_SOURCE_1], synth_phi(g1 / 1.0));
        v[A_EXT_SOURCE_2] = _qf(&R[A_EXT_SOURCE_2], synth_phi(g2));
        v[A_EXT_SOURCE_3] = _qf(&R[A_EXT_SOURCE_3], synth_phi(g3));
        if (_bern(r, _miss(c, A_EXT_SOURCE_1))) v[A_EXT_SOURCE_1] = NAN;
        if (_bern(r, _miss(c, A_EXT_SOURCE_2))) v[A_EXT_SOURCE_2] = NAN;
        if (_bern(r, _miss(c, A_EXT_SOURCE_3))) v[A_EXT_SOURCE_3] = NAN;
    }

    /* the building: one shared draw decides which columns are known, one its size */
    {
        double w = cs_rng_uniform(r), gb = cs_rng_normal(r);
        for (int k = A_APARTMENTS_AVG; k <= A_NONLIVINGAREA_AVG; k++) {
            double u = synth_phi(0.7 * gb + 0.714 * cs_rng_normal(r));
            double um = _clamp(u + 0.02 * cs_rng_normal(r), 0.0, 0.999999);
            double ud = _clamp(u + 0.01 * cs_rng_normal(r), 0.0, 0.999999);
            int mode = k + (A_APARTMENTS_MODE - A_APARTMENTS_AVG);
            int medi = k + (A_APARTMENTS_MEDI - A_APARTMENTS_AVG);
            if (w >= _miss(c, k)) v[k] = _round_to(_qf(&R[k], u), 1e-4);
            if (w >= _miss(c, mode)) v[mode] = _round_to(_qf(&R[mode], um), 1e-4);
            if (w >= _miss(c, medi)) v[medi] = _round_to(_qf(&R[medi], ud), 1e-4);
        }
        if (w >= _miss(c, A_TOTALAREA_MODE))
            v[A_TOTALAREA_MODE] = _round_to(_qf(&R[A_TOTALAREA_MODE], synth_phi(0.8 * gb + 0.6 * cs_rng_normal(r))), 1e-4);
        if (w >= _miss(c, A_FONDKAPREMONT_MODE)) s[A_FONDKAPREMONT_MODE] = _pick(r, A_FONDKAPREMONT_MODE);
        if (w >= _miss(c, A_HOUSETYPE_MODE)) s[A_HOUSETYPE_MODE] = _pick(r, A_HOUSETYPE_MODE);
        if (w >= _miss(c, A_WALLSMATERIAL_MODE)) s[A_WALLSMATERIAL_MODE] = _pick(r, A_WALLSMATERIAL_MODE);
        if (w >= _miss(c, A_EMERGENCYSTATE_MODE)) s[A_EMERGENCYSTATE_MODE] = _pick(r, A_EMERGENCYSTATE_MODE);
        s[A_FONDKAPREMONT_MODE] = _cover(index, A_FONDKAPREMONT_MODE, s[A_FONDKAPREMONT_MODE]);
        s[A_HOUSETYPE_MODE] = _cover(index, A_HOUSETYPE_MODE, s[A_HOUSETYPE_MODE]);
        s[A_WALLSMATERIAL_MODE] = _cover(index, A_WALLSMATERIAL_MODE, s[A_WALLSMATERIAL_MODE]);
        s[A_EMERGENCYSTATE_MODE] = _cover(index, A_EMERGENCYSTATE_MODE, s[A_EMERGENCYSTATE_MODE]);
    }

    /* social circle: defaults among acquaintances follow the client's own risk a little */
    if (!_bern(r, _miss(c, A_OBS_30_CNT_SOCIAL_CIRCLE))) {
        double obs = _bern(r, 0.47) ? 1.0 + (double)synth_negbin(r, 2.0, 0.8) : 0.0;
        double pdef = _clamp(0.085 * exp(0.45 * -t), 0.0, 0.9), d30 = 0, d60 = 0;
        obs = fmin(obs, 348);
        for (int k = 0; k < (int)obs; k++) d30 += _bern(r, pdef);
        for (int k = 0; k < (int)d30; k++) d60 += _bern(r, 0.7);
        v[A_OBS_30_CNT_SOCIAL_CIRCLE] = obs;
        v[A_OBS_60_CNT_SOCIAL_CIRCLE] = obs > 0 && _bern(r, 0.1) ? obs - 1 : obs;
        v[A_DEF_30_CNT_SOCIAL_CIRCLE] = d30;
        v[A_DEF_60_CNT_SOCIAL_CIRCLE] = d60;
    }
    if (!_bern(r, _miss(c, A_DAYS_LAST_PHONE_CHANGE)))
        v[A_DAYS_LAST_PHONE_CHANGE] = floor(_qf(&R[A_DAYS_LAST_PHONE_CHANGE], cs_rng_uniform(r)) + 0.5) -
                                      (c->trainlike ? 0.0 : TEST_PHONE_SHIFT);
    for (int k = A_FLAG_DOCUMENT_2; k <= A_FLAG_DOCUMENT_21; k++) v[k] = _bern(r, R[k].mean);
    if (!_bern(r, _miss(c, A_AMT_REQ_CREDIT_BUREAU_YEAR))) {
        v[A_AMT_REQ_CREDIT_BUREAU_HOUR] = (double)synth_poisson(r, 0.0074);
        v[A_AMT_REQ_CREDIT_BUREAU_DAY] = (double)synth_poisson(r, 0.0081);
        v[A_AMT_REQ_CREDIT_BUREAU_WEEK] = (double)synth_negbin(r, 0.0397, 0.5);
        /* test: fewer enquiries last month, more last quarter and year (real test sample:
         * means 0.02, 0.57, 2.59 against 0.23, 0.29, 1.90 in train) */
        double fm = c->trainlike ? 1.0 : TEST_REQ_MON, fq = c->trainlike ? 1.0 : TEST_REQ_QRT;
        double fy = c->trainlike ? 1.0 : TEST_REQ_YEAR;
        v[A_AMT_REQ_CREDIT_BUREAU_MON] = (double)synth_negbin(r, 0.309 * fm, 0.2);
        v[A_AMT_REQ_CREDIT_BUREAU_QRT] = (double)synth_negbin(r, 0.307 * fq, 0.4);
        v[A_AMT_REQ_CREDIT_BUREAU_YEAR] = (double)synth_negbin(r, 2.2 * fy, 1.0);
    }

    /* history sizes: about 86 % with bureau records (5.6 each), 95 % with previous
     * applications (4.9 each) */
    c->n_bureau = _bern(r, 0.8584) ? 1 + (int)synth_negbin(r, 4.61, 1.3) : 0;
    c->n_prev = _bern(r, 0.9512) ? 1 + (int)synth_negbin(r, 3.93, 2.5) : 0;
    if (c->n_bureau > 60) c->n_bureau = 60;
    if (c->n_prev > 60) c->n_prev = 60;

    /* the risk logit (without the intercept) */
    z += 1.00 * -t + 0.82 * h + 0.60 * u_hid;
    z += -0.03 * (age - 43.0);
    z += anomaly ? -0.10 : 0.35 - 0.07 * fmin(years_emp, 12.0);
    if (!strcmp(s[A_CODE_GENDER], "M")) z += 0.40;
    if (!strcmp(edu, "Higher education")) z -= 0.45;
    else if (!strcmp(edu, "Academic degree")) z -= 1.2;
    else if (!strcmp(edu, "Lower secondary")) z += 0.35;
    z += 0.40 * (rating - 2);
    /* recent changes of phone, identity document and registration go with risk */
    if (!isnan(v[A_DAYS_LAST_PHONE_CHANGE])) z += 0.35 * exp(v[A_DAYS_LAST_PHONE_CHANGE] / 400.0);
    z += 0.25 * exp(v[A_DAYS_ID_PUBLISH] / 1500.0);
    z += 0.15 * exp(v[A_DAYS_REGISTRATION] / 2000.0);
    if (!strcmp(s[A_NAME_CONTRACT_TYPE], "Revolving loans")) z -= 0.30;
    if (!strcmp(s[A_FLAG_OWN_REALTY], "N")) z += 0.08;
    if (!strcmp(itype, "Unemployed") || !strcmp(itype, "Maternity leave")) z += 1.0;
    if (occ) {
        if (!strcmp(occ, "Low-skill Laborers")) z += 0.50;
        else if (!strcmp(occ, "Drivers")) z += 0.20;
        else if (!strcmp(occ, "Laborers")) z += 0.12;
        else if (!strcmp(occ, "Accountants")) z -= 0.30;
        else if (!strcmp(occ, "Managers") || !strcmp(occ, "High skill tech staff")) z -= 0.20;
    }
    if (v[A_REG_CITY_NOT_WORK_CITY] > 0) z += 0.15;
    if (c->n_bureau == 0) z += 0.10;
    /* stream shock: higher default odds at equal characteristics (a downturn) */
    if (sh) z += sh->odds;
    c->z = z;
}
