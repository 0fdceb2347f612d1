/*
 * kolmogorov.c: the finite-n two-sided Kolmogorov distribution, P(D_n >= d), computed
 * the way scipy.stats.kstwo.sf (scipy 1.10, scipy/stats/_ksstats.py, after Simard &
 * L'Ecuyer 2011) chooses between its methods: Ruben-Gambino exact tails, the Durbin
 * matrix (Marsaglia-Tsang-Wang), the Pomeranz recursion, the Pelz-Good expansion, and
 * 2 x Smirnov's one-sided tail. ks_2samp uses it for large samples (drift_ks_2samp).
 */
#include "drift.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define E128 128
static const double EP128 = 3.402823669209384634633746e38;      /* 2^128 */
static const double EM128 = 2.938735877055718769921841e-39;     /* 2^-128 */

static double _clip(double p)
{
    return p < 0 ? 0 : (p > 1 ? 1 : p);
}

static double _lgam(double a)
{
    int sign;
    return lgamma_r(a, &sign);
}

/* log(n! / n^n) by Stirling, as scipy's _log_nfactorial_div_n_pow_n */
static double _log_nfact_div_npown(double n)
{
    static const double c[] = {-2.955065359477124183e-2, 6.4102564102564102564e-3,
                               -1.9175269175269175269e-3, 8.4175084175084175084e-4,
                               -5.952380952380952381e-4, 7.9365079365079365079e-4,
                               -2.7777777777777777778e-3, 8.3333333333333333333e-2};
    double rn = 1.0 / n, x = rn / n, poly = 0.0;
    for (int i = 0; i < 8; i++) poly = poly * x + c[i];
    return log(n) / 2 - n + log(2 * M_PI) / 2 + rn * poly;
}

/* One-sided Smirnov tail P(D+_n >= x) (Birnbaum-Tingey: a sum of positive terms). */
static double _smirnov(double n, double x)
{
    double s = 0.0, lnf = _lgam(n + 1);
    long jmax;
    if (x <= 0) return 1.0;
    if (x >= 1) return 0.0;
    jmax = (long)floor(n * (1 - x));
    for (long j = 0; j <= jmax; j++) {
        double dj = (double)j, a = 1 - x - dj / n, b = x + dj / n, lt;
        if (a <= 0 && n - dj > 0) continue;
        lt = lnf - _lgam(dj + 1) - _lgam(n - dj + 1) + (n - dj > 0 ? (n - dj) * log(a) : 0) +
             (dj - 1) * log(b);
        s += exp(lt);
    }
    return _clip(x * s);
}

/* ---- Durbin matrix (MTW) ---------------------------------------------------------- */

static void _matmul(const double *A, const double *B, double *C, int m)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++) {
            double s = 0.0;
            for (int k = 0; k < m; k++) s += A[i * m + k] * B[k * m + j];
            C[i * m + j] = s;
        }
}

/* CDF P(D_n <= d); NaN if out of memory */
static double _dmtw_cdf(long n, double d)
{
    double nd = (double)n * d, h, *H, *Hp, *T, *v, *w, fac, p;
    long k, nn, expnt = 0, Hexpnt = 0;
    int m;
    if (d >= 1.0) return 1.0;
    if (nd <= 0.5) return 0.0;
    k = (long)ceil(nd);
    h = (double)k - nd;
    m = (int)(2 * k - 1);
    H = calloc((size_t)m * m, sizeof *H);
    Hp = calloc((size_t)m * m, sizeof *Hp);
    T = calloc((size_t)m * m, sizeof *T);
    v = calloc((size_t)m, sizeof *v);
    w = calloc((size_t)m, sizeof *w);
    if (!H || !Hp || !T || !v || !w) {
        free(H), free(Hp), free(T), free(v), free(w);
        return NAN;
    }
    fac = 1.0;
    for (int j = 1; j <= m; j++) {
        v[j - 1] = 1.0 - pow(h, j);
        w[j - 1] = fac;
        fac /= j;
        v[j - 1] *= fac;
    }
    double tt = pow(fmax(2 * h - 1.0, 0), m) - 2 * pow(h, m);
    v[m - 1] = (1.0 + tt) * fac;
    for (int i = 1; i < m; i++)
        for (int r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)];
    for (int r = 0; r < m; r++) H[r * m + 0] = v[r];
    for (int c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c];
    for (int i = 0; i < m; i++) Hp[i * m + i] = 1.0;
    nn = n;
    while (nn > 0) {
        if (nn % 2) {
            _matmul(Hp, H, T, m);
            memcpy(Hp, T, (size_t)m * m * sizeof *T);
            expnt += Hexpnt;
        }
        _matmul(H, H, T, m);
        memcpy(H, T, (size_t)m * m * sizeof *T);
        Hexpnt *= 2;
        if (fabs(H[(k - 1) * m + (k - 1)]) > EP128) {
            for (long i = 0; i < (long)m * m; i++) H[i] /= EP128;
            Hexpnt += E128;
        }
        nn /= 2;
    }
    p = Hp[(k - 1) * m + (k - 1)];
    for (long i = 1; i <= n; i++) {
        p = (double)i * p / (double)n;
        if (fabs(p) < EM128) {
            p *= EP128;
            expnt -= E128;
        }
    }
    if (expnt != 0) p = ldexp(p, (int)expnt);
    free(H), free(Hp), free(T), free(v), free(w);
    return _clip(p);
}

