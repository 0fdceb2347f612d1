/*
 * ref.c: the real Home Credit figures the generator imitates and the check compares with:
 * per-column missing counts, quartiles and category counts of application_train/test
 * (../shared/docs/homecredit-data.md §1.2, full data), and the per-table figures of the
 * secondary tables (§0, §1.3 and the sample statistics of §1.3). Static data only.
 */
#include "synth_int.h"

#include <math.h>

static const synth_ref_cat _c_NAME_CONTRACT_TYPE[] = {{"Cash loans", 278232}, {"Revolving loans", 29279}};
static const synth_ref_cat _c_CODE_GENDER[] = {{"F", 202448}, {"M", 105059}, {"XNA", 4}};
static const synth_ref_cat _c_FLAG_OWN_CAR[] = {{"N", 202924}, {"Y", 104587}};
static const synth_ref_cat _c_FLAG_OWN_REALTY[] = {{"Y", 213312}, {"N", 94199}};
static const synth_ref_cat _c_NAME_TYPE_SUITE[] = {{"Unaccompanied", 248526}, {"Family", 40149}, {"Spouse, partner", 11370}, {"Children", 3267}, {"Other_B", 1770}, {"Other_A", 866}, {"Group of people", 271}};
static const synth_ref_cat _c_NAME_INCOME_TYPE[] = {{"Working", 158774}, {"Commercial associate", 71617}, {"Pensioner", 55362}, {"State servant", 21703}, {"Unemployed", 22}, {"Student", 18}, {"Businessman", 10}, {"Maternity leave", 5}};
static const synth_ref_cat _c_NAME_EDUCATION_TYPE[] = {{"Secondary / secondary special", 218391}, {"Higher education", 74863}, {"Incomplete higher", 10277}, {"Lower secondary", 3816}, {"Academic degree", 164}};
static const synth_ref_cat _c_NAME_FAMILY_STATUS[] = {{"Married", 196432}, {"Single / not married", 45444}, {"Civil marriage", 29775}, {"Separated", 19770}, {"Widow", 16088}, {"Unknown", 2}};
static const synth_ref_cat _c_NAME_HOUSING_TYPE[] = {{"House / apartment", 272868}, {"With parents", 14840}, {"Municipal apartment", 11183}, {"Rented apartment", 4881}, {"Office apartment", 2617}, {"Co-op apartment", 1122}};
static const synth_ref_cat _c_OCCUPATION_TYPE[] = {{"Laborers", 55186}, {"Sales staff", 32102}, {"Core staff", 27570}, {"Managers", 21371}, {"Drivers", 18603}, {"High skill tech staff", 11380}, {"Accountants", 9813}, {"Medicine staff", 8537}, {"Security staff", 6721}, {"Cooking staff", 5946}, {"Cleaning staff", 4653}, {"Private service staff", 2652}, {"Low-skill Laborers", 2093}, {"Waiters/barmen staff", 1348}, {"Secretaries", 1305}, {"Realty agents", 751}, {"HR staff", 563}, {"IT staff", 526}};
static const synth_ref_cat _c_WEEKDAY_APPR_PROCESS_START[] = {{"TUESDAY", 53901}, {"WEDNESDAY", 51934}, {"MONDAY", 50714}, {"THURSDAY", 50591}, {"FRIDAY", 50338}, {"SATURDAY", 33852}, {"SUNDAY", 16181}};
static const synth_ref_cat _c_ORGANIZATION_TYPE[] = {{"Business Entity Type 3", 67992}, {"XNA", 55374}, {"Self-employed", 38412}, {"Other", 16683}, {"Medicine", 11193}, {"Business Entity Type 2", 10553}, {"Government", 10404}, {"School", 8893}, {"Trade: type 7", 7831}, {"Kindergarten", 6880}, {"Construction", 6721}, {"Business Entity Type 1", 5984}, {"Transport: type 4", 5398}, {"Trade: type 3", 3492}, {"Industry: type 9", 3368}, {"Industry: type 3", 3278}, {"Security", 3247}, {"Housing", 2958}, {"Industry: type 11", 2704}, {"Military", 2634}, {"Bank", 2507}, {"Agriculture", 2454}, {"Police", 2341}, {"Transport: type 2", 2204}, {"Postal", 2157}, {"Security Ministries", 1974}, {"Trade: type 2", 1900}, {"Restaurant", 1811}, {"Services", 1575}, {"University", 1327}, {"Industry: type 7", 1307}, {"Transport: type 3", 1187}, {"Industry: type 1", 1039}, {"Hotel", 966}, {"Electricity", 950}, {"Industry: type 4", 877}, {"Trade: type 6", 631}, {"Industry: type 5", 599}, {"Insurance", 597}, {"Telecom", 577}, {"Emergency", 560}, {"Industry: type 2", 458}, {"Advertising", 429}, {"Realtor", 396}, {"Culture", 379}, {"Industry: type 12", 369}, {"Trade: type 1", 348}, {"Mobile", 317}, {"Legal Services", 305}, {"Cleaning", 260}, {"Transport: type 1", 201}, {"Industry: type 6", 112}, {"Industry: type 10", 109}, {"Religion", 85}, {"Industry: type 13", 67}, {"Trade: type 4", 64}, {"Trade: type 5", 49}, {"Industry: type 8", 24}};
static const synth_ref_cat _c_FONDKAPREMONT_MODE[] = {{"reg oper account", 73830}, {"reg oper spec account", 12080}, {"not specified", 5687}, {"org spec account", 5619}};
static const synth_ref_cat _c_HOUSETYPE_MODE[] = {{"block of flats", 150503}, {"specific housing", 1499}, {"terraced house", 1212}};
static const synth_ref_cat _c_WALLSMATERIAL_MODE[] = {{"Panel", 66040}, {"Stone, brick", 64815}, {"Block", 9253}, {"Wooden", 5362}, {"Mixed", 2296}, {"Monolithic", 1779}, {"Others", 1625}};
static const synth_ref_cat _c_EMERGENCYSTATE_MODE[] = {{"No", 159428}, {"Yes", 2328}};

