/*
 * shap_reason.c: reason codes (shap.h). The features that pushed a score most toward
 * default become sentences a client adviser can read out, in English or French: a table
 * of human labels for the features that matter most in credit scoring, and for the others
 * a rule built from the feature name (source-table prefix -> table in words, aggregation
 * suffix -> a word, known tokens translated). Each factor has a stable code: RC01.. for the
 * table's entries, RC50..RC59 for "another feature of this source table".
 *
 * Numbers are formatted here without printf's locale (3 significant digits, a decimal
 * comma in French).
 */
#include "shap.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef enum _vfmt {
    V_NUM,      /* 3 significant digits */
    V_AGE,      /* negative days -> whole years of age */
    V_YEARS,    /* days (negative: before the application) -> years, one decimal */
    V_PCT,      /* a ratio -> percent */
    V_MONEY,    /* rounded to a whole amount */
    V_FLAG,     /* 0/1 -> no/yes */
    V_NONE      /* no value shown (an encoded category) */
} _vfmt;

typedef enum _match {
    M_EXACT,    /* the name equals key */
    M_PREFIX,   /* the name starts with key; the rest is appended to the label */
    M_PREFIX_AGG, /* the name is key + an aggregation suffix, worded */
    M_CONTAINS  /* the name starts with one of the bureau prefixes and contains key */
} _match;

typedef struct _entry {
    const char *code;
    _match match;
    const char *key;
    const char *en, *fr;
    _vfmt fmt;
} _entry;

