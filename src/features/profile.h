/*
 * profile.h: the fields of a client card (the raw values the clients store keeps beside
 * each client's features, store/clients.h), and the kernel feature set's: Home Credit's
 * application columns. A recipe's profile fields are the other source (recipe.h,
 * rcp_profile_fields); the clients store itself knows no data set's columns.
 */
#ifndef CS_FEATURES_PROFILE_H
#define CS_FEATURES_PROFILE_H

#define FEAT_PROFILE_MAX_SENTINELS 4

/* A raw field of a client card: where it comes from and how it is shown. */
typedef struct feat_profile_field {
    const char *name;       /* as stored and as the API names it ("age_years", "person_income");
                             * letters, digits and '_' only */
    const char *source;     /* the raw table's column it is read from */
    int is_text;            /* 1: text (a category), 0: a number */
    double scale;           /* a number: stored = raw x scale (0 = 1; -1/365.25: days before -> years) */
    int n_sentinels;        /* raw values that mean missing (Home Credit's 365243 days) */
    double sentinels[FEAT_PROFILE_MAX_SENTINELS];
    const char *label_en;   /* NULL = the name */
    const char *label_fr;   /* NULL = label_en */
    const char *unit;       /* display unit ("years", "currency", "%", ...), NULL = none */
} feat_profile_field;

/* The kernel's client card: Home Credit's application fields, what `clients import` stores
 * without --recipe, joined on FEAT_KERNEL_KEY: the 13 numeric ones first (age_years,
 * children, family_members, income, employment_years, credit, annuity, goods_price,
 * ext_source_1..3, region_rating, car_age_years), then the 9 text ones (contract_type,
 * gender, own_car, own_realty, family_status, education, income_type, occupation,
 * housing_type). Also the fields of a clients store of format 1, which did not record them. */
#define FEAT_KERNEL_N_PROFILE 22
#define FEAT_KERNEL_KEY "SK_ID_CURR"
extern const feat_profile_field feat_kernel_profile[FEAT_KERNEL_N_PROFILE];

#endif /* CS_FEATURES_PROFILE_H */