const synth_ref_col synth_ref_app[SYNTH_APP_NCOL] = {
    {"SK_ID_CURR", 0, 0, 0, 100002.0, 189146.0, 278202.0, 278181.0, 456255.0, 0, NULL},
    {"TARGET", 0, 0, 0, 0.0, 0.0, 0.0, 0.080729, 1.0, 0, NULL},
    {"NAME_CONTRACT_TYPE", 1, 0, 0, NAN, NAN, NAN, NAN, NAN, 2, _c_NAME_CONTRACT_TYPE},
    {"CODE_GENDER", 1, 0, 0, NAN, NAN, NAN, NAN, NAN, 3, _c_CODE_GENDER},
    {"FLAG_OWN_CAR", 1, 0, 0, NAN, NAN, NAN, NAN, NAN, 2, _c_FLAG_OWN_CAR},
    {"FLAG_OWN_REALTY", 1, 0, 0, NAN, NAN, NAN, NAN, NAN, 2, _c_FLAG_OWN_REALTY},
    {"CNT_CHILDREN", 0, 0, 0, 0.0, 0.0, 0.0, 0.417052, 19.0, 0, NULL},
    {"AMT_INCOME_TOTAL", 0, 0, 0, 25650.0, 112500.0, 147150.0, 168798.0, 117000000.0, 0, NULL},
    {"AMT_CREDIT", 0, 0, 0, 45000.0, 270000.0, 513531.0, 599026.0, 4050000.0, 0, NULL},
    {"AMT_ANNUITY", 0, 12, 24, 1615.5, 16524.0, 24903.0, 27108.6, 258026.0, 0, NULL},
    {"AMT_GOODS_PRICE", 0, 278, 0, 40500.0, 238500.0, 450000.0, 538396.0, 4050000.0, 0, NULL},
    {"NAME_TYPE_SUITE", 1, 1292, 911, NAN, NAN, NAN, NAN, NAN, 7, _c_NAME_TYPE_SUITE},
    {"NAME_INCOME_TYPE", 1, 0, 0, NAN, NAN, NAN, NAN, NAN, 8, _c_NAME_INCOME_TYPE},
    {"NAME_EDUCATION_TYPE", 1, 0, 0, NAN, NAN, NAN, NAN, NAN, 5, _c_NAME_EDUCATION_TYPE},
    {"NAME_FAMILY_STATUS", 1, 0, 0, NAN, NAN, NAN, NAN, NAN, 6, _c_NAME_FAMILY_STATUS},
    {"NAME_HOUSING_TYPE", 1, 0, 0, NAN, NAN, NAN, NAN, NAN, 6, _c_NAME_HOUSING_TYPE},
    {"REGION_POPULATION_RELATIVE", 0, 0, 0, 0.00029, 0.010006, 0.01885, 0.020868, 0.072508, 0, NULL},
    {"DAYS_BIRTH", 0, 0, 0, -25229.0, -19682.0, -15750.0, -16037.0, -7489.0, 0, NULL},
    {"DAYS_EMPLOYED", 0, 0, 0, -17912.0, -2760.0, -1213.0, 63815.0, 365243.0, 0, NULL},
    {"DAYS_REGISTRATION", 0, 0, 0, -24672.0, -7479.5, -4504.0, -4986.12, 0.0, 0, NULL},
    {"DAYS_ID_PUBLISH", 0, 0, 0, -7197.0, -4299.0, -3254.0, -2994.2, 0.0, 0, NULL},
    {"OWN_CAR_AGE", 0, 202929, 32312, 0.0, 5.0, 9.0, 12.0611, 91.0, 0, NULL},
    {"FLAG_MOBIL", 0, 0, 0, 0.0, 1.0, 1.0, 0.999997, 1.0, 0, NULL},
    {"FLAG_EMP_PHONE", 0, 0, 0, 0.0, 1.0, 1.0, 0.819889, 1.0, 0, NULL},
    {"FLAG_WORK_PHONE", 0, 0, 0, 0.0, 0.0, 0.0, 0.199368, 1.0, 0, NULL},
    {"FLAG_CONT_MOBILE", 0, 0, 0, 0.0, 1.0, 1.0, 0.998133, 1.0, 0, NULL},
    {"FLAG_PHONE", 0, 0, 0, 0.0, 0.0, 0.0, 0.281066, 1.0, 0, NULL},
    {"FLAG_EMAIL", 0, 0, 0, 0.0, 0.0, 0.0, 0.05672, 1.0, 0, NULL},
    {"OCCUPATION_TYPE", 1, 96391, 15605, NAN, NAN, NAN, NAN, NAN, 18, _c_OCCUPATION_TYPE},
    {"CNT_FAM_MEMBERS", 0, 2, 0, 1.0, 2.0, 2.0, 2.15266, 20.0, 0, NULL},
    {"REGION_RATING_CLIENT", 0, 0, 0, 1.0, 2.0, 2.0, 2.05246, 3.0, 0, NULL},
    {"REGION_RATING_CLIENT_W_CITY", 0, 0, 0, 1.0, 2.0, 2.0, 2.03152, 3.0, 0, NULL},
    {"WEEKDAY_APPR_PROCESS_START", 1, 0, 0, NAN, NAN, NAN, NAN, NAN, 7, _c_WEEKDAY_APPR_PROCESS_START},
    {"HOUR_APPR_PROCESS_START", 0, 0, 0, 0.0, 10.0, 12.0, 12.0634, 23.0, 0, NULL},
    {"REG_REGION_NOT_LIVE_REGION", 0, 0, 0, 0.0, 0.0, 0.0, 0.015144, 1.0, 0, NULL},
    {"REG_REGION_NOT_WORK_REGION", 0, 0, 0, 0.0, 0.0, 0.0, 0.050769, 1.0, 0, NULL},
    {"LIVE_REGION_NOT_WORK_REGION", 0, 0, 0, 0.0, 0.0, 0.0, 0.040659, 1.0, 0, NULL},
    {"REG_CITY_NOT_LIVE_CITY", 0, 0, 0, 0.0, 0.0, 0.0, 0.078173, 1.0, 0, NULL},
    {"REG_CITY_NOT_WORK_CITY", 0, 0, 0, 0.0, 0.0, 0.0, 0.230454, 1.0, 0, NULL},
    {"LIVE_CITY_NOT_WORK_CITY", 0, 0, 0, 0.0, 0.0, 0.0, 0.179555, 1.0, 0, NULL},
    {"ORGANIZATION_TYPE", 1, 0, 0, NAN, NAN, NAN, NAN, NAN, 58, _c_ORGANIZATION_TYPE},
    {"EXT_SOURCE_1", 0, 173378, 20532, 0.014568, 0.334007, 0.505998, 0.50213, 0.962693, 0, NULL},
    {"EXT_SOURCE_2", 0, 660, 8, 8.17362e-08, 0.392457, 0.565961, 0.514393, 0.855, 0, NULL},
    {"EXT_SOURCE_3", 0, 60965, 8668, 0.000527, 0.37065, 0.535276, 0.510853, 0.89601, 0, NULL},
    {"APARTMENTS_AVG", 0, 156061, 23887, 0.0, 0.0577, 0.0876, 0.11744, 1.0, 0, NULL},
    {"BASEMENTAREA_AVG", 0, 179943, 27641, 0.0, 0.0442, 0.0763, 0.088442, 1.0, 0, NULL},
    {"YEARS_BEGINEXPLUATATION_AVG", 0, 150007, 22856, 0.0, 0.9767, 0.9816, 0.977735, 1.0, 0, NULL},
    {"YEARS_BUILD_AVG", 0, 204488, 31818, 0.0, 0.6872, 0.7552, 0.752471, 1.0, 0, NULL},
    {"COMMONAREA_AVG", 0, 214865, 33495, 0.0, 0.0078, 0.0211, 0.044621, 1.0, 0, NULL},
    {"ELEVATORS_AVG", 0, 163891, 25189, 0.0, 0.0, 0.0, 0.078942, 1.0, 0, NULL},
    {"ENTRANCES_AVG", 0, 154828, 23579, 0.0, 0.069, 0.1379, 0.149725, 1.0, 0, NULL},
    {"FLOORSMAX_AVG", 0, 153020, 23321, 0.0, 0.1667, 0.1667, 0.226282, 1.0, 0, NULL},
    {"FLOORSMIN_AVG", 0, 208642, 32466, 0.0, 0.0833, 0.2083, 0.231894, 1.0, 0, NULL},
    {"LANDAREA_AVG", 0, 182590, 28254, 0.0, 0.0187, 0.0481, 0.066333, 1.0, 0, NULL},
    {"LIVINGAPARTMENTS_AVG", 0, 210199, 32780, 0.0, 0.0504, 0.0756, 0.100775, 1.0, 0, NULL},
    {"LIVINGAREA_AVG", 0, 154350, 23552, 0.0, 0.0453, 0.0745, 0.107399, 1.0, 0, NULL},
    {"NONLIVINGAPARTMENTS_AVG", 0, 213514, 33347, 0.0, 0.0, 0.0, 0.008809, 1.0, 0, NULL},
    {"NONLIVINGAREA_AVG", 0, 169682, 26084, 0.0, 0.0, 0.0036, 0.028358, 1.0, 0, NULL},
    {"APARTMENTS_MODE", 0, 156061, 23887, 0.0, 0.0525, 0.084, 0.114231, 1.0, 0, NULL},
    {"BASEMENTAREA_MODE", 0, 179943, 27641, 0.0, 0.0407, 0.0746, 0.087543, 1.0, 0, NULL},
    {"YEARS_BEGINEXPLUATATION_MODE", 0, 150007, 22856, 0.0, 0.9767, 0.9816, 0.977065, 1.0, 0, NULL},
    {"YEARS_BUILD_MODE", 0, 204488, 31818, 0.0, 0.6994, 0.7648, 0.759637, 1.0, 0, NULL},
    {"COMMONAREA_MODE", 0, 214865, 33495, 0.0, 0.0072, 0.019, 0.042553, 1.0, 0, NULL},
    {"ELEVATORS_MODE", 0, 163891, 25189, 0.0, 0.0, 0.0, 0.07449, 1.0, 0, NULL},
    {"ENTRANCES_MODE", 0, 154828, 23579, 0.0, 0.069, 0.1379, 0.145193, 1.0, 0, NULL},
    {"FLOORSMAX_MODE", 0, 153020, 23321, 0.0, 0.1667, 0.1667, 0.222315, 1.0, 0, NULL},
    {"FLOORSMIN_MODE", 0, 208642, 32466, 0.0, 0.0833, 0.2083, 0.228058, 1.0, 0, NULL},
    {"LANDAREA_MODE", 0, 182590, 28254, 0.0, 0.0166, 0.0458, 0.064958, 1.0, 0, NULL},
    {"LIVINGAPARTMENTS_MODE", 0, 210199, 32780, 0.0, 0.0542, 0.0771, 0.105645, 1.0, 0, NULL},
    {"LIVINGAREA_MODE", 0, 154350, 23552, 0.0, 0.0427, 0.0731, 0.105975, 1.0, 0, NULL},
    {"NONLIVINGAPARTMENTS_MODE", 0, 213514, 33347, 0.0, 0.0, 0.0, 0.008076, 1.0, 0, NULL},
    {"NONLIVINGAREA_MODE", 0, 169682, 26084, 0.0, 0.0, 0.0011, 0.027022, 1.0, 0, NULL},
    {"APARTMENTS_MEDI", 0, 156061, 23887, 0.0, 0.0583, 0.0864, 0.11785, 1.0, 0, NULL},
    {"BASEMENTAREA_MEDI", 0, 179943, 27641, 0.0, 0.0437, 0.0758, 0.087955, 1.0, 0, NULL},
    {"YEARS_BEGINEXPLUATATION_MEDI", 0, 150007, 22856, 0.0, 0.9767, 0.9816, 0.977752, 1.0, 0, NULL},
    {"YEARS_BUILD_MEDI", 0, 204488, 31818, 0.0, 0.6914, 0.7585, 0.755746, 1.0, 0, NULL},
    {"COMMONAREA_MEDI", 0, 214865, 33495, 0.0, 0.0079, 0.0208, 0.044595, 1.0, 0, NULL},
    {"ELEVATORS_MEDI", 0, 163891, 25189, 0.0, 0.0, 0.0, 0.078078, 1.0, 0, NULL},
    {"ENTRANCES_MEDI", 0, 154828, 23579, 0.0, 0.069, 0.1379, 0.149213, 1.0, 0, NULL},
    {"FLOORSMAX_MEDI", 0, 153020, 23321, 0.0, 0.1667, 0.1667, 0.225897, 1.0, 0, NULL},
    {"FLOORSMIN_MEDI", 0, 208642, 32466, 0.0, 0.0833, 0.2083, 0.231625, 1.0, 0, NULL},
    {"LANDAREA_MEDI", 0, 182590, 28254, 0.0, 0.0187, 0.0487, 0.067169, 1.0, 0, NULL},
    {"LIVINGAPARTMENTS_MEDI", 0, 210199, 32780, 0.0, 0.0513, 0.0761, 0.101954, 1.0, 0, NULL},
    {"LIVINGAREA_MEDI", 0, 154350, 23552, 0.0, 0.0457, 0.0749, 0.108607, 1.0, 0, NULL},
    {"NONLIVINGAPARTMENTS_MEDI", 0, 213514, 33347, 0.0, 0.0, 0.0, 0.008651, 1.0, 0, NULL},
    {"NONLIVINGAREA_MEDI", 0, 169682, 26084, 0.0, 0.0, 0.0031, 0.028236, 1.0, 0, NULL},
    {"FONDKAPREMONT_MODE", 1, 210295, 32797, NAN, NAN, NAN, NAN, NAN, 4, _c_FONDKAPREMONT_MODE},
    {"HOUSETYPE_MODE", 1, 154297, 23619, NAN, NAN, NAN, NAN, NAN, 3, _c_HOUSETYPE_MODE},
    {"TOTALAREA_MODE", 0, 148431, 22624, 0.0, 0.0412, 0.0688, 0.102547, 1.0, 0, NULL},
    {"WALLSMATERIAL_MODE", 1, 156341, 23893, NAN, NAN, NAN, NAN, NAN, 7, _c_WALLSMATERIAL_MODE},
    {"EMERGENCYSTATE_MODE", 1, 145755, 22209, NAN, NAN, NAN, NAN, NAN, 2, _c_EMERGENCYSTATE_MODE},
    {"OBS_30_CNT_SOCIAL_CIRCLE", 0, 1021, 29, 0.0, 0.0, 0.0, 1.42224, 348.0, 0, NULL},
    {"DEF_30_CNT_SOCIAL_CIRCLE", 0, 1021, 29, 0.0, 0.0, 0.0, 0.143421, 34.0, 0, NULL},
    {"OBS_60_CNT_SOCIAL_CIRCLE", 0, 1021, 29, 0.0, 0.0, 0.0, 1.40529, 344.0, 0, NULL},
    {"DEF_60_CNT_SOCIAL_CIRCLE", 0, 1021, 29, 0.0, 0.0, 0.0, 0.100049, 24.0, 0, NULL},
    {"DAYS_LAST_PHONE_CHANGE", 0, 1, 0, -4292.0, -1570.0, -757.0, -962.859, 0.0, 0, NULL},
    {"FLAG_DOCUMENT_2", 0, 0, 0, 0.0, 0.0, 0.0, 4.2e-05, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_3", 0, 0, 0, 0.0, 0.0, 1.0, 0.710023, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_4", 0, 0, 0, 0.0, 0.0, 0.0, 8.1e-05, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_5", 0, 0, 0, 0.0, 0.0, 0.0, 0.015115, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_6", 0, 0, 0, 0.0, 0.0, 0.0, 0.088055, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_7", 0, 0, 0, 0.0, 0.0, 0.0, 0.000192, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_8", 0, 0, 0, 0.0, 0.0, 0.0, 0.081376, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_9", 0, 0, 0, 0.0, 0.0, 0.0, 0.003896, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_10", 0, 0, 0, 0.0, 0.0, 0.0, 2.3e-05, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_11", 0, 0, 0, 0.0, 0.0, 0.0, 0.003912, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_12", 0, 0, 0, 0.0, 0.0, 0.0, 7e-06, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_13", 0, 0, 0, 0.0, 0.0, 0.0, 0.003525, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_14", 0, 0, 0, 0.0, 0.0, 0.0, 0.002936, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_15", 0, 0, 0, 0.0, 0.0, 0.0, 0.00121, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_16", 0, 0, 0, 0.0, 0.0, 0.0, 0.009928, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_17", 0, 0, 0, 0.0, 0.0, 0.0, 0.000267, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_18", 0, 0, 0, 0.0, 0.0, 0.0, 0.00813, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_19", 0, 0, 0, 0.0, 0.0, 0.0, 0.000595, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_20", 0, 0, 0, 0.0, 0.0, 0.0, 0.000507, 1.0, 0, NULL},
    {"FLAG_DOCUMENT_21", 0, 0, 0, 0.0, 0.0, 0.0, 0.000335, 1.0, 0, NULL},
    {"AMT_REQ_CREDIT_BUREAU_HOUR", 0, 41519, 6049, 0.0, 0.0, 0.0, 0.006402, 4.0, 0, NULL},
    {"AMT_REQ_CREDIT_BUREAU_DAY", 0, 41519, 6049, 0.0, 0.0, 0.0, 0.007, 9.0, 0, NULL},
    {"AMT_REQ_CREDIT_BUREAU_WEEK", 0, 41519, 6049, 0.0, 0.0, 0.0, 0.034362, 8.0, 0, NULL},
    {"AMT_REQ_CREDIT_BUREAU_MON", 0, 41519, 6049, 0.0, 0.0, 0.0, 0.267395, 27.0, 0, NULL},
    {"AMT_REQ_CREDIT_BUREAU_QRT", 0, 41519, 6049, 0.0, 0.0, 0.0, 0.265474, 261.0, 0, NULL},
    {"AMT_REQ_CREDIT_BUREAU_YEAR", 0, 41519, 6049, 0.0, 0.0, 1.0, 1.89997, 25.0, 0, NULL},
};

