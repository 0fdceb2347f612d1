/*
 * hc_schema.c: the column lists and types of the eight Home Credit tables, copied from the
 * real CSV headers (../shared/docs/homecredit-data.md §1.1), and the mapping between a
 * table and its file name. Static data only; see hc_schema.h for the contract.
 */
#include "hc_schema.h"

#include <string.h>

/* ---- column lists (file order) ------------------------------------------------------- */

static const tbl_colspec _app_train[] = {
    {"SK_ID_CURR", TBL_NUM, 1, 1}, {"TARGET", TBL_NUM, 1, 0}, {"NAME_CONTRACT_TYPE", TBL_CAT, 1, 0},
    {"CODE_GENDER", TBL_CAT, 1, 0}, {"FLAG_OWN_CAR", TBL_CAT, 1, 0}, {"FLAG_OWN_REALTY", TBL_CAT, 1, 0},
    {"CNT_CHILDREN", TBL_NUM, 1, 0}, {"AMT_INCOME_TOTAL", TBL_NUM, 1, 0}, {"AMT_CREDIT", TBL_NUM, 1, 0},
    {"AMT_ANNUITY", TBL_NUM, 1, 0}, {"AMT_GOODS_PRICE", TBL_NUM, 1, 0},
    {"NAME_TYPE_SUITE", TBL_CAT, 1, 0}, {"NAME_INCOME_TYPE", TBL_CAT, 1, 0},
    {"NAME_EDUCATION_TYPE", TBL_CAT, 1, 0}, {"NAME_FAMILY_STATUS", TBL_CAT, 1, 0},
    {"NAME_HOUSING_TYPE", TBL_CAT, 1, 0}, {"REGION_POPULATION_RELATIVE", TBL_NUM, 1, 0},
    {"DAYS_BIRTH", TBL_NUM, 1, 0}, {"DAYS_EMPLOYED", TBL_NUM, 1, 0},
    {"DAYS_REGISTRATION", TBL_NUM, 1, 0}, {"DAYS_ID_PUBLISH", TBL_NUM, 1, 0},
    {"OWN_CAR_AGE", TBL_NUM, 1, 0}, {"FLAG_MOBIL", TBL_NUM, 1, 0}, {"FLAG_EMP_PHONE", TBL_NUM, 1, 0},
    {"FLAG_WORK_PHONE", TBL_NUM, 1, 0}, {"FLAG_CONT_MOBILE", TBL_NUM, 1, 0},
    {"FLAG_PHONE", TBL_NUM, 1, 0}, {"FLAG_EMAIL", TBL_NUM, 1, 0}, {"OCCUPATION_TYPE", TBL_CAT, 1, 0},
    {"CNT_FAM_MEMBERS", TBL_NUM, 1, 0}, {"REGION_RATING_CLIENT", TBL_NUM, 1, 0},
    {"REGION_RATING_CLIENT_W_CITY", TBL_NUM, 1, 0}, {"WEEKDAY_APPR_PROCESS_START", TBL_CAT, 1, 0},
    {"HOUR_APPR_PROCESS_START", TBL_NUM, 1, 0}, {"REG_REGION_NOT_LIVE_REGION", TBL_NUM, 1, 0},
    {"REG_REGION_NOT_WORK_REGION", TBL_NUM, 1, 0}, {"LIVE_REGION_NOT_WORK_REGION", TBL_NUM, 1, 0},
    {"REG_CITY_NOT_LIVE_CITY", TBL_NUM, 1, 0}, {"REG_CITY_NOT_WORK_CITY", TBL_NUM, 1, 0},
    {"LIVE_CITY_NOT_WORK_CITY", TBL_NUM, 1, 0}, {"ORGANIZATION_TYPE", TBL_CAT, 1, 0},
    {"EXT_SOURCE_1", TBL_NUM, 1, 0}, {"EXT_SOURCE_2", TBL_NUM, 1, 0}, {"EXT_SOURCE_3", TBL_NUM, 1, 0},
    {"APARTMENTS_AVG", TBL_NUM, 1, 0}, {"BASEMENTAREA_AVG", TBL_NUM, 1, 0},
    {"YEARS_BEGINEXPLUATATION_AVG", TBL_NUM, 1, 0}, {"YEARS_BUILD_AVG", TBL_NUM, 1, 0},
    {"COMMONAREA_AVG", TBL_NUM, 1, 0}, {"ELEVATORS_AVG", TBL_NUM, 1, 0},
    {"ENTRANCES_AVG", TBL_NUM, 1, 0}, {"FLOORSMAX_AVG", TBL_NUM, 1, 0}, {"FLOORSMIN_AVG", TBL_NUM, 1, 0},
    {"LANDAREA_AVG", TBL_NUM, 1, 0}, {"LIVINGAPARTMENTS_AVG", TBL_NUM, 1, 0},
    {"LIVINGAREA_AVG", TBL_NUM, 1, 0}, {"NONLIVINGAPARTMENTS_AVG", TBL_NUM, 1, 0},
    {"NONLIVINGAREA_AVG", TBL_NUM, 1, 0}, {"APARTMENTS_MODE", TBL_NUM, 1, 0},
    {"BASEMENTAREA_MODE", TBL_NUM, 1, 0}, {"YEARS_BEGINEXPLUATATION_MODE", TBL_NUM, 1, 0},
    {"YEARS_BUILD_MODE", TBL_NUM, 1, 0}, {"COMMONAREA_MODE", TBL_NUM, 1, 0},
    {"ELEVATORS_MODE", TBL_NUM, 1, 0}, {"ENTRANCES_MODE", TBL_NUM, 1, 0},
    {"FLOORSMAX_MODE", TBL_NUM, 1, 0}, {"FLOORSMIN_MODE", TBL_NUM, 1, 0},
    {"LANDAREA_MODE", TBL_NUM, 1, 0}, {"LIVINGAPARTMENTS_MODE", TBL_NUM, 1, 0},
    {"LIVINGAREA_MODE", TBL_NUM, 1, 0}, {"NONLIVINGAPARTMENTS_MODE", TBL_NUM, 1, 0},
    {"NONLIVINGAREA_MODE", TBL_NUM, 1, 0}, {"APARTMENTS_MEDI", TBL_NUM, 1, 0},
    {"BASEMENTAREA_MEDI", TBL_NUM, 1, 0}, {"YEARS_BEGINEXPLUATATION_MEDI", TBL_NUM, 1, 0},
    {"YEARS_BUILD_MEDI", TBL_NUM, 1, 0}, {"COMMONAREA_MEDI", TBL_NUM, 1, 0},
    {"ELEVATORS_MEDI", TBL_NUM, 1, 0}, {"ENTRANCES_MEDI", TBL_NUM, 1, 0},
    {"FLOORSMAX_MEDI", TBL_NUM, 1, 0}, {"FLOORSMIN_MEDI", TBL_NUM, 1, 0},
    {"LANDAREA_MEDI", TBL_NUM, 1, 0}, {"LIVINGAPARTMENTS_MEDI", TBL_NUM, 1, 0},
    {"LIVINGAREA_MEDI", TBL_NUM, 1, 0}, {"NONLIVINGAPARTMENTS_MEDI", TBL_NUM, 1, 0},
    {"NONLIVINGAREA_MEDI", TBL_NUM, 1, 0}, {"FONDKAPREMONT_MODE", TBL_CAT, 1, 0},
    {"HOUSETYPE_MODE", TBL_CAT, 1, 0}, {"TOTALAREA_MODE", TBL_NUM, 1, 0},
    {"WALLSMATERIAL_MODE", TBL_CAT, 1, 0}, {"EMERGENCYSTATE_MODE", TBL_CAT, 1, 0},
    {"OBS_30_CNT_SOCIAL_CIRCLE", TBL_NUM, 1, 0}, {"DEF_30_CNT_SOCIAL_CIRCLE", TBL_NUM, 1, 0},
    {"OBS_60_CNT_SOCIAL_CIRCLE", TBL_NUM, 1, 0}, {"DEF_60_CNT_SOCIAL_CIRCLE", TBL_NUM, 1, 0},
    {"DAYS_LAST_PHONE_CHANGE", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_2", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_3", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_4", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_5", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_6", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_7", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_8", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_9", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_10", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_11", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_12", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_13", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_14", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_15", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_16", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_17", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_18", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_19", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_20", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_21", TBL_NUM, 1, 0}, {"AMT_REQ_CREDIT_BUREAU_HOUR", TBL_NUM, 1, 0},
    {"AMT_REQ_CREDIT_BUREAU_DAY", TBL_NUM, 1, 0}, {"AMT_REQ_CREDIT_BUREAU_WEEK", TBL_NUM, 1, 0},
    {"AMT_REQ_CREDIT_BUREAU_MON", TBL_NUM, 1, 0}, {"AMT_REQ_CREDIT_BUREAU_QRT", TBL_NUM, 1, 0},
    {"AMT_REQ_CREDIT_BUREAU_YEAR", TBL_NUM, 1, 0},
};

