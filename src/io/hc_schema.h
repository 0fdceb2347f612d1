/*
 * hc_schema.h: the schemas of the Home Credit Default Risk tables, column by column in
 * the real files' order (../shared/docs/homecredit-data.md §1.1), with their types:
 * the 16 + 3 + 1 + 16 + 1 + 1 categorical columns (bureau_balance.STATUS is categorical
 * although its values look like digits), every other column numeric.
 */
#ifndef CS_IO_HC_SCHEMA_H
#define CS_IO_HC_SCHEMA_H

#include "tbl.h"

typedef enum hc_table {
    HC_APPLICATION_TRAIN = 0,   /* application_train.csv, 122 columns */
    HC_APPLICATION_TEST,        /* application_test.csv, 121 columns (no TARGET) */
    HC_BUREAU,                  /* bureau.csv, 17 */
    HC_BUREAU_BALANCE,          /* bureau_balance.csv, 3 */
    HC_PREVIOUS_APPLICATION,    /* previous_application.csv, 37 */
    HC_POS_CASH_BALANCE,        /* POS_CASH_balance.csv, 8 */
    HC_INSTALLMENTS_PAYMENTS,   /* installments_payments.csv, 8 */
    HC_CREDIT_CARD_BALANCE,     /* credit_card_balance.csv, 23 */
    HC_N_TABLES
} hc_table;

/* The schema of a table (static storage, never freed). */
const tbl_schema *hc_schema(hc_table t);

/* The file name of a table ("application_train.csv"). */
const char *hc_file_name(hc_table t);

/* The table whose file name is `name` (with or without a folder), or -1. */
int hc_table_from_file(const char *name);

#endif /* CS_IO_HC_SCHEMA_H */