/* ---- secondary tables --------------------------------------------------------------- *
 * Rows per client use the full-data row counts of §0 over 307,511 + 48,744 = 356,255
 * clients; client shares the distinct SK_ID_CURR counts of §0. Category shares of bureau
 * and previous_application are full-data counts (§1.3); the other shares, the missing
 * rates and the medians come from the real samples of §1.3 (20,000 random rows; 3,000 for
 * previous_application), hence the wider tolerances. */
#define RPC(t, rows, tolr) {t, SYNTH_REF_ROWS_PER_CLIENT, NULL, NULL, (rows) / 356255.0, (tolr) * (rows) / 356255.0}
#define CSH(t, clients) {t, SYNTH_REF_CLIENT_SHARE, NULL, NULL, (clients) / 356255.0, 0.03}
#define PSH(t, share, tol) {t, SYNTH_REF_PARENT_SHARE, NULL, NULL, share, tol}
#define RPP(t, rows, parents, tol) {t, SYNTH_REF_ROWS_PER_PARENT, NULL, NULL, (rows) / (parents), tol}
#define MIS(t, col, pct) {t, SYNTH_REF_MISSING, col, NULL, (pct) / 100.0, 0.05}
#define MED(t, col, v, tol) {t, SYNTH_REF_MEDIAN, col, NULL, v, tol}
#define SHR(t, col, val, share, tol) {t, SYNTH_REF_SHARE, col, val, share, tol}