static const tbl_colspec _app_test[] = {
    {"SK_ID_CURR", TBL_NUM, 1, 1}, {"NAME_CONTRACT_TYPE", TBL_CAT, 1, 0}, {"CODE_GENDER", TBL_CAT, 1, 0},
    {"FLAG_OWN_CAR", TBL_CAT, 1, 0}, {"FLAG_OWN_REALTY", TBL_CAT, 1, 0}, {"CNT_CHILDREN", TBL_NUM, 1, 0},
    {"AMT_INCOME_TOTAL", TBL_NUM, 1, 0}, {"AMT_CREDIT", TBL_NUM, 1, 0}, {"AMT_ANNUITY", TBL_NUM, 1, 0},
    {"AMT_GOODS_PRICE", TBL_NUM, 1, 0}, {"NAME_TYPE_SUITE", TBL_CAT, 1, 0},
    {"NAME_INCOME_TYPE", TBL_CAT, 1, 0}, {"NAME_EDUCATION_TYPE", TBL_CAT, 1, 0},
    {"NAME_FAMILY_STATUS", TBL_CAT, 1, 0}, {"NAME_HOUSING_TYPE", TBL_CAT, 1, 0},
    {"REGION_POPULATION_RELATIVE", TBL_NUM, 1, 0}, {"DAYS_BIRTH", TBL_NUM, 1, 0},
    {"DAYS_EMPLOYED", TBL_NUM, 1, 0}, {"DAYS_REGISTRATION", TBL_NUM, 1, 0},
    {"DAYS_ID_PUBLISH", TBL_NUM, 1, 0}, {"OWN_CAR_AGE", TBL_NUM, 1, 0}, {"FLAG_MOBIL", TBL_NUM, 1, 0},
    {"FLAG_EMP_PHONE", TBL_NUM, 1, 0}, {"FLAG_WORK_PHONE", TBL_NUM, 1, 0},
    {"FLAG_CONT_MOBILE", TBL_NUM, 1, 0}, {"FLAG_PHONE", TBL_NUM, 1, 0}, {"FLAG_EMAIL", TBL_NUM, 1, 0},
    {"OCCUPATION_TYPE", TBL_CAT, 1, 0}, {"CNT_FAM_MEMBERS", TBL_NUM, 1, 0},
    {"REGION_RATING_CLIENT", TBL_NUM, 1, 0}, {"REGION_RATING_CLIENT_W_CITY", TBL_NUM, 1, 0},
    {"WEEKDAY_APPR_PROCESS_START", TBL_CAT, 1, 0}, {"HOUR_APPR_PROCESS_START", TBL_NUM, 1, 0},
    {"REG_REGION_NOT_LIVE_REGION", TBL_NUM, 1, 0}, {"REG_REGION_NOT_WORK_REGION", TBL_NUM, 1, 0},
    {"LIVE_REGION_NOT_WORK_REGION", TBL_NUM, 1, 0}, {"REG_CITY_NOT_LIVE_CITY", TBL_NUM, 1, 0},
    {"REG_CITY_NOT_WORK_CITY", TBL_NUM, 1, 0}, {"LIVE_CITY_NOT_WORK_CITY", TBL_NUM, 1, 0},
    {"ORGANIZATION_TYPE", TBL_CAT, 1, 0}, {"EXT_SOURCE_1", TBL_NUM, 1, 0},
    {"EXT_SOURCE_2", TBL_NUM, 1, 0}, {"EXT_SOURCE_3", TBL_NUM, 1, 0}, {"APARTMENTS_AVG", TBL_NUM, 1, 0},
    {"BASEMENTAREA_AVG", TBL_NUM, 1, 0}, {"YEARS_BEGINEXPLUATATION_AVG", TBL_NUM, 1, 0},
    {"YEARS_BUILD_AVG", TBL_NUM, 1, 0}, {"COMMONAREA_AVG", TBL_NUM, 1, 0},
    {"ELEVATORS_AVG", TBL_NUM, 1, 0}, {"ENTRANCES_AVG", TBL_NUM, 1, 0}, {"FLOORSMAX_AVG", TBL_NUM, 1, 0},
    {"FLOORSMIN_AVG", TBL_NUM, 1, 0}, {"LANDAREA_AVG", TBL_NUM, 1, 0},
    {"LIVINGAPARTMENTS_AVG", TBL_NUM, 1, 0}, {"LIVINGAREA_AVG", TBL_NUM, 1, 0},
    {"NONLIVINGAPARTMENTS_AVG", TBL_NUM, 1, 0}, {"NONLIVINGAREA_AVG", TBL_NUM, 1, 0},
    {"APARTMENTS_MODE", TBL_NUM, 1, 0}, {"BASEMENTAREA_MODE", TBL_NUM, 1, 0},
    {"YEARS_BEGINEXPLUATATION_MODE", TBL_NUM, 1, 0}, {"YEARS_BUILD_MODE", TBL_NUM, 1, 0},
    {"COMMONAREA_MODE", TBL_NUM, 1, 0}, {"ELEVATORS_MODE", TBL_NUM, 1, 0},
    {"ENTRANCES_MODE", TBL_NUM, 1, 0}, {"FLOORSMAX_MODE", TBL_NUM, 1, 0},
    {"FLOORSMIN_MODE", TBL_NUM, 1, 0}, {"LANDAREA_MODE", TBL_NUM, 1, 0},
    {"LIVINGAPARTMENTS_MODE", TBL_NUM, 1, 0}, {"LIVINGAREA_MODE", TBL_NUM, 1, 0},
    {"NONLIVINGAPARTMENTS_MODE", TBL_NUM, 1, 0}, {"NONLIVINGAREA_MODE", TBL_NUM, 1, 0},
    {"APARTMENTS_MEDI", TBL_NUM, 1, 0}, {"BASEMENTAREA_MEDI", TBL_NUM, 1, 0},
    {"YEARS_BEGINEXPLUATATION_MEDI", TBL_NUM, 1, 0}, {"YEARS_BUILD_MEDI", TBL_NUM, 1, 0},
    {"COMMONAREA_MEDI", TBL_NUM, 1, 0}, {"ELEVATORS_MEDI", TBL_NUM, 1, 0},
    {"ENTRANCES_MEDI", TBL_NUM, 1, 0}, {"FLOORSMAX_MEDI", TBL_NUM, 1, 0},
    {"FLOORSMIN_MEDI", TBL_NUM, 1, 0}, {"LANDAREA_MEDI", TBL_NUM, 1, 0},
    {"LIVINGAPARTMENTS_MEDI", TBL_NUM, 1, 0}, {"LIVINGAREA_MEDI", TBL_NUM, 1, 0},
    {"NONLIVINGAPARTMENTS_MEDI", TBL_NUM, 1, 0}, {"NONLIVINGAREA_MEDI", TBL_NUM, 1, 0},
    {"FONDKAPREMONT_MODE", TBL_CAT, 1, 0}, {"HOUSETYPE_MODE", TBL_CAT, 1, 0},
    {"TOTALAREA_MODE", TBL_NUM, 1, 0}, {"WALLSMATERIAL_MODE", TBL_CAT, 1, 0},
    {"EMERGENCYSTATE_MODE", TBL_CAT, 1, 0}, {"OBS_30_CNT_SOCIAL_CIRCLE", TBL_NUM, 1, 0},
    {"DEF_30_CNT_SOCIAL_CIRCLE", TBL_NUM, 1, 0}, {"OBS_60_CNT_SOCIAL_CIRCLE", TBL_NUM, 1, 0},
    {"DEF_60_CNT_SOCIAL_CIRCLE", TBL_NUM, 1, 0}, {"DAYS_LAST_PHONE_CHANGE", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_2", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_3", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_4", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_5", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_6", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_7", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_8", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_9", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_10", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_11", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_12", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_13", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_14", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_15", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_16", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_17", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_18", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_19", TBL_NUM, 1, 0},
    {"FLAG_DOCUMENT_20", TBL_NUM, 1, 0}, {"FLAG_DOCUMENT_21", TBL_NUM, 1, 0},
    {"AMT_REQ_CREDIT_BUREAU_HOUR", TBL_NUM, 1, 0}, {"AMT_REQ_CREDIT_BUREAU_DAY", TBL_NUM, 1, 0},
    {"AMT_REQ_CREDIT_BUREAU_WEEK", TBL_NUM, 1, 0}, {"AMT_REQ_CREDIT_BUREAU_MON", TBL_NUM, 1, 0},
    {"AMT_REQ_CREDIT_BUREAU_QRT", TBL_NUM, 1, 0}, {"AMT_REQ_CREDIT_BUREAU_YEAR", TBL_NUM, 1, 0},
};