/* ---- Pomeranz --------------------------------------------------------------------- */

static void _pom_j1j2(long i, long n, long ll, long ceilf, long roundf, long *j1, long *j2)
{
    long a, b;
    if (i == 0) {
        a = -ll - ceilf - 1;
        b = ll + ceilf - 1;
    } else {
        long ip1div2 = (i + 1) / 2, ip1mod2 = (i + 1) % 2;
        if (ip1mod2 == 0) {
            if (ip1div2 == n + 1) {
                a = n - ll - ceilf - 1;
                b = n + ll + ceilf - 1;
            } else {
                a = ip1div2 - 1 - ll - roundf - 1;
                b = ip1div2 + ll - 1 + ceilf - 1;
            }
        } else {
            a = ip1div2 - 1 - ll - 1;
            b = ip1div2 + ll + roundf - 1;
        }
    }
    *j1 = a + 2 > 0 ? a + 2 : 0;
    *j2 = b < n ? b : n;
}

static double _pomeranz_cdf(long n, double x)
{
    double t = (double)n * x, f, g, *gp, *tgp, *omp, *V0, *V1, *conv, ans;
    long ll = (long)floor(t), ceilf, roundf, npwrs, V0s = 0, V1s = 0, j1, j2, expnt = 0;
    f = t - (double)ll;
    g = fmin(f, 1.0 - f);
    ceilf = f > 0 ? 1 : 0;
    roundf = f > 0.5 ? 1 : 0;
    npwrs = 2 * (ll + 1);
    gp = malloc((size_t)npwrs * sizeof *gp);
    tgp = malloc((size_t)npwrs * sizeof *tgp);
    omp = malloc((size_t)npwrs * sizeof *omp);
    V0 = calloc((size_t)npwrs, sizeof *V0);
    V1 = calloc((size_t)npwrs, sizeof *V1);
    conv = calloc((size_t)(2 * npwrs), sizeof *conv);
    if (!gp || !tgp || !omp || !V0 || !V1 || !conv) {
        free(gp), free(tgp), free(omp), free(V0), free(V1), free(conv);
        return NAN;
    }
    gp[0] = tgp[0] = omp[0] = 1.0;
    for (long m = 1; m < npwrs; m++) {
        gp[m] = gp[m - 1] * (g / (double)n) / (double)m;
        tgp[m] = tgp[m - 1] * (2 * g / (double)n) / (double)m;
        omp[m] = omp[m - 1] * ((1 - 2 * g) / (double)n) / (double)m;
    }
    V1[0] = 1;
    _pom_j1j2(0, n, ll, ceilf, roundf, &j1, &j2);
    for (long i = 1; i < 2 * n + 2; i++) {
        long k1 = j1, ln2;
        double *sw = V0, *pw;
        V0 = V1;
        V1 = sw;
        long st = V0s;
        V0s = V1s;
        V1s = st;
        memset(V1, 0, (size_t)npwrs * sizeof *V1);
        _pom_j1j2(i, n, ll, ceilf, roundf, &j1, &j2);
        pw = (i == 1 || i == 2 * n + 1) ? gp : (i % 2 ? tgp : omp);
        ln2 = j2 - k1 + 1;
        if (ln2 > 0) {
            /* np.convolve(V0[k1-V0s : k1-V0s+ln2], pw[:ln2]) (the slice may be shorter) */
            long la = ln2, off = k1 - V0s;
            if (off + la > npwrs) la = npwrs - off;
            if (la < 0) la = 0;
            long lb = ln2 < npwrs ? ln2 : npwrs;
            long lc = la + lb - 1;
            for (long c = 0; c < lc; c++) conv[c] = 0.0;
            for (long a = 0; a < la; a++)
                for (long b = 0; b < lb; b++) conv[a + b] += V0[off + a] * pw[b];
            long cs = j1 - k1, cl = j2 - j1 + 1;
            double mx = 0.0;
            for (long c = 0; c < cl; c++) {
                V1[c] = (cs + c >= 0 && cs + c < lc) ? conv[cs + c] : 0.0;
                if (V1[c] > mx) mx = V1[c];
            }
            if (0 < mx && mx < EM128) {
                for (long c = 0; c < npwrs; c++) V1[c] *= EP128;
                expnt -= E128;
            }
            V1s = V0s + j1 - k1;
        }
    }
    ans = (n - V1s >= 0 && n - V1s < npwrs) ? V1[n - V1s] : 0.0;
    for (long m = 1; m <= n; m++) {
        if (fabs(ans) > EP128) {
            ans *= EM128;
            expnt += E128;
        }
        ans *= (double)m;
    }
    if (expnt != 0) ans = ldexp(ans, (int)expnt);
    free(gp), free(tgp), free(omp), free(V0), free(V1), free(conv);
    return _clip(ans);
}