/* Order matters: the first match wins (longer keys before their prefixes). */
static const _entry _table[] = {
    {"RC01", M_EXACT, "EXT_SOURCE_1", "External credit score 1", "Score de crédit externe 1", V_NUM},
    {"RC02", M_EXACT, "EXT_SOURCE_2", "External credit score 2", "Score de crédit externe 2", V_NUM},
    {"RC03", M_EXACT, "EXT_SOURCE_3", "External credit score 3", "Score de crédit externe 3", V_NUM},
    {"RC04", M_EXACT, "DAYS_BIRTH", "Age", "Âge", V_AGE},
    {"RC05", M_EXACT, "DAYS_EMPLOYED", "Time in the current job", "Ancienneté dans l'emploi actuel", V_YEARS},
    {"RC06", M_EXACT, "AMT_ANNUITY", "Loan annuity", "Annuité du prêt", V_MONEY},
    {"RC07", M_EXACT, "PAYMENT_RATE", "Annuity as a share of the credit", "Annuité rapportée au crédit", V_PCT},
    {"RC08", M_EXACT, "ANNUITY_INCOME_PERC", "Share of income taken by the annuity",
     "Part du revenu consacrée à l'annuité", V_PCT},
    {"RC09", M_EXACT, "CODE_GENDER", "Gender", "Genre", V_NONE},
    {"RC10", M_PREFIX, "NAME_EDUCATION_TYPE_", "Education: ", "Niveau d'études : ", V_FLAG},
    {"RC11", M_EXACT, "REGION_RATING_CLIENT_W_CITY", "Rating of the client's region and city",
     "Note de la région et de la ville du client", V_NUM},
    {"RC12", M_EXACT, "REGION_RATING_CLIENT", "Rating of the client's region", "Note de la région du client",
     V_NUM},
    {"RC13", M_PREFIX_AGG, "INSTAL_DPD", "Days past due on past instalments",
     "Jours de retard sur les échéances passées", V_NUM},
    {"RC14", M_CONTAINS, "OVERDUE", "Overdue debt at other lenders (credit bureau)",
     "Impayés auprès d'autres prêteurs (bureau de crédit)", V_NUM},
    {"RC15", M_EXACT, "PREV_NAME_CONTRACT_STATUS_Refused_MEAN", "Share of previous applications refused",
     "Part des demandes précédentes refusées", V_PCT},
    {"RC16", M_PREFIX_AGG, "CC_SK_DPD_DEF", "Serious days past due on the credit card",
     "Retards graves sur la carte de crédit (jours)", V_NUM},
    {"RC17", M_PREFIX_AGG, "CC_SK_DPD", "Days past due on the credit card", "Jours de retard sur la carte de crédit",
     V_NUM},
    {"RC18", M_EXACT, "AMT_CREDIT", "Amount of credit requested", "Montant du crédit demandé", V_MONEY},
    {"RC19", M_EXACT, "AMT_INCOME_TOTAL", "Income", "Revenu", V_MONEY},
    {"RC20", M_EXACT, "AMT_GOODS_PRICE", "Price of the goods financed", "Prix du bien financé", V_MONEY},
    {"RC21", M_EXACT, "DAYS_EMPLOYED_PERC", "Share of life spent in the current job",
     "Part de la vie passée dans l'emploi actuel", V_PCT},
    {"RC22", M_EXACT, "INCOME_CREDIT_PERC", "Income relative to the credit", "Revenu rapporté au crédit", V_PCT},
    {"RC23", M_EXACT, "INCOME_PER_PERSON", "Income per household member", "Revenu par membre du foyer", V_MONEY},
    {"RC24", M_EXACT, "DAYS_ID_PUBLISH", "Time since the identity document was issued",
     "Ancienneté de la pièce d'identité", V_YEARS},
    {"RC25", M_EXACT, "DAYS_REGISTRATION", "Time since the registration changed",
     "Ancienneté de l'enregistrement", V_YEARS},
    {"RC26", M_EXACT, "DAYS_LAST_PHONE_CHANGE", "Time since the phone number changed",
     "Ancienneté du numéro de téléphone", V_YEARS},
    {"RC27", M_EXACT, "OWN_CAR_AGE", "Age of the client's car (years)", "Âge de la voiture du client (ans)", V_NUM},
    {"RC28", M_EXACT, "FLAG_OWN_CAR", "Owns a car", "Possède une voiture", V_FLAG},
    {"RC29", M_EXACT, "FLAG_OWN_REALTY", "Owns real estate", "Possède un bien immobilier", V_FLAG},
    {"RC30", M_EXACT, "CNT_CHILDREN", "Number of children", "Nombre d'enfants", V_NUM},
    {"RC31", M_PREFIX_AGG, "INSTAL_DBD", "Days paid ahead of the due date", "Jours de paiement avant l'échéance",
     V_NUM},
    {"RC32", M_PREFIX_AGG, "INSTAL_PAYMENT_PERC", "Share of each instalment actually paid",
     "Part de chaque échéance effectivement payée", V_PCT},
    {"RC33", M_PREFIX_AGG, "INSTAL_PAYMENT_DIFF", "Shortfall between instalments due and paid",
     "Écart entre échéances dues et payées", V_MONEY},
    {"RC34", M_PREFIX, "AMT_REQ_CREDIT_BUREAU_", "Recent enquiries at the credit bureau: ",
     "Demandes récentes au bureau de crédit : ", V_NUM},
    {"RC35", M_EXACT, "PREV_NAME_CONTRACT_STATUS_Approved_MEAN", "Share of previous applications approved",
     "Part des demandes précédentes acceptées", V_PCT},
};
#define N_TABLE (sizeof _table / sizeof _table[0])

/* Source tables by prefix (first match wins): the generic rule's first words and code. */
static const struct {
    const char *prefix, *code, *en, *fr;
} _sources[] = {
    {"BURO_", "RC51", "Credit bureau", "Bureau de crédit"},
    {"ACTIVE_", "RC52", "Active credits at the bureau", "Crédits en cours (bureau)"},
    {"CLOSED_", "RC53", "Closed credits at the bureau", "Crédits clos (bureau)"},
    {"PREV_", "RC54", "Previous applications", "Demandes précédentes"},
    {"APPROVED_", "RC55", "Approved previous applications", "Demandes précédentes acceptées"},
    {"REFUSED_", "RC56", "Refused previous applications", "Demandes précédentes refusées"},
    {"POS_", "RC57", "Point-of-sale and cash loans", "Prêts point de vente et espèces"},
    {"INSTAL_", "RC58", "Instalment payments", "Paiements d'échéances"},
    {"CC_", "RC59", "Credit card", "Carte de crédit"},
};
#define N_SOURCES (sizeof _sources / sizeof _sources[0])