static const tbl_colspec _bureau[] = {
    {"SK_ID_CURR", TBL_NUM, 1, 1}, {"SK_ID_BUREAU", TBL_NUM, 1, 1}, {"CREDIT_ACTIVE", TBL_CAT, 1, 0},
    {"CREDIT_CURRENCY", TBL_CAT, 1, 0}, {"DAYS_CREDIT", TBL_NUM, 1, 0},
    {"CREDIT_DAY_OVERDUE", TBL_NUM, 1, 0}, {"DAYS_CREDIT_ENDDATE", TBL_NUM, 1, 0},
    {"DAYS_ENDDATE_FACT", TBL_NUM, 1, 0}, {"AMT_CREDIT_MAX_OVERDUE", TBL_NUM, 1, 0},
    {"CNT_CREDIT_PROLONG", TBL_NUM, 1, 0}, {"AMT_CREDIT_SUM", TBL_NUM, 1, 0},
    {"AMT_CREDIT_SUM_DEBT", TBL_NUM, 1, 0}, {"AMT_CREDIT_SUM_LIMIT", TBL_NUM, 1, 0},
    {"AMT_CREDIT_SUM_OVERDUE", TBL_NUM, 1, 0}, {"CREDIT_TYPE", TBL_CAT, 1, 0},
    {"DAYS_CREDIT_UPDATE", TBL_NUM, 1, 0}, {"AMT_ANNUITY", TBL_NUM, 1, 0},
};

