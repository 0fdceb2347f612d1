/*
 * test_eval_metrics.c: unit tests of src/eval/metrics: AUC with ties against a brute-force
 * pair count, Gini, KS, log loss clipping, Brier, confusion matrix and business cost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "base/cs.h"
#include "eval/metrics.h"

/* doubles within tol, with both values printed on failure (cmocka here has floats only) */
#define assert_double_equal(a, b, tol) _near((a), (b), (tol), __FILE__, __LINE__)
static void _near(double a, double b, double tol, const char *file, int line)
{
    if (!(fabs(a - b) <= tol)) {
        print_error("%.17g != %.17g (tol %g)\n", a, b, tol);
        _fail(file, line);
    }
}

/* AUC by definition: P(score_pos > score_neg) + 0.5 P(equal), over all pairs */
static double _auc_pairs(const double *y, const double *s, size_t n)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (y[i] == 1 && y[j] == 0) {
                den += 1;
                num += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
            }
    return num / den;
}

static void test_auc_small_known(void **state)
{
    (void)state;
    const double y[] = {0, 0, 1, 1};
    const double s[] = {0.1, 0.4, 0.35, 0.8};
    assert_double_equal(ev_auc(y, s, 4), 0.75, 1e-15);
    const double perfect[] = {0.1, 0.2, 0.3, 0.4};
    assert_double_equal(ev_auc(y, perfect, 4), 1.0, 0);
    const double tied[] = {0.5, 0.5, 0.5, 0.5};
    assert_double_equal(ev_auc(y, tied, 4), 0.5, 0);
    assert_double_equal(ev_gini(0.75), 0.5, 1e-15);
}

static void test_auc_ties_match_pair_count(void **state)
{
    (void)state;
    cs_rng r;
    cs_rng_seed(&r, 42);
    enum { N = 700 };
    double y[N], s[N];
    for (int rep = 0; rep < 5; rep++) {
        for (size_t i = 0; i < N; i++) {
            y[i] = cs_rng_uniform(&r) < 0.2 ? 1 : 0;
            /* few distinct values: many ties, some signal */
            s[i] = (double)cs_rng_below(&r, 7 + rep) + 2.0 * y[i] * cs_rng_uniform(&r);
            s[i] = floor(s[i]);
        }
        assert_double_equal(ev_auc(y, s, N), _auc_pairs(y, s, N), 1e-13);
    }
}

static void test_auc_undefined_is_nan(void **state)
{
    (void)state;
    const double y1[] = {1, 1, 1};
    const double s[] = {0.1, 0.2, 0.3};
    assert_true(isnan(ev_auc(y1, s, 3)));
    assert_true(isnan(ev_auc(y1, s, 0)));
    const double y[] = {0, 1, 1};
    const double sn[] = {0.1, NAN, 0.3};
    assert_true(isnan(ev_auc(y, sn, 3)));
    assert_true(isnan(ev_ks(y1, s, 3)));
}

static void test_ks(void **state)
{
    (void)state;
    const double y[] = {0, 0, 0, 1, 1, 1};
    const double s[] = {0.1, 0.2, 0.6, 0.3, 0.7, 0.8};
    /* thresholds by decreasing score: after 0.8,0.7 TPR=2/3 FPR=0; after 0.6 FPR=1/3; after 0.3 TPR=1 FPR 1/3 */
    assert_double_equal(ev_ks(y, s, 6), 2.0 / 3.0, 1e-15);
    {   /* both from one sort: the same bits as each alone (ties, one class, n = 0) */
        double auc, ks, yy[500], ss[500];
        const double one[] = {1, 1, 1};
        uint64_t z = 5;
        for (int i = 0; i < 500; i++) {
            z = z * 6364136223846793005ull + 1442695040888963407ull;
            yy[i] = (double)((z >> 33) % 3 == 0);
            ss[i] = (double)((z >> 40) % 50) / 50.0;   /* many ties */
        }
        ev_auc_ks(yy, ss, 500, &auc, &ks);
        assert_true(auc == ev_auc(yy, ss, 500) && ks == ev_ks(yy, ss, 500));
        ev_auc_ks(y, s, 6, &auc, &ks);
        assert_true(auc == ev_auc(y, s, 6) && ks == ev_ks(y, s, 6));
        ev_auc_ks(one, s, 3, &auc, &ks);
        assert_true(isnan(auc) && isnan(ks));
        ev_auc_ks(y, s, 0, &auc, &ks);
        assert_true(isnan(auc) && isnan(ks));
    }
    const double sep[] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
    assert_double_equal(ev_ks(y, sep, 6), 1.0, 0);
}

static void test_log_loss_and_brier(void **state)
{
    (void)state;
    const double y[] = {1, 0, 1, 0};
    const double p[] = {0.9, 0.2, 0.6, 0.5};
    double want = -(log(0.9) + log(0.8) + log(0.6) + log(0.5)) / 4;
    assert_double_equal(ev_log_loss(y, p, 4), want, 1e-15);
    const double p0[] = {0.0, 1.0};
    const double y0[] = {1, 0};
    /* clipped at DBL_EPSILON, not infinite */
    assert_double_equal(ev_log_loss(y0, p0, 2), -log(DBL_EPSILON), 1e-9);
    double b = (0.01 + 0.04 + 0.16 + 0.25) / 4;
    assert_double_equal(ev_brier(y, p, 4), b, 1e-15);
    assert_true(isnan(ev_brier(y, p, 0)));
}

static void test_confusion_and_cost(void **state)
{
    (void)state;
    const double y[] = {1, 1, 0, 0, 0, 1};
    const double p[] = {0.9, 0.3, 0.5, 0.1, 0.49, 0.5};
    ev_confusion c = ev_confusion_at(y, p, 6, 0.5); /* at-or-above refuses */
    assert_int_equal(c.tp, 2);
    assert_int_equal(c.fn, 1);
    assert_int_equal(c.fp, 1);
    assert_int_equal(c.tn, 2);
    assert_double_equal(ev_cost(c, EV_COST_DEFAULT), 11.0, 0);
    ev_cost_weights w = {3.0, 2.0};
    assert_double_equal(ev_cost_at(y, p, 6, 0.5, w), 5.0, 0);
    assert_double_equal(ev_cost_at(y, p, 6, 0.0, w), 6.0, 0);  /* all refused: 3 FP */
    assert_double_equal(ev_cost_at(y, p, 6, 1.01, w), 9.0, 0); /* all accepted: 3 FN */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auc_small_known),     cmocka_unit_test(test_auc_ties_match_pair_count),
        cmocka_unit_test(test_auc_undefined_is_nan), cmocka_unit_test(test_ks),
        cmocka_unit_test(test_log_loss_and_brier),  cmocka_unit_test(test_confusion_and_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