/* Aggregation suffixes -> words. */
static const struct {
    const char *suffix, *en, *fr;
} _aggs[] = {
    {"_MEAN", "average", "moyenne"}, {"_MAX", "maximum", "maximum"}, {"_MIN", "minimum", "minimum"},
    {"_SUM", "total", "total"},      {"_VAR", "variance", "variance"}, {"_SIZE", "count", "nombre"},
    {"_COUNT", "number of records", "nombre d'enregistrements"},
};
#define N_AGGS (sizeof _aggs / sizeof _aggs[0])

/* Name tokens -> words (others are lower-cased as they are). */
static const struct {
    const char *tok, *en, *fr;
} _tokens[] = {
    {"AMT", "amount", "montant"},     {"CNT", "count", "nombre"},       {"DAYS", "days", "jours"},
    {"DPD", "days past due", "jours de retard"}, {"CREDIT", "credit", "crédit"},
    {"ANNUITY", "annuity", "annuité"}, {"PAYMENT", "payment", "paiement"}, {"INSTALMENT", "instalment", "échéance"},
    {"BALANCE", "balance", "solde"},   {"LIMIT", "limit", "plafond"},     {"DRAWINGS", "drawings", "retraits"},
    {"APPLICATION", "application", "demande"}, {"GOODS", "goods", "bien"}, {"PRICE", "price", "prix"},
    {"SK", NULL, NULL},                {"NAME", NULL, NULL},              {"NUM", "number", "nombre"},
    {"PERC", "share", "part"},         {"DIFF", "difference", "écart"},   {"OVERDUE", "overdue", "en retard"},
    {"PROLONG", "prolongation", "prolongation"}, {"TYPE", "type", "type"}, {"STATUS", "status", "statut"},
};
#define N_TOKENS (sizeof _tokens / sizeof _tokens[0])

static const char *_lang(shap_lang lang, const char *en, const char *fr)
{
    return lang == SHAP_LANG_FR ? fr : en;
}

static int _starts(const char *s, const char *prefix) { return !strncmp(s, prefix, strlen(prefix)); }

/* The aggregation suffix of name, or -1. */
static int _agg_of(const char *name)
{
    size_t n = strlen(name);
    for (size_t a = 0; a < N_AGGS; a++) {
        size_t k = strlen(_aggs[a].suffix);
        if (n > k && !strcmp(name + n - k, _aggs[a].suffix)) return (int)a;
    }
    return -1;
}

/* Append src to dst (cap bytes, always NUL-terminated). */
static void _cat(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(dst);
    if (n + 1 >= cap) return;
    size_t k = strlen(src);
    if (k > cap - n - 1) k = cap - n - 1;
    memcpy(dst + n, src, k);
    dst[n + k] = '\0';
}

/* The words of name[0..len) (tokens split on '_'), translated where known. */
static void _words(const char *name, size_t len, shap_lang lang, char *out, size_t cap)
{
    size_t i = 0;
    int first = 1;
    while (i < len) {
        size_t j = i;
        while (j < len && name[j] != '_') j++;
        char tok[64];
        size_t tl = j - i < sizeof tok - 1 ? j - i : sizeof tok - 1;
        memcpy(tok, name + i, tl);
        tok[tl] = '\0';
        const char *w = NULL;
        int known = 0;
        for (size_t t = 0; t < N_TOKENS; t++)
            if (!strcmp(tok, _tokens[t].tok)) {
                w = _lang(lang, _tokens[t].en, _tokens[t].fr);
                known = 1;
                break;
            }
        if (!known) {
            for (size_t c = 0; c < tl; c++)
                if (tok[c] >= 'A' && tok[c] <= 'Z') tok[c] = (char)(tok[c] - 'A' + 'a');
            w = tok;
        }
        if (w && *w) {
            if (!first) _cat(out, cap, " ");
            _cat(out, cap, w);
            first = 0;
        }
        i = j + 1;
    }
}