static const tbl_colspec _bureau_balance[] = {
    {"SK_ID_BUREAU", TBL_NUM, 1, 1}, {"MONTHS_BALANCE", TBL_NUM, 1, 0}, {"STATUS", TBL_CAT, 1, 0},
};

static const tbl_colspec _previous[] = {
    {"SK_ID_PREV", TBL_NUM, 1, 1}, {"SK_ID_CURR", TBL_NUM, 1, 1}, {"NAME_CONTRACT_TYPE", TBL_CAT, 1, 0},
    {"AMT_ANNUITY", TBL_NUM, 1, 0}, {"AMT_APPLICATION", TBL_NUM, 1, 0}, {"AMT_CREDIT", TBL_NUM, 1, 0},
    {"AMT_DOWN_PAYMENT", TBL_NUM, 1, 0}, {"AMT_GOODS_PRICE", TBL_NUM, 1, 0},
    {"WEEKDAY_APPR_PROCESS_START", TBL_CAT, 1, 0}, {"HOUR_APPR_PROCESS_START", TBL_NUM, 1, 0},
    {"FLAG_LAST_APPL_PER_CONTRACT", TBL_CAT, 1, 0}, {"NFLAG_LAST_APPL_IN_DAY", TBL_NUM, 1, 0},
    {"RATE_DOWN_PAYMENT", TBL_NUM, 1, 0}, {"RATE_INTEREST_PRIMARY", TBL_NUM, 1, 0},
    {"RATE_INTEREST_PRIVILEGED", TBL_NUM, 1, 0}, {"NAME_CASH_LOAN_PURPOSE", TBL_CAT, 1, 0},
    {"NAME_CONTRACT_STATUS", TBL_CAT, 1, 0}, {"DAYS_DECISION", TBL_NUM, 1, 0},
    {"NAME_PAYMENT_TYPE", TBL_CAT, 1, 0}, {"CODE_REJECT_REASON", TBL_CAT, 1, 0},
    {"NAME_TYPE_SUITE", TBL_CAT, 1, 0}, {"NAME_CLIENT_TYPE", TBL_CAT, 1, 0},
    {"NAME_GOODS_CATEGORY", TBL_CAT, 1, 0}, {"NAME_PORTFOLIO", TBL_CAT, 1, 0},
    {"NAME_PRODUCT_TYPE", TBL_CAT, 1, 0}, {"CHANNEL_TYPE", TBL_CAT, 1, 0},
    {"SELLERPLACE_AREA", TBL_NUM, 1, 0}, {"NAME_SELLER_INDUSTRY", TBL_CAT, 1, 0},
    {"CNT_PAYMENT", TBL_NUM, 1, 0}, {"NAME_YIELD_GROUP", TBL_CAT, 1, 0},
    {"PRODUCT_COMBINATION", TBL_CAT, 1, 0}, {"DAYS_FIRST_DRAWING", TBL_NUM, 1, 0},
    {"DAYS_FIRST_DUE", TBL_NUM, 1, 0}, {"DAYS_LAST_DUE_1ST_VERSION", TBL_NUM, 1, 0},
    {"DAYS_LAST_DUE", TBL_NUM, 1, 0}, {"DAYS_TERMINATION", TBL_NUM, 1, 0},
    {"NFLAG_INSURED_ON_APPROVAL", TBL_NUM, 1, 0},
};