/* ---- Pelz-Good -------------------------------------------------------------------- */

static double _pelzgood_cdf(double n, double x)
{
    const double PI2 = M_PI * M_PI, PI4 = PI2 * PI2, PI6 = PI4 * PI2, SQRT2PI = sqrt(2 * M_PI);
    double z, z2, z3, z4, z6, qlog, q, K[4] = {0, 0, 0, 0};
    long maxk;
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    z = sqrt(n) * x;
    z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
    qlog = -PI2 / 8 / z2;
    if (qlog < -708) return 0.0;
    q = exp(qlog);
    double k1a = -z2, k1b = PI2 / 4;
    double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * PI2 / 4, k2c = PI4 * (1 - 2 * z2) / 16;
    double k3d = PI6 * (5 - 30 * z2) / 64, k3c = PI4 * (-60 * z2 + 212 * z4) / 16;
    double k3b = PI2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * pow(z, 8);
    maxk = (long)ceil(16 * z / M_PI);
    for (long k = maxk; k > 0; k--) {
        double mm = (double)(2 * k - 1), m2 = mm * mm, m4 = m2 * m2, m6 = m4 * m2;
        double qp = pow(q, 8.0 * (double)k);
        double c[4] = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6};
        for (int i = 0; i < 4; i++) K[i] = K[i] * qp + c[i];
    }
    double div[4] = {z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10)};
    for (int i = 0; i < 4; i++) K[i] = K[i] * q * SQRT2PI / div[i];
    q = exp(-PI2 / 2 / z2);
    double k2extra = 0, k3extra = 0, s3z = sqrt(3.0) * z;
    for (long k = maxk; k > 0; k--) {
        double kk = (double)k * (double)k, qpw = pow(q, kk), kspi = M_PI * (double)k;
        k2extra += kk * qpw;
        k3extra += (s3z + kspi) * (s3z - kspi) * kk * qpw;
    }
    K[2] += k2extra * PI2 * SQRT2PI / (-36 * z3);
    K[3] += k3extra * PI2 * SQRT2PI / (216 * z6);
    double sum = 0.0;
    for (int i = 0; i < 4; i++) sum += K[i] / pow(n, i / 2.0);
    return sum;
}

/* ---- kstwo.sf --------------------------------------------------------------------- */

double drift_kstwo_sf(double x, double n)
{
    double t, nx2, cdf;
    if (isnan(n) || isnan(x)) return NAN;
    if (n != floor(n) || n <= 0) return NAN;
    if (x >= 1.0) return 0.0;
    if (x <= 0.0) return 1.0;
    t = n * x;
    if (t <= 1.0) {
        double prob;
        if (t <= 0.5) return 1.0;
        if (n <= 140) {
            prob = 1.0;
            for (long i = 1; i <= (long)n; i++) prob *= (double)i * (1.0 / n) * (2 * t - 1);
        } else {
            prob = exp(_log_nfact_div_npown(n) + n * log(2 * t - 1));
        }
        return _clip(1.0 - prob);
    }
    if (t >= n - 1) return _clip(2 * pow(1.0 - x, n));
    if (x >= 0.5) return _clip(2 * _smirnov(n, x));
    nx2 = t * x;
    if (n <= 140) {
        if (nx2 <= 0.754693) return _clip(1.0 - _dmtw_cdf((long)n, x));
        if (nx2 <= 4) return _clip(1.0 - _pomeranz_cdf((long)n, x));
        return _clip(2 * _smirnov(n, x));
    }
    if (nx2 >= 370.0) return 0.0;
    if (nx2 >= 2.2) return _clip(2 * _smirnov(n, x));
    if (nx2 >= 18.0) cdf = 1.0;
    else if (n <= 100000 && n * pow(x, 1.5) <= 1.4) cdf = _dmtw_cdf((long)n, x);
    else cdf = _pelzgood_cdf(n, x);
    return _clip(1.0 - cdf);
}