/* Append the words of name after its first `skip` bytes, without its aggregation suffix;
 * returns that suffix's index, or -1 when there is none to word. A name that is only the
 * prefix and the suffix (POS_COUNT: "_COUNT" overlaps "POS_") gets the suffix's word. */
static int _words_agg(const char *name, size_t skip, shap_lang lang, char *out, size_t cap)
{
    int a = _agg_of(name);
    if (a >= 0 && strlen(name) < skip + strlen(_aggs[a].suffix)) {
        _cat(out, cap, _lang(lang, _aggs[a].en, _aggs[a].fr));
        return -1;
    }
    size_t len = strlen(name) - skip - (a >= 0 ? strlen(_aggs[a].suffix) : 0);
    _words(name + skip, len, lang, out, cap);
    return a;
}

/* Append " (<word of aggregation a>)" when a >= 0. */
static void _cat_agg(char *out, size_t cap, int a, shap_lang lang)
{
    if (a < 0) return;
    _cat(out, cap, " (");
    _cat(out, cap, _lang(lang, _aggs[a].en, _aggs[a].fr));
    _cat(out, cap, ")");
}

/* Label, code and value format of a feature name. */
static _vfmt _describe(const char *name, shap_lang lang, char *label, size_t cap, char *code)
{
    label[0] = '\0';
    for (size_t k = 0; k < N_TABLE; k++) {
        const _entry *e = &_table[k];
        int agg = -1;
        switch (e->match) {
        case M_EXACT:
            if (strcmp(name, e->key)) continue;
            break;
        case M_PREFIX:
            if (!_starts(name, e->key)) continue;
            break;
        case M_PREFIX_AGG:
            agg = _agg_of(name);
            if (!_starts(name, e->key) || agg < 0 ||
                strlen(name) != strlen(e->key) + strlen(_aggs[agg].suffix))
                continue;
            break;
        case M_CONTAINS:
            if (!strstr(name, e->key) ||
                !(_starts(name, "BURO_") || _starts(name, "ACTIVE_") || _starts(name, "CLOSED_")))
                continue;
            break;
        }
        memcpy(code, e->code, 5);
        _cat(label, cap, _lang(lang, e->en, e->fr));
        if (e->match == M_PREFIX) _cat(label, cap, name + strlen(e->key));
        if (e->match == M_CONTAINS) {
            _cat(label, cap, ": ");
            agg = _words_agg(name, (size_t)(strchr(name, '_') - name + 1), lang, label, cap);
        }
        _cat_agg(label, cap, agg, lang);
        return e->fmt;
    }
    /* the generic rule */
    const char *src = _lang(lang, "Application", "Demande");
    const char *c = "RC50";
    size_t skip = 0;
    for (size_t s = 0; s < N_SOURCES; s++)
        if (_starts(name, _sources[s].prefix)) {
            src = _lang(lang, _sources[s].en, _sources[s].fr);
            c = _sources[s].code;
            skip = strlen(_sources[s].prefix);
            break;
        }
    memcpy(code, c, 5);
    _cat(label, cap, src);
    _cat(label, cap, lang == SHAP_LANG_FR ? " : " : ": ");
    _cat_agg(label, cap, _words_agg(name, skip, lang, label, cap), lang);
    return V_NUM;
}

void shap_feature_label(const char *name, shap_lang lang, char *label, size_t label_cap, char *code)
{
    _describe(name ? name : "", lang, label, label_cap, code);
}

/* ---- number formatting without the locale -------------------------------------------- */

/* v with `sig` significant digits (sig >= 1), or `dec` decimals when dec >= 0. */
static void _num(double v, int sig, int dec, shap_lang lang, char *out, size_t cap)
{
    double r;
    if (v == 0 || !isfinite(v)) {
        r = v;
    } else if (dec >= 0) {
        double p = pow(10, dec);
        r = round(v * p) / p;
    } else {
        int e = (int)floor(log10(fabs(v))) - (sig - 1);
        r = e < 0 ? round(v * pow(10, -e)) / pow(10, -e) : round(v / pow(10, e)) * pow(10, e);
    }
    if (r == 0) r = 0;      /* no "-0" */
    cs_fmt_double(out, cap, r);
    if (lang == SHAP_LANG_FR) {
        char *dot = strchr(out, '.');
        if (dot) *dot = ',';
    }
}