static const tbl_colspec _pos_cash[] = {
    {"SK_ID_PREV", TBL_NUM, 1, 1}, {"SK_ID_CURR", TBL_NUM, 1, 1}, {"MONTHS_BALANCE", TBL_NUM, 1, 0},
    {"CNT_INSTALMENT", TBL_NUM, 1, 0}, {"CNT_INSTALMENT_FUTURE", TBL_NUM, 1, 0},
    {"NAME_CONTRACT_STATUS", TBL_CAT, 1, 0}, {"SK_DPD", TBL_NUM, 1, 0}, {"SK_DPD_DEF", TBL_NUM, 1, 0},
};

static const tbl_colspec _installments[] = {
    {"SK_ID_PREV", TBL_NUM, 1, 1}, {"SK_ID_CURR", TBL_NUM, 1, 1},
    {"NUM_INSTALMENT_VERSION", TBL_NUM, 1, 0}, {"NUM_INSTALMENT_NUMBER", TBL_NUM, 1, 0},
    {"DAYS_INSTALMENT", TBL_NUM, 1, 0}, {"DAYS_ENTRY_PAYMENT", TBL_NUM, 1, 0},
    {"AMT_INSTALMENT", TBL_NUM, 1, 0}, {"AMT_PAYMENT", TBL_NUM, 1, 0},
};

