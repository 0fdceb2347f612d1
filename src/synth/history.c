/*
 * history.c: a client's rows in the six history tables. Every record carries the client's
 * SK_ID_CURR; bureau_balance months hang off their bureau record (SK_ID_BUREAU), POS,
 * installment and credit-card months off their approved previous application
 * (SK_ID_PREV), with days and months that agree: a loan decided on DAYS_DECISION has its
 * first due date about a month later, its instalments every 30 days until DAYS_LAST_DUE,
 * its monthly balances from that month to the last month before the application.
 *
 * Behaviour follows the client's latent h (see client.c) with per-loan noise: late
 * instalment payments and short payments, bureau overdue days and amounts, DPD months in
 * bureau_balance, POS and credit-card balances, refused previous applications.
 */
#include "synth_int.h"

#include <math.h>
#include <string.h>

/* ---- category sets (full-data counts of §1.3 where known, samples otherwise) ---------- */

static const synth_ref_cat _credit_type[] = {
    {"Consumer credit", 1251615}, {"Credit card", 402195}, {"Car loan", 27690},
    {"Mortgage", 18391}, {"Microloan", 12413}, {"Loan for business development", 1975},
    {"Another type of loan", 1017}, {"Unknown type of loan", 555},
    {"Loan for working capital replenishment", 469}, {"Cash loan (non-earmarked)", 56},
    {"Real estate loan", 27}, {"Loan for the purchase of equipment", 19},
    {"Loan for purchase of shares (margin lending)", 4}, {"Mobile operator loan", 1},
    {"Interbank credit", 1}};
static const synth_ref_cat _currency[] = {
    {"currency 1", 1715020}, {"currency 2", 1224}, {"currency 3", 174}, {"currency 4", 10}};
static const synth_ref_cat _weekday[] = {
    {"FRIDAY", 483}, {"TUESDAY", 461}, {"SATURDAY", 447}, {"WEDNESDAY", 436},
    {"THURSDAY", 430}, {"MONDAY", 420}, {"SUNDAY", 323}};
static const synth_ref_cat _cash_purpose[] = {
    {"Repairs", 33}, {"Other", 24}, {"Urgent needs", 10}, {"Buying a used car", 4},
    {"Building a house or an annex", 3}, {"Everyday expenses", 6}, {"Medicine", 3},
    {"Payments on other loans", 3}, {"Education", 1}, {"Journey", 3},
    {"Purchase of electronic equipment", 3}, {"Buying a new car", 1},
    {"Wedding / gift / holiday", 1}, {"Buying a home", 1}, {"Car repairs", 1},
    {"Furniture", 1}, {"Buying a holiday home / land", 3}, {"Business development", 1},
    {"Gasification / water supply", 0.3}, {"Buying a garage", 0.2}, {"Hobby", 0.1},
    {"Money for a third person", 0.1}, {"Refusal to name the goal", 0.1}};
static const synth_ref_cat _reject[] = {
    {"HC", 312}, {"LIMIT", 106}, {"SCO", 73}, {"SCOFR", 24}, {"XNA", 7}, {"VERIF", 4},
    {"SYSTEM", 1}};
static const synth_ref_cat _suite[] = {
    {"Unaccompanied", 857}, {"Family", 430}, {"Spouse, partner", 149}, {"Children", 65},
    {"Other_B", 38}, {"Other_A", 12}, {"Group of people", 4}};
static const synth_ref_cat _goods[] = {
    {"Mobile", 478}, {"Consumer Electronics", 289}, {"Computers", 244}, {"Audio/Video", 216},
    {"Furniture", 128}, {"Construction Materials", 63}, {"Photo / Cinema Equipment", 51},
    {"Clothing and Accessories", 37}, {"Auto Accessories", 20}, {"Homewares", 10},
    {"Sport and Leisure", 7}, {"Office Appliances", 7}, {"Medicine", 6}, {"Jewelry", 6},
    {"Vehicles", 6}, {"Gardening", 3}, {"Medical Supplies", 3}, {"Other", 3},
    {"Direct Sales", 2}, {"Fitness", 2}, {"Education", 1}, {"Tourism", 1},
    {"Additional Service", 0.3}, {"Weapon", 0.2}, {"Insurance", 0.2},
    {"House Construction", 0.1}, {"Animals", 0.05}};
static const synth_ref_cat _channel_pos[] = {
    {"Country-wide", 1085}, {"Stone", 461}, {"Regional / Local", 251},
    {"Channel of corporate sales", 8}, {"Car dealer", 1}};
static const synth_ref_cat _channel_cash[] = {
    {"Credit and cash offices", 1088}, {"AP+ (Cash loan)", 92}, {"Contact center", 14}};