static void _value(double v, _vfmt f, shap_lang lang, char *out, size_t cap)
{
    char num[40];
    out[0] = '\0';
    switch (f) {
    case V_NONE:
        return;
    case V_AGE:
        _num(floor(-v / 365.25), 0, 0, lang, num, sizeof num);
        snprintf(out, cap, "%s %s", num, _lang(lang, "years", "ans"));
        return;
    case V_YEARS:
        _num(fabs(v) / 365.25, 0, 1, lang, num, sizeof num);
        snprintf(out, cap, "%s %s", num, _lang(lang, "years", "ans"));
        return;
    case V_PCT:
        _num(v * 100, 3, -1, lang, num, sizeof num);
        snprintf(out, cap, "%s%s", num, lang == SHAP_LANG_FR ? " %" : "%");
        return;
    case V_MONEY:
        _num(v, 0, 0, lang, out, cap);
        return;
    case V_FLAG:
        snprintf(out, cap, "%s", v != 0 ? _lang(lang, "yes", "oui") : _lang(lang, "no", "non"));
        return;
    case V_NUM:
        _num(v, 3, -1, lang, out, cap);
        return;
    }
}

/* ---- reasons ---------------------------------------------------------------------------- */

cs_status shap_lang_from_name(const char *name, shap_lang *out, cs_err *err)
{
    if (name && !strcasecmp(name, "en")) *out = SHAP_LANG_EN;
    else if (name && !strcasecmp(name, "fr")) *out = SHAP_LANG_FR;
    else return cs_err_set(err, CS_EINVAL, "language '%s': expected en or fr", name ? name : "");
    return CS_OK;
}

size_t shap_reasons_labelled(const double *phi, const double *x, const char *const *names, size_t n_feats,
                             size_t k, shap_lang lang, const shap_labeller *lab, shap_reason *out)
{
    size_t found = 0;
    while (found < k) {
        size_t best = n_feats;
        for (size_t j = 0; j < n_feats; j++) {
            if (!(phi[j] > 0)) continue;
            int taken = 0;
            for (size_t q = 0; q < found && !taken; q++) taken = out[q].feature == j;
            if (taken) continue;
            if (best == n_feats || phi[j] > phi[best]) best = j;
        }
        if (best == n_feats) break;
        shap_reason *r = &out[found++];
        const char *name = names && names[best] ? names[best] : "";
        char val[64];
        int own = 0;
        _vfmt f = V_NUM;
        memset(r, 0, sizeof *r);
        r->feature = best;
        r->contribution = phi[best];
        r->value = x[best];
        if (lab && lab->label) own = lab->label(lab->ud, name, lang, r->label, sizeof r->label, r->code);
        if (!own) f = _describe(name, lang, r->label, sizeof r->label, r->code);
        if (x[best] != x[best]) {
            snprintf(r->text, sizeof r->text, "%s%s", r->label,
                     _lang(lang, ": not known, which raises the estimated risk of default.",
                           " : non renseigné, ce qui augmente le risque de défaut estimé."));
            continue;
        }
        if (!(own && lab->format && lab->format(lab->ud, name, x[best], lang, val, sizeof val)))
            _value(x[best], f, lang, val, sizeof val);
        snprintf(r->text, sizeof r->text, "%s%s%s%s %s", r->label, val[0] ? " (" : "", val, val[0] ? ")" : "",
                 _lang(lang, "raises the estimated risk of default.", "augmente le risque de défaut estimé."));
    }
    return found;
}

size_t shap_reasons(const double *phi, const double *x, const char *const *names, size_t n_feats,
                    size_t k, shap_lang lang, shap_reason *out)
{
    return shap_reasons_labelled(phi, x, names, n_feats, k, lang, NULL, out);
}