static const tbl_colspec _credit_card[] = {
    {"SK_ID_PREV", TBL_NUM, 1, 1}, {"SK_ID_CURR", TBL_NUM, 1, 1}, {"MONTHS_BALANCE", TBL_NUM, 1, 0},
    {"AMT_BALANCE", TBL_NUM, 1, 0}, {"AMT_CREDIT_LIMIT_ACTUAL", TBL_NUM, 1, 0},
    {"AMT_DRAWINGS_ATM_CURRENT", TBL_NUM, 1, 0}, {"AMT_DRAWINGS_CURRENT", TBL_NUM, 1, 0},
    {"AMT_DRAWINGS_OTHER_CURRENT", TBL_NUM, 1, 0}, {"AMT_DRAWINGS_POS_CURRENT", TBL_NUM, 1, 0},
    {"AMT_INST_MIN_REGULARITY", TBL_NUM, 1, 0}, {"AMT_PAYMENT_CURRENT", TBL_NUM, 1, 0},
    {"AMT_PAYMENT_TOTAL_CURRENT", TBL_NUM, 1, 0}, {"AMT_RECEIVABLE_PRINCIPAL", TBL_NUM, 1, 0},
    {"AMT_RECIVABLE", TBL_NUM, 1, 0}, {"AMT_TOTAL_RECEIVABLE", TBL_NUM, 1, 0},
    {"CNT_DRAWINGS_ATM_CURRENT", TBL_NUM, 1, 0}, {"CNT_DRAWINGS_CURRENT", TBL_NUM, 1, 0},
    {"CNT_DRAWINGS_OTHER_CURRENT", TBL_NUM, 1, 0}, {"CNT_DRAWINGS_POS_CURRENT", TBL_NUM, 1, 0},
    {"CNT_INSTALMENT_MATURE_CUM", TBL_NUM, 1, 0}, {"NAME_CONTRACT_STATUS", TBL_CAT, 1, 0},
    {"SK_DPD", TBL_NUM, 1, 0}, {"SK_DPD_DEF", TBL_NUM, 1, 0},
};
#define HC_N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const tbl_schema _schemas[HC_N_TABLES] = {
    [HC_APPLICATION_TRAIN] = {"application_train", HC_N(_app_train), _app_train},
    [HC_APPLICATION_TEST] = {"application_test", HC_N(_app_test), _app_test},
    [HC_BUREAU] = {"bureau", HC_N(_bureau), _bureau},
    [HC_BUREAU_BALANCE] = {"bureau_balance", HC_N(_bureau_balance), _bureau_balance},
    [HC_PREVIOUS_APPLICATION] = {"previous_application", HC_N(_previous), _previous},
    [HC_POS_CASH_BALANCE] = {"POS_CASH_balance", HC_N(_pos_cash), _pos_cash},
    [HC_INSTALLMENTS_PAYMENTS] = {"installments_payments", HC_N(_installments), _installments},
    [HC_CREDIT_CARD_BALANCE] = {"credit_card_balance", HC_N(_credit_card), _credit_card},
};