static const synth_ref_cat _seller[] = {
    {"Consumer electronics", 906}, {"Connectivity", 603}, {"Furniture", 131},
    {"Construction", 68}, {"Clothing", 37}, {"Industry", 33}, {"Auto technology", 12},
    {"Jewelry", 3}, {"MLM partners", 3}, {"Tourism", 1}};
static const synth_ref_cat _yield[] = {
    {"middle", 718}, {"high", 671}, {"low_normal", 577}, {"low_action", 181}};

#define NC(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- coverage: the first records of each table walk through every category ----------- *
 * Record g of a table (g counted over the whole data set, from the plan's offsets) takes
 * value g of each of its categorical columns while g is below the column's number of
 * values, so that every category occurs whatever the size and seed (the feature set is
 * then always the kernel's 795 columns); a few dozen records in all. */

static const char *const _client_types[] = {"Repeater", "New", "Refreshed", "XNA"};
static const char *const _combinations[] = {
    "Cash", "POS household with interest", "POS mobile with interest", "Cash X-Sell: middle",
    "Cash X-Sell: low", "Card Street", "POS industry with interest",
    "POS household without interest", "Card X-Sell", "Cash Street: high", "Cash X-Sell: high",
    "Cash Street: middle", "Cash Street: low", "POS mobile without interest",
    "POS other with interest", "POS industry without interest", "POS others without interest"};
static const char *const _pos_status[] = {
    "Active", "Completed", "Signed", "Demand", "Returned to the store", "Approved",
    "Amortized debt", "Canceled", "XNA"};
static const char *const _cc_status[] = {
    "Active", "Completed", "Signed", "Sent proposal", "Demand", "Refused", "Approved"};
#define NS(a) ((uint64_t)(sizeof(a) / sizeof((a)[0])))

/* value g of a category set while g is inside it, else the drawn value */
static const char *_cover(uint64_t g, const synth_ref_cat *c, int n, const char *drawn)
{
    return g < (uint64_t)n ? c[g].value : drawn;
}

static const char *_pick(cs_rng *r, const synth_ref_cat *c, int n)
{
    return c[synth_ref_pick(c, n, cs_rng_uniform(r))].value;
}

static int _bern(cs_rng *r, double p)
{
    return cs_rng_uniform(r) < p;
}

static double _unif(cs_rng *r, double a, double b)
{
    return a + (b - a) * cs_rng_uniform(r);
}

static double _round_to(double v, double step)
{
    return floor(v / step + 0.5) * step;
}

/* an amount as the real files have them: often whole, sometimes with cents */
static double _amount(cs_rng *r, double v)
{
    return _bern(r, 0.6) ? floor(v + 0.5) : _round_to(v, 0.005);
}

static uint64_t _geom(cs_rng *r, double mean)
{
    return (uint64_t)floor(-mean * log(1.0 - cs_rng_uniform(r)));
}

static int _month_of(double day)
{
    return (int)floor(day / 30.4375);
}

static void _clear(double *v, const char **s, int n)
{
    for (int k = 0; k < n; k++) {
        v[k] = NAN;
        s[k] = NULL;
    }
}

#define EMIT(tab, n)                                                                         \
    do {                                                                                     \
        int nf_;                                                                             \
        const synth_colfmt *f_ = synth_table_fmt(tab, &nf_);                                 \
        cs_status st_ = synth_emit_row(&b->out[tab], f_, nf_, v, s, err);                    \
        if (st_) return st_;                                                                 \
        b->rows[tab]++;                                                                      \
        (void)(n);                                                                           \
    } while (0)

/* ---- bureau and bureau_balance -------------------------------------------------------- */

static cs_status _bureau(const synth_plan *p, cs_rng *r, const synth_client *c, synth_block *b,
                         cs_err *err)
{
    double v[17];
    const char *s[17];
    double cur = c->v[A_SK_ID_CURR], oldest = -(c->age_years - 18.0) * 365.25;
    char status[97];

    for (int k = 0; k < c->n_bureau; k++) {
        int64_t idb = synth_id_bureau(p, c->index, k);
        uint64_t g = p->bureau_off[c->index] + (uint64_t)k;     /* coverage rank */
        double x = pow(cs_rng_uniform(r), 1.56);
        double dc = -floor(2922.0 * x + 0.5), dur, end, fact = NAN, sum, debt, od_days = 0;
        const char *type = _cover(g, _credit_type, NC(_credit_type), _pick(r, _credit_type, NC(_credit_type)));
        int card = !strcmp(type, "Credit card");
        double lam = c->h + 0.6 * cs_rng_normal(r);
        int active, closed;
        double pa = 0.62 - 0.65 * x;
        if (dc < oldest) dc = floor(oldest);
        if (pa < 0.03) pa = 0.03;

        _clear(v, s, 17);
        v[0] = cur;
        v[1] = (double)idb;
        active = _bern(r, pa);
        if (g < 4) active = g == 0;
        closed = !active;
        if (active) s[2] = "Active";
        else if (_bern(r, 0.006 * exp(0.5 * lam))) s[2] = _bern(r, 0.003) ? "Bad debt" : "Sold";
        else s[2] = "Closed";
        if (g == 2 || g == 3) s[2] = g == 2 ? "Sold" : "Bad debt";
        s[3] = _cover(g, _currency, NC(_currency), _pick(r, _currency, NC(_currency)));
        v[4] = dc;
        sum = synth_lognormal(r, card ? 110000.0 : 135000.0, 1.2);
        sum = card ? _round_to(sum, 4500.0) : _amount(r, sum);
        dur = floor(synth_lognormal(r, card ? 800.0 : 400.0, 0.8));
        end = dc + dur;
        if (active && end < 0 && _bern(r, 0.3)) end = floor(_unif(r, 1, 1800));
        if (closed) {
            fact = floor(dc + fmin(dur, -dc) * _unif(r, 0.3, 1.0));
            if (fact < dc) fact = dc;
            if (fact > 0) fact = 0;
        }
        if (active && _bern(r, synth_sigmoid(-5.6 + 1.4 * lam)))
            od_days = 1 + (double)_geom(r, _bern(r, 0.8) ? 20.0 : 400.0);
        v[5] = od_days;
        v[6] = _bern(r, 0.061) ? NAN : end;
        v[7] = fact;
        if (_bern(r, 0.322)) {
            v[8] = _bern(r, synth_sigmoid(-2.4 + 1.2 * lam)) ? _round_to(sum * _unif(r, 0.003, 0.12), 0.005) : 0.0;
        }
        v[9] = _bern(r, 0.0045) ? (_bern(r, 0.9) ? 1 : 2) : 0;
        v[10] = sum;
        debt = active ? _amount(r, sum * cs_rng_uniform(r)) : 0.0;
        if (!_bern(r, 0.142)) v[11] = debt;
        if (!_bern(r, 0.374)) v[12] = card && active ? fmax(0.0, sum - debt) : 0.0;
        v[13] = od_days > 0 ? _round_to(sum * _unif(r, 0.01, 0.12), 0.005) : 0.0;
        s[14] = type;
        v[15] = active ? -(double)_geom(r, 160.0) : fmin(0.0, floor(fact + _unif(r, 0, 20)));
        if (v[15] < dc) v[15] = dc;
        if (_bern(r, 0.429)) v[16] = active && !card && _bern(r, 0.5) ? _amount(r, sum / fmax(6.0, dur / 30.0)) : 0.0;
        EMIT(HC_BUREAU, 0);

        /* monthly statuses for about half of the records, from the month of DAYS_CREDIT up
         * to month 0; C after the real end, X when the bureau did not know, DPD buckets */
        if (_bern(r, 0.476)) {
            int m0 = _month_of(dc) + (int)cs_rng_below(r, 14), mf = closed ? _month_of(fact) : 1, state = 0;
            double px = _bern(r, 0.22) ? 0.95 : 0.05 * cs_rng_uniform(r), plate = synth_sigmoid(-5.0 + 1.3 * lam);
            double vb[3];
            const char *sb[3];
            if (m0 < -96) m0 = -96;
            if (m0 > 0) m0 = 0;
            for (int m = m0; m <= 0; m++) {
                char st;
                if (cs_rng_uniform(r) < px) st = 'X';
                else if (closed && m > mf) st = 'C';
                else {
                    if (state == 0) state = cs_rng_uniform(r) < plate ? 1 : 0;
                    else {
                        double u = cs_rng_uniform(r);
                        state = u < 0.45 ? 0 : u < 0.80 ? (state < 5 ? state + 1 : 5) : state;
                    }
                    st = (char)('0' + state);
                }
                status[m - m0] = st;
            }
            for (int m = 0; m >= m0; m--) {
                static const char *const names[] = {"0", "1", "2", "3", "4", "5"};
                char st = status[m - m0];
                vb[0] = (double)idb;
                vb[1] = m;
                sb[0] = sb[1] = NULL;
                sb[2] = st == 'C' ? "C" : st == 'X' ? "X" : names[st - '0'];
                {
                    int nf;
                    const synth_colfmt *f = synth_table_fmt(HC_BUREAU_BALANCE, &nf);
                    cs_status st2 = synth_emit_row(&b->out[HC_BUREAU_BALANCE], f, nf, vb, sb, err);
                    if (st2) return st2;
                    b->rows[HC_BUREAU_BALANCE]++;
                }
            }
        }
    }
    return CS_OK;
}

/* ---- previous applications and their monthly tables ----------------------------------- */

typedef struct _loan {
    int64_t id;
    int kind;           /* 0 cash, 1 consumer, 2 revolving, 3 XNA */
    int status;         /* 0 approved, 1 canceled, 2 refused, 3 unused offer */
    double decision, credit, annuity, cnt, first_due, last_due_1st, last_due, lam;
} _loan;

enum { K_CASH = 0, K_CONSUMER, K_REVOLVING, K_XNA };
enum { ST_APPROVED = 0, ST_CANCELED, ST_REFUSED, ST_UNUSED };

static cs_status _pos(cs_rng *r, double cur, const _loan *L, synth_block *b, cs_err *err)
{
    double v[8];
    const char *s[8];
    int m0 = _month_of(L->first_due) - 1, mend;
    int finished = L->last_due < 0;
    int dpd = 0;
    double plate = synth_sigmoid(-4.8 + 1.3 * L->lam);

    mend = finished ? _month_of(L->last_due) + 1 : -1;
    if (mend > -1) mend = -1;
    for (int m = mend; m >= m0 && m >= -96; m--) {
        int elapsed = m - m0;
        double fut = L->cnt - elapsed;
        if (fut < 0) fut = 0;
        _clear(v, s, 8);
        v[0] = (double)L->id;
        v[1] = cur;
        v[2] = m;
        v[3] = L->cnt;
        v[4] = fut;
        if (finished && m == mend) {
            s[5] = "Completed";
            v[4] = 0;
        } else if (elapsed == 0 && _bern(r, 0.1)) s[5] = "Signed";
        else if (_bern(r, 0.001)) s[5] = _bern(r, 0.5) ? "Demand" : "Returned to the store";
        else s[5] = "Active";
        /* dpd evolves backwards here: the draw only shapes how many months are late */
        if (dpd > 0) dpd = _bern(r, 0.55) ? 0 : dpd + (int)_unif(r, 1, 31);
        else if (_bern(r, plate)) dpd = 1 + (int)_geom(r, 12.0);
        v[6] = dpd;
        v[7] = dpd > 0 && _bern(r, 0.25) ? dpd : 0;
        EMIT(HC_POS_CASH_BALANCE, 0);
    }
    return CS_OK;
}

static cs_status _inst_row(synth_block *b, double id, double cur, double ver, double num,
                           double day, double entry, double amt, double pay, cs_err *err)
{
    double v[8] = {id, cur, ver, num, day, entry, amt, pay};
    const char *s[8] = {0};
    EMIT(HC_INSTALLMENTS_PAYMENTS, 0);
    return CS_OK;
}

static cs_status _installments(cs_rng *r, double cur, const _loan *L, synth_block *b, cs_err *err)
{
    double plate = synth_sigmoid(-3.0 + 1.2 * L->lam);
    double pshort = synth_sigmoid(-3.9 + 1.1 * L->lam);
    double ver = _bern(r, 0.96) ? 1 : 2;
    int n = (int)L->cnt;
    int early = L->last_due < L->last_due_1st;
    for (int k = 1; k <= n; k++) {
        double day = L->first_due + 30.0 * (k - 1), entry, amt = L->annuity, pay;
        cs_status st;
        if (day > -1) break;
        if (early && day > L->last_due) break;
        if (early && day + 30.0 > L->last_due) amt = _round_to(L->annuity * (n - k + 1) * 0.97, 0.005);
        if (_bern(r, plate)) entry = day + 1 + (double)_geom(r, _bern(r, 0.85) ? 8.0 : 60.0);
        else entry = day - (double)_geom(r, 9.0);
        if (entry > -1) entry = -1;
        if (day < -2922) continue;
        if (_bern(r, pshort) || _bern(r, 0.4)) {
            pay = _round_to(amt * _unif(r, 0.1, 0.9), 0.005);
            st = _inst_row(b, (double)L->id, cur, ver, k, day, entry, amt, pay, err);
            if (st) return st;
            pay = _round_to(amt - pay, 0.005);
            entry = fmin(-1.0, entry + 1 + (double)_geom(r, 15.0));
            st = _inst_row(b, (double)L->id, cur, ver, k, day, entry, amt, pay, err);
        } else {
            st = _inst_row(b, (double)L->id, cur, ver, k, day, entry, amt, amt, err);
        }
        if (st) return st;
    }
    return CS_OK;
}

static cs_status _card(cs_rng *r, double cur, const _loan *L, synth_block *b, cs_err *err)
{
    double v[23];
    const char *s[23];
    int m0 = _month_of(L->decision), mend = -1, dpd = 0, mature = 0;
    double limit = L->credit > 0 ? L->credit : 45000.0 * (1 + (double)cs_rng_below(r, 4));
    double use = _bern(r, 0.55) ? 0.02 : synth_sigmoid(0.2 + 0.8 * L->lam + 0.8 * cs_rng_normal(r));
    double bal = 0, plate = synth_sigmoid(-5.0 + 1.4 * L->lam);
    int closes = _bern(r, 0.25), mclose = 1;
    int inst_k = 0;

    if (closes) mclose = m0 + (int)((double)(-1 - m0) * _unif(r, 0.5, 1.0));
    if (m0 < -96) m0 = -96;
    for (int m = m0; m <= mend; m++) {
        int done = m > mclose;
        int active_month = !done && cs_rng_uniform(r) < use;
        int known = active_month || _bern(r, 0.75);
        double atm = 0, pos = 0, other = 0, draw, minreg, payment, catm = 0, cpos = 0, coth = 0;
        int last = m == mclose;
        _clear(v, s, 23);
        if (active_month) {
            if (_bern(r, 0.5)) {
                catm = 1 + (double)_geom(r, 1.5);
                atm = _round_to(catm * 4500.0 * _unif(r, 0.5, 3.0), 450.0);
            }
            if (_bern(r, 0.6)) {
                cpos = 1 + (double)_geom(r, 4.0);
                pos = _round_to(cpos * synth_lognormal(r, 2500.0, 0.9), 0.005);
            }
            if (_bern(r, 0.01)) {
                coth = 1;
                other = _round_to(synth_lognormal(r, 40000.0, 0.8), 0.005);
            }
        }
        draw = atm + pos + other;
        if (bal + draw > limit * 1.02) {
            double scale = fmax(0.0, limit * 1.02 - bal) / draw;
            atm *= scale;
            pos *= scale;
            other *= scale;
            draw = atm + pos + other;
        }
        minreg = bal > 0 ? _round_to(fmax(bal * 0.05, fmin(bal, 1800.0)), 0.005) : 0.0;
        if (bal > 0) {
            double u = cs_rng_uniform(r);
            if (u < plate) payment = 0;
            else payment = _round_to(u < 0.5 ? minreg : fmin(bal, minreg * _unif(r, 1.0, 6.0)), 0.005);
        } else payment = _bern(r, 0.62) ? 0 : NAN;     /* missing AMT_PAYMENT_CURRENT near the real 22 % */
        if (bal > 0 && payment < minreg) dpd = dpd > 0 ? dpd + 30 : 1 + (int)_geom(r, 10.0);
        else dpd = 0;
        if (payment > 0) mature++;
        bal = _round_to(fmax(0.0, bal + draw - (isnan(payment) ? 0 : payment)) * (bal > 0 ? 1.02 : 1.0), 0.005);
        if (last) bal = 0;

        v[0] = (double)L->id;
        v[1] = cur;
        v[2] = m;
        v[3] = bal;
        v[4] = limit;
        v[5] = known ? atm : NAN;
        v[6] = draw;
        v[7] = known ? other : NAN;
        v[8] = known ? pos : NAN;
        v[9] = (m - m0 < 3 && _bern(r, 0.6)) || _bern(r, 0.04) ? NAN : minreg;
        v[10] = payment;
        v[11] = isnan(payment) ? 0 : payment;
        v[12] = _round_to(bal * 0.96, 0.005);
        v[13] = bal;
        v[14] = bal;
        v[15] = known ? catm : NAN;
        v[16] = catm + cpos + coth;
        v[17] = known ? coth : NAN;
        v[18] = known ? cpos : NAN;
        v[19] = isnan(v[9]) ? NAN : mature;
        s[20] = done ? "Completed" : (m == m0 && _bern(r, 0.05)) ? "Signed" : "Active";
        v[21] = dpd;
        v[22] = dpd > 30 && _bern(r, 0.1) ? dpd : 0;
        EMIT(HC_CREDIT_CARD_BALANCE, 0);

        /* the card's minimum payments appear in installments_payments (version 0) */
        if (minreg > 0 && _bern(r, 0.9)) {
            double day = (m + 1) * 30.4375 - 5, entry;
            cs_status st;
            inst_k++;
            if (day > -1) day = -1;
            entry = payment > 0 ? fmin(-1.0, day - (double)_geom(r, 5.0)) : fmin(-1.0, day + 1 + (double)_geom(r, 20.0));
            st = _inst_row(b, (double)L->id, cur, 0, inst_k, floor(day), floor(entry), minreg,
                           payment > 0 ? payment : _round_to(minreg * _unif(r, 0.2, 1.0), 0.005), err);
            if (st) return st;
        }
    }
    return CS_OK;
}

/* coverage rows: one month of a POS / card balance in the month before the decision, with
 * the given status and nothing owed (a contract in preparation) */
static cs_status _cover_pos(double cur, const _loan *L, const char *status, synth_block *b,
                            cs_err *err)
{
    double v[8];
    const char *s[8];
    _clear(v, s, 8);
    v[0] = (double)L->id;
    v[1] = cur;
    v[2] = _month_of(L->decision) - 1;
    v[3] = L->cnt > 0 ? L->cnt : 12;
    v[4] = v[3];
    s[5] = status;
    v[6] = 0;
    v[7] = 0;
    EMIT(HC_POS_CASH_BALANCE, 0);
    return CS_OK;
}

static cs_status _cover_card(double cur, const _loan *L, const char *status, synth_block *b,
                             cs_err *err)
{
    double v[23];
    const char *s[23];
    _clear(v, s, 23);
    for (int k = 3; k < 23; k++) v[k] = 0;
    v[0] = (double)L->id;
    v[1] = cur;
    v[2] = _month_of(L->decision) - 1;
    v[4] = L->credit > 0 ? L->credit : 45000.0;
    v[9] = NAN;
    v[10] = NAN;
    v[19] = NAN;
    s[20] = status;
    EMIT(HC_CREDIT_CARD_BALANCE, 0);
    return CS_OK;
}

static cs_status _previous(const synth_plan *p, cs_rng *r, const synth_client *c, synth_block *b,
                           cs_err *err)
{
    double v[37];
    const char *s[37];
    double cur = c->v[A_SK_ID_CURR];
    double dec[64];
    int first = 0, has_card = 0;

    /* decisions first: the earliest one is the client's first application ("New") */
    for (int k = 0; k < c->n_prev; k++) {
        dec[k] = -floor(30.0 + 2890.0 * pow(cs_rng_uniform(r), 2.6));
        if (dec[k] < dec[first]) first = k;
    }
    /* the first loan has had time to start */
    if (c->n_prev > 0 && dec[first] > -45) dec[first] = -floor(45.0 + 400.0 * cs_rng_uniform(r));
    for (int k = 0; k < c->n_prev; k++) {
        _loan L;
        double u = cs_rng_uniform(r), goods = NAN, app, down = NAN;
        int n;
        cs_status st;

        memset(&L, 0, sizeof L);
        L.id = synth_id_prev(p, c->index, k);
        L.decision = dec[k];
        L.lam = c->h + 0.6 * cs_rng_normal(r);
        L.kind = u < 0.4476 ? K_CASH : u < 0.8842 ? K_CONSUMER : u < 0.9998 ? K_REVOLVING : K_XNA;
        /* the first application was mostly a consumer loan that was granted */
        if (k == first && (L.kind == K_XNA || (L.kind == K_REVOLVING && _bern(r, 0.5)))) L.kind = K_CONSUMER;
        /* cards live long: their offers are older on average */
        if (L.kind == K_REVOLVING && k != first) L.decision = -floor(1.0 + 2921.0 * pow(cs_rng_uniform(r), 2.0));
        if (L.kind == K_XNA) L.status = ST_CANCELED;
        else if (_bern(r, synth_sigmoid(-1.70 + 0.95 * L.lam - (k == first ? 2.0 : 0.0) - (L.kind == K_REVOLVING ? 0.5 : 0.0)))) L.status = ST_REFUSED;
        else {
            double w = cs_rng_uniform(r);
            L.status = w < 0.64 ? ST_APPROVED : w < 0.975 ? ST_CANCELED : ST_UNUSED;
            /* a client's first application and most card offers were taken up */
            if (k == first && _bern(r, 0.95)) L.status = ST_APPROVED;
            if (L.kind == K_REVOLVING && L.status == ST_CANCELED && _bern(r, 0.9)) L.status = ST_APPROVED;
        }

        /* amounts */
        n = 0;
        if (L.kind == K_CONSUMER) {
            static const int terms[] = {3, 4, 6, 6, 8, 10, 10, 12, 12, 12, 18};
            double rate = 0.012 + 0.025 * cs_rng_uniform(r);
            goods = _round_to(synth_lognormal(r, 55000.0, 0.95), 0.5);
            down = _bern(r, 0.5) ? 0.0 : _round_to(goods * _unif(r, 0.05, 0.35), 0.005);
            app = goods;
            L.credit = _round_to((goods - down) * (_bern(r, 0.3) ? 1.1 : 1.0), 0.5);
            n = terms[cs_rng_below(r, 11)];
            L.annuity = _round_to(L.credit * rate / (1.0 - pow(1.0 + rate, -n)), 0.005);
        } else if (L.kind == K_CASH) {
            static const int terms[] = {6, 6, 12, 12, 12, 12, 18, 24, 24, 36};
            double rate = 0.01 + 0.02 * cs_rng_uniform(r);
            app = _round_to(synth_lognormal(r, 225000.0, 0.85), 4500.0);
            L.credit = _round_to(app * (1.0 + 0.15 * cs_rng_uniform(r)), 0.5);
            goods = app;
            n = terms[cs_rng_below(r, 10)];
            L.annuity = _round_to(L.credit * rate / (1.0 - pow(1.0 + rate, -n)), 0.005);
        } else if (L.kind == K_REVOLVING) {
            static const double lim[] = {0, 0, 45000, 67500, 90000, 112500, 135000, 180000, 225000, 270000, 450000};
            L.credit = lim[cs_rng_below(r, 11)];
            app = L.credit;
            down = 0.0;
            L.annuity = L.credit > 0 ? L.credit * 0.05 : 0.0;
        } else {
            app = 0;
            L.credit = 0;
        }
        L.cnt = n;
        if (L.status == ST_CANCELED || L.status == ST_UNUSED) {
            if (_bern(r, 0.75)) {
                app = 0;
                L.credit = 0;
                if (_bern(r, 0.35)) goods = NAN;
            }
        }
        if (L.kind == K_REVOLVING) goods = NAN;
        if (L.kind == K_CASH && _bern(r, 0.05)) goods = NAN;

        _clear(v, s, 37);
        v[0] = (double)L.id;
        v[1] = cur;
        s[2] = L.kind == K_CASH ? "Cash loans" : L.kind == K_CONSUMER ? "Consumer loans"
             : L.kind == K_REVOLVING ? "Revolving loans" : "XNA";
        v[3] = (L.status == ST_CANCELED || L.status == ST_UNUSED || L.kind == K_XNA) ? NAN : L.annuity;
        v[4] = app;
        v[5] = L.credit;
        v[6] = down;
        v[7] = goods;
        s[8] = _pick(r, _weekday, NC(_weekday));
        v[9] = fmin(23, fmax(0, floor(12.6 + 3.3 * cs_rng_normal(r) + 0.5)));
        s[10] = _bern(r, 0.996) ? "Y" : "N";
        v[11] = _bern(r, 0.9973) ? 1 : 0;
        if (!isnan(down)) v[12] = isnan(goods) || goods <= 0 ? 0.0 : down / goods;
        if (L.kind == K_CONSUMER && _bern(r, 0.011)) {
            v[13] = _unif(r, 0.1, 0.3);
            v[14] = _unif(r, 0.57, 0.87);
        }
        s[15] = L.kind == K_CASH ? (_bern(r, 0.9) ? "XNA" : _pick(r, _cash_purpose, NC(_cash_purpose))) : "XAP";
        s[16] = L.status == ST_APPROVED ? "Approved" : L.status == ST_CANCELED ? "Canceled"
              : L.status == ST_REFUSED ? "Refused" : "Unused offer";
        v[17] = L.decision;
        s[18] = L.status == ST_CANCELED || L.kind == K_REVOLVING ? "XNA"
              : _bern(r, 0.985) ? "Cash through the bank"
              : _bern(r, 0.85) ? "Non-cash from your account" : "Cashless from the account of the employer";
        s[19] = L.status == ST_REFUSED ? _pick(r, _reject, NC(_reject))
              : L.status == ST_UNUSED ? "CLIENT" : "XAP";
        if (L.kind == K_CONSUMER ? _bern(r, 0.85) : _bern(r, 0.25)) s[20] = _pick(r, _suite, NC(_suite));
        s[21] = k == first ? "New" : _bern(r, 0.92) ? "Repeater" : "Refreshed";
        s[22] = L.kind == K_CONSUMER ? _pick(r, _goods, NC(_goods)) : "XNA";
        s[23] = L.status == ST_CANCELED && _bern(r, 0.8) ? "XNA"
              : L.kind == K_CASH ? "Cash" : L.kind == K_CONSUMER ? (_bern(r, 0.002) ? "Cars" : "POS")
              : L.kind == K_REVOLVING ? "Cards" : "XNA";
        s[24] = L.kind == K_CASH ? (_bern(r, 0.74) ? "x-sell" : "walk-in") : "XNA";
        s[25] = L.kind == K_CONSUMER ? _pick(r, _channel_pos, NC(_channel_pos))
              : L.kind == K_CASH ? _pick(r, _channel_cash, NC(_channel_cash))
              : _bern(r, 0.6) ? "Credit and cash offices" : "Country-wide";
        v[26] = L.kind == K_CONSUMER ? floor(synth_lognormal(r, 60.0, 1.6)) : -1;
        s[27] = L.kind == K_CONSUMER ? _pick(r, _seller, NC(_seller)) : "XNA";
        v[28] = (L.status == ST_CANCELED || L.status == ST_UNUSED || L.kind == K_XNA) ? NAN : L.cnt;
        s[29] = (L.kind == K_REVOLVING || L.kind == K_XNA || L.status == ST_CANCELED || L.status == ST_UNUSED)
                ? "XNA" : _pick(r, _yield, NC(_yield));
        {   /* coverage: the first applications walk through the rare labels */
            uint64_t g = p->prev_off[c->index] + (uint64_t)k;
            s[15] = _cover(g, _cash_purpose, NC(_cash_purpose), s[15]);
            s[19] = _cover(g, _reject, NC(_reject), s[19]);
            s[20] = _cover(g, _suite, NC(_suite), s[20]);
            s[22] = _cover(g, _goods, NC(_goods), s[22]);
            s[27] = _cover(g, _seller, NC(_seller), s[27]);
            if (g < NS(_client_types)) s[21] = _client_types[g];
        }
        if (L.kind == K_CASH)
            s[30] = !strcmp(s[24], "x-sell")
                    ? (!strcmp(s[29], "high") ? "Cash X-Sell: high" : !strcmp(s[29], "middle") ? "Cash X-Sell: middle" : "Cash X-Sell: low")
                    : (!strcmp(s[29], "high") ? "Cash Street: high" : !strcmp(s[29], "middle") ? "Cash Street: middle" : "Cash Street: low");
        else if (L.kind == K_CONSUMER) {
            int interest = strcmp(s[29], "XNA") && _bern(r, 0.8);
            const char *g = s[22];
            if (!strcmp(g, "Mobile")) s[30] = interest ? "POS mobile with interest" : "POS mobile without interest";
            else if (!strcmp(g, "Consumer Electronics") || !strcmp(g, "Audio/Video") || !strcmp(g, "Computers") || !strcmp(g, "Furniture"))
                s[30] = interest ? "POS household with interest" : "POS household without interest";
            else if (!strcmp(g, "Construction Materials") || !strcmp(g, "Auto Accessories"))
                s[30] = interest ? "POS industry with interest" : "POS industry without interest";
            else s[30] = interest ? "POS other with interest" : "POS others without interest";
        } else if (L.kind == K_REVOLVING) s[30] = _bern(r, 0.55) ? "Card Street" : "Card X-Sell";
        else s[30] = NULL;

        /* the loan's life, for approved loans only */
        L.first_due = L.last_due_1st = L.last_due = NAN;
        if (L.status == ST_APPROVED) {
            double fd = L.decision + floor(_unif(r, 10, 45)), term;
            if (L.kind == K_REVOLVING) {
                v[31] = L.decision + floor(_unif(r, 0, 30));
                v[32] = fd;
                v[33] = 365243;
                v[34] = 365243;
                v[35] = 365243;
                L.first_due = fd;
            } else {
                double ld1 = fd + 30.0 * (L.cnt - 1), ld;
                L.first_due = fd;
                L.last_due_1st = ld1;
                if (ld1 < 0) {
                    ld = _bern(r, 0.3) ? floor(fd + (ld1 - fd) * _unif(r, 0.2, 0.95)) : ld1;
                    term = ld + floor(_unif(r, 0, 12));
                    if (term > -1) term = -1;
                } else {
                    ld = 365243;
                    term = 365243;
                }
                L.last_due = ld;
                v[31] = 365243;
                v[32] = fd;
                v[33] = ld1;
                v[34] = ld;
                v[35] = term;
                if (fd > -1) {  /* not started yet */
                    v[32] = 365243;
                    v[34] = 365243;
                }
            }
            v[36] = L.kind == K_CASH ? _bern(r, 0.5) : _bern(r, 0.2);
        }
        {
            uint64_t g = p->prev_off[c->index] + (uint64_t)k;
            if (g < NS(_combinations)) s[30] = _combinations[g];
            EMIT(HC_PREVIOUS_APPLICATION, 0);
            /* coverage: one extra month, before the decision, with a rare contract status */
            if (g < NS(_pos_status)) {
                st = _cover_pos(cur, &L, _pos_status[g], b, err);
                if (st) return st;
            }
            if (g < NS(_cc_status)) {
                st = _cover_card(cur, &L, _cc_status[g], b, err);
                if (st) return st;
            }
        }

        if (L.status != ST_APPROVED || L.first_due > -1) continue;
        if (L.kind == K_REVOLVING) {
            /* the bureau of the real data follows one card per client */
            if (has_card) continue;
            has_card = 1;
            st = _card(r, cur, &L, b, err);
        } else if (L.kind != K_XNA && L.cnt > 0) {
            st = _pos(r, cur, &L, b, err);
            if (!st) st = _installments(r, cur, &L, b, err);
        }
        if (st) return st;
    }
    return CS_OK;
}

cs_status synth_history(const synth_plan *p, cs_rng *r, const synth_client *c, synth_block *b,
                        cs_err *err)
{
    cs_status st = _bureau(p, r, c, b, err);
    if (st) return st;
    return _previous(p, r, c, b, err);
}