/* full-data row counts (§0), written once: the denominators of the full-data shares; the
 * samples of §1.3 have SAMPLE rows */
#define BUREAU_ROWS 1716428.0
#define PREV_ROWS   1670214.0
#define SAMPLE      20000.0

const synth_ref_fig synth_ref_hist[] = {
    RPC(HC_BUREAU, BUREAU_ROWS, 0.15),
    CSH(HC_BUREAU, 305811.0),
    SHR(HC_BUREAU, "CREDIT_ACTIVE", "Closed", 1079273.0 / BUREAU_ROWS, 0.03),
    SHR(HC_BUREAU, "CREDIT_ACTIVE", "Active", 630607.0 / BUREAU_ROWS, 0.03),
    SHR(HC_BUREAU, "CREDIT_ACTIVE", "Sold", 6527.0 / BUREAU_ROWS, 0.005),
    SHR(HC_BUREAU, "CREDIT_CURRENCY", "currency 1", 1715020.0 / BUREAU_ROWS, 0.005),
    SHR(HC_BUREAU, "CREDIT_TYPE", "Consumer credit", 1251615.0 / BUREAU_ROWS, 0.03),
    SHR(HC_BUREAU, "CREDIT_TYPE", "Credit card", 402195.0 / BUREAU_ROWS, 0.03),
    SHR(HC_BUREAU, "CREDIT_TYPE", "Car loan", 27690.0 / BUREAU_ROWS, 0.01),
    SHR(HC_BUREAU, "CREDIT_TYPE", "Mortgage", 18391.0 / BUREAU_ROWS, 0.01),
    MIS(HC_BUREAU, "DAYS_CREDIT_ENDDATE", 6.1),
    MIS(HC_BUREAU, "DAYS_ENDDATE_FACT", 36.3),
    MIS(HC_BUREAU, "AMT_CREDIT_MAX_OVERDUE", 67.8),
    MIS(HC_BUREAU, "AMT_CREDIT_SUM_DEBT", 14.2),
    MIS(HC_BUREAU, "AMT_CREDIT_SUM_LIMIT", 37.4),
    MIS(HC_BUREAU, "AMT_ANNUITY", 57.1),
    MED(HC_BUREAU, "DAYS_CREDIT", -991.0, 150.0),
    MED(HC_BUREAU, "DAYS_CREDIT_ENDDATE", -310.0, 200.0),
    MED(HC_BUREAU, "DAYS_ENDDATE_FACT", -898.0, 150.0),
    MED(HC_BUREAU, "DAYS_CREDIT_UPDATE", -357.0, 150.0),
    MED(HC_BUREAU, "AMT_CREDIT_SUM", 127706.0, 25000.0),

    RPC(HC_BUREAU_BALANCE, 27299925.0, 0.15),
    PSH(HC_BUREAU_BALANCE, 817395.0 / BUREAU_ROWS, 0.05),
    RPP(HC_BUREAU_BALANCE, 27299925.0, 817395.0, 5.0),
    SHR(HC_BUREAU_BALANCE, "STATUS", "C", 10126.0 / SAMPLE, 0.05),
    SHR(HC_BUREAU_BALANCE, "STATUS", "0", 5396.0 / SAMPLE, 0.05),
    SHR(HC_BUREAU_BALANCE, "STATUS", "X", 4217.0 / SAMPLE, 0.05),
    SHR(HC_BUREAU_BALANCE, "STATUS", "1", 173.0 / SAMPLE, 0.006),
    MED(HC_BUREAU_BALANCE, "MONTHS_BALANCE", -25.0, 6.0),

    RPC(HC_PREVIOUS_APPLICATION, PREV_ROWS, 0.15),
    CSH(HC_PREVIOUS_APPLICATION, 338857.0),
    SHR(HC_PREVIOUS_APPLICATION, "NAME_CONTRACT_TYPE", "Cash loans", 747553.0 / PREV_ROWS, 0.03),
    SHR(HC_PREVIOUS_APPLICATION, "NAME_CONTRACT_TYPE", "Consumer loans", 729151.0 / PREV_ROWS, 0.03),
    SHR(HC_PREVIOUS_APPLICATION, "NAME_CONTRACT_TYPE", "Revolving loans", 193164.0 / PREV_ROWS, 0.03),
    SHR(HC_PREVIOUS_APPLICATION, "NAME_CONTRACT_STATUS", "Approved", 1036781.0 / PREV_ROWS, 0.03),
    SHR(HC_PREVIOUS_APPLICATION, "NAME_CONTRACT_STATUS", "Canceled", 316319.0 / PREV_ROWS, 0.03),
    SHR(HC_PREVIOUS_APPLICATION, "NAME_CONTRACT_STATUS", "Refused", 290678.0 / PREV_ROWS, 0.03),
    SHR(HC_PREVIOUS_APPLICATION, "NAME_CONTRACT_STATUS", "Unused offer", 26436.0 / PREV_ROWS, 0.01),
    MIS(HC_PREVIOUS_APPLICATION, "AMT_ANNUITY", 20.2),
    MIS(HC_PREVIOUS_APPLICATION, "AMT_DOWN_PAYMENT", 44.5),
    MIS(HC_PREVIOUS_APPLICATION, "AMT_GOODS_PRICE", 19.9),
    MIS(HC_PREVIOUS_APPLICATION, "RATE_INTEREST_PRIMARY", 99.5),
    MIS(HC_PREVIOUS_APPLICATION, "NAME_TYPE_SUITE", 48.2),
    MIS(HC_PREVIOUS_APPLICATION, "CNT_PAYMENT", 20.2),
    MIS(HC_PREVIOUS_APPLICATION, "DAYS_FIRST_DUE", 37.1),
    MED(HC_PREVIOUS_APPLICATION, "DAYS_DECISION", -612.0, 150.0),
    MED(HC_PREVIOUS_APPLICATION, "AMT_CREDIT", 71365.5, 25000.0),
    MED(HC_PREVIOUS_APPLICATION, "AMT_ANNUITY", 9943.0, 3000.0),
    MED(HC_PREVIOUS_APPLICATION, "CNT_PAYMENT", 12.0, 2.0),

    RPC(HC_POS_CASH_BALANCE, 10001358.0, 0.15),
    CSH(HC_POS_CASH_BALANCE, 337252.0),
    RPP(HC_POS_CASH_BALANCE, 10001358.0, 936325.0, 2.0),
    SHR(HC_POS_CASH_BALANCE, "NAME_CONTRACT_STATUS", "Active", 18267.0 / SAMPLE, 0.04),
    SHR(HC_POS_CASH_BALANCE, "NAME_CONTRACT_STATUS", "Completed", 1532.0 / SAMPLE, 0.03),
    MED(HC_POS_CASH_BALANCE, "MONTHS_BALANCE", -28.0, 8.0),
    MED(HC_POS_CASH_BALANCE, "CNT_INSTALMENT", 12.0, 3.0),
    MED(HC_POS_CASH_BALANCE, "CNT_INSTALMENT_FUTURE", 7.0, 3.0),

    RPC(HC_INSTALLMENTS_PAYMENTS, 13605401.0, 0.15),
    CSH(HC_INSTALLMENTS_PAYMENTS, 339587.0),
    RPP(HC_INSTALLMENTS_PAYMENTS, 13605401.0, 997752.0, 2.0),
    MED(HC_INSTALLMENTS_PAYMENTS, "DAYS_INSTALMENT", -808.0, 150.0),
    MED(HC_INSTALLMENTS_PAYMENTS, "NUM_INSTALMENT_NUMBER", 8.0, 3.0),
    MED(HC_INSTALLMENTS_PAYMENTS, "AMT_INSTALMENT", 8981.8, 3000.0),
    MED(HC_INSTALLMENTS_PAYMENTS, "AMT_PAYMENT", 8342.7, 3000.0),

    RPC(HC_CREDIT_CARD_BALANCE, 3840312.0, 0.15),
    CSH(HC_CREDIT_CARD_BALANCE, 103558.0),
    RPP(HC_CREDIT_CARD_BALANCE, 3840312.0, 104307.0, 6.0),
    SHR(HC_CREDIT_CARD_BALANCE, "NAME_CONTRACT_STATUS", "Active", 19238.0 / SAMPLE, 0.04),
    MIS(HC_CREDIT_CARD_BALANCE, "AMT_DRAWINGS_ATM_CURRENT", 21.4),
    MIS(HC_CREDIT_CARD_BALANCE, "AMT_PAYMENT_CURRENT", 22.1),
    MIS(HC_CREDIT_CARD_BALANCE, "AMT_INST_MIN_REGULARITY", 7.5),
    MED(HC_CREDIT_CARD_BALANCE, "MONTHS_BALANCE", -26.0, 8.0),
    MED(HC_CREDIT_CARD_BALANCE, "AMT_CREDIT_LIMIT_ACTUAL", 112500.0, 30000.0),
    MED(HC_CREDIT_CARD_BALANCE, "AMT_BALANCE", 0.0, 5000.0),
};
const size_t synth_ref_hist_n = sizeof synth_ref_hist / sizeof synth_ref_hist[0];

int synth_ref_pick(const synth_ref_cat *cats, int n, double u)
{
    double total = 0, acc = 0;
    for (int i = 0; i < n; i++) total += cats[i].count;
    u *= total;
    for (int i = 0; i < n - 1; i++) {
        acc += cats[i].count;
        if (u < acc) return i;
    }
    return n - 1;
}