_Static_assert(HC_N(_app_train) == 122, "application_train has 122 columns");
_Static_assert(HC_N(_app_test) == 121, "application_test has 121 columns");
_Static_assert(HC_N(_bureau) == 17, "bureau has 17 columns");
_Static_assert(HC_N(_bureau_balance) == 3, "bureau_balance has 3 columns");
_Static_assert(HC_N(_previous) == 37, "previous_application has 37 columns");
_Static_assert(HC_N(_pos_cash) == 8, "POS_CASH_balance has 8 columns");
_Static_assert(HC_N(_installments) == 8, "installments_payments has 8 columns");
_Static_assert(HC_N(_credit_card) == 23, "credit_card_balance has 23 columns");

static const char *const _file_names[HC_N_TABLES] = {
    [HC_APPLICATION_TRAIN] = "application_train.csv",
    [HC_APPLICATION_TEST] = "application_test.csv",
    [HC_BUREAU] = "bureau.csv",
    [HC_BUREAU_BALANCE] = "bureau_balance.csv",
    [HC_PREVIOUS_APPLICATION] = "previous_application.csv",
    [HC_POS_CASH_BALANCE] = "POS_CASH_balance.csv",
    [HC_INSTALLMENTS_PAYMENTS] = "installments_payments.csv",
    [HC_CREDIT_CARD_BALANCE] = "credit_card_balance.csv",
};

/* ---- public functions ---------------------------------------------------------------- */

const tbl_schema *hc_schema(hc_table t)
{
    if ((int)t < 0 || t >= HC_N_TABLES) return NULL;
    return &_schemas[t];
}

const char *hc_file_name(hc_table t)
{
    if ((int)t < 0 || t >= HC_N_TABLES) return NULL;
    return _file_names[t];
}

int hc_table_from_file(const char *name)
{
    const char *base;
    if (!name) return -1;
    base = strrchr(name, '/');
    base = base ? base + 1 : name;
    for (int i = 0; i < HC_N_TABLES; i++)
        if (!strcmp(base, _file_names[i])) return i;
    return -1;
}
