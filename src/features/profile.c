/*
 * profile.c: the kernel feature set's client card (see profile.h).
 */
#include "profile.h"

#include <stddef.h>

#define DAYS_EMPLOYED_ANOMALY 365243.0   /* the data set's "not employed" marker */
#define DAYS_TO_YEARS (-1.0 / 365.25)     /* days before the application -> years */

const feat_profile_field feat_kernel_profile[FEAT_KERNEL_N_PROFILE] = {
    {"age_years", "DAYS_BIRTH", 0, DAYS_TO_YEARS, 0, {0}, "Age", "Âge", "years"},
    {"children", "CNT_CHILDREN", 0, 1, 0, {0}, "Children", "Enfants", NULL},
    {"family_members", "CNT_FAM_MEMBERS", 0, 1, 0, {0}, "Family members", "Membres de la famille", NULL},
    {"income", "AMT_INCOME_TOTAL", 0, 1, 0, {0}, "Income", "Revenu", "currency"},
    {"employment_years", "DAYS_EMPLOYED", 0, DAYS_TO_YEARS, 1, {DAYS_EMPLOYED_ANOMALY}, "Employed for", "En emploi depuis",
     "years"},
    {"credit", "AMT_CREDIT", 0, 1, 0, {0}, "Credit amount", "Montant du crédit", "currency"},
    {"annuity", "AMT_ANNUITY", 0, 1, 0, {0}, "Annuity", "Annuité", "currency"},
    {"goods_price", "AMT_GOODS_PRICE", 0, 1, 0, {0}, "Goods price", "Prix du bien", "currency"},
    {"ext_source_1", "EXT_SOURCE_1", 0, 1, 0, {0}, "External score 1", "Score externe 1", NULL},
    {"ext_source_2", "EXT_SOURCE_2", 0, 1, 0, {0}, "External score 2", "Score externe 2", NULL},
    {"ext_source_3", "EXT_SOURCE_3", 0, 1, 0, {0}, "External score 3", "Score externe 3", NULL},
    {"region_rating", "REGION_RATING_CLIENT", 0, 1, 0, {0}, "Region rating", "Note de la région", NULL},
    {"car_age_years", "OWN_CAR_AGE", 0, 1, 0, {0}, "Car age", "Âge de la voiture", "years"},
    {"contract_type", "NAME_CONTRACT_TYPE", 1, 0, 0, {0}, "Contract type", "Type de contrat", NULL},
    {"gender", "CODE_GENDER", 1, 0, 0, {0}, "Gender", "Genre", NULL},
    {"own_car", "FLAG_OWN_CAR", 1, 0, 0, {0}, "Owns a car", "Possède une voiture", NULL},
    {"own_realty", "FLAG_OWN_REALTY", 1, 0, 0, {0}, "Owns real estate", "Propriétaire", NULL},
    {"family_status", "NAME_FAMILY_STATUS", 1, 0, 0, {0}, "Family status", "Situation familiale", NULL},
    {"education", "NAME_EDUCATION_TYPE", 1, 0, 0, {0}, "Education", "Études", NULL},
    {"income_type", "NAME_INCOME_TYPE", 1, 0, 0, {0}, "Income type", "Type de revenu", NULL},
    {"occupation", "OCCUPATION_TYPE", 1, 0, 0, {0}, "Occupation", "Profession", NULL},
    {"housing_type", "NAME_HOUSING_TYPE", 1, 0, 0, {0}, "Housing", "Logement", NULL},
};
