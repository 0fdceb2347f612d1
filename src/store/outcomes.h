/*
 * outcomes.h: the observed outcomes of decisions, kept beside the decisions in the audit
 * database, and the lean reader of decisions that monitoring uses.
 *
 *   outcomes(key_kind TEXT, key TEXT, defaulted INTEGER, observed_ms INTEGER,
 *            imported_ms INTEGER, source TEXT, PRIMARY KEY(key_kind, key))
 *
 * An outcome names its decision by request id (key_kind "request_id") or by client id
 * ("client_id"); monitoring joins it to the latest decision with that key made at or before
 * the observation by the model it watches (src/monitor). The import checks that some
 * decision, of any model, carries the key. Importing (store_outcomes_import_csv) never merges
 * silently: a key twice in the file, a key already recorded with another outcome, an id no
 * decision carries and an outcome observed before its decision are each reported and not
 * imported; a key already recorded with the same outcome is left as it is, so a re-import
 * changes nothing. Malformed rows fail the whole import (nothing is written) with a
 * file:line:column message. Everything is written in one transaction.
 */
#ifndef CS_STORE_OUTCOMES_H
#define CS_STORE_OUTCOMES_H

#include "../base/cs.h"

typedef enum store_outcome_kind { STORE_OUTCOME_REQUEST = 0, STORE_OUTCOME_CLIENT = 1 } store_outcome_kind;

/* One outcome. */
typedef struct store_outcome {
    store_outcome_kind kind;
    char key[72];               /* the request id, or the client id in decimal */
    int defaulted;              /* 1 = the loan defaulted, 0 = it did not (final) */
    int64_t observed_ms;        /* when it was observed, unix ms UTC */
} store_outcome;

/* Why a row of an import was not imported as given. */
typedef enum store_outcome_issue_kind {
    STORE_OI_UNKNOWN = 0,       /* no decision carries this id: not imported */
    STORE_OI_DUPLICATE,         /* the key is on several rows with the same outcome: imported once */
    STORE_OI_CONFLICT_IN_FILE,  /* the key is on several rows with different outcomes: none imported */
    STORE_OI_CONFLICT,          /* already recorded with another outcome: the recorded one is kept */
    STORE_OI_BEFORE_DECISION    /* observed before the (first) decision it names: not imported */
} store_outcome_issue_kind;

typedef struct store_outcome_issue {
    size_t line;                /* line of the CSV file (the header is line 1) */
    store_outcome_issue_kind kind;
    char key[72];
    char detail[160];           /* e.g. "recorded: default 0 observed 2026-01-03" */
} store_outcome_issue;

/* What an import did. Release with store_outcome_report_clear(). */
typedef struct store_outcome_report {
    size_t rows;                /* data rows read */
    size_t inserted;            /* new outcomes recorded */
    size_t unchanged;           /* already recorded with the same outcome (re-import) */
    size_t duplicates, conflicts_in_file, conflicts, unknown, before_decision; /* rows per issue */
    size_t n_issues;
    store_outcome_issue *issues;/* one per row not imported as given, in line order */
} store_outcome_report;

void store_outcome_report_clear(store_outcome_report *r);
/* Short English name of an issue ("unknown id", "duplicate", ...). Static. */
const char *store_outcome_issue_name(store_outcome_issue_kind k);

/* Import a CSV file of outcomes into the audit database at audit_path (which must hold
 * the audit table). Header: request_id or client_id, default, observed (any order); values:
 * the id, 0 or 1, a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SS[Z] (UTC). rep: OUT
 * (cleared first). CS_EPARSE (nothing written) on a malformed file, CS_EIO when the
 * database cannot be read or written. */
cs_status store_outcomes_import_csv(const char *audit_path, const char *csv_path, store_outcome_report *rep,
                                    cs_err *err);

/* Call fn for every recorded outcome (no order promised); a log without the outcomes table
 * has none (CS_OK). fn returns non-zero to stop. */
typedef int (*store_outcome_fn)(const store_outcome *o, void *ud);
cs_status store_outcomes_read(const char *audit_path, store_outcome_fn fn, void *ud, cs_err *err);

/* Whether any recorded outcome is keyed by a request id (one index look-up; 0 for a log
 * without the outcomes table): a reader that needs none can read the outcomes and the
 * decisions at the same time. Errors as store_outcomes_read's. */
cs_status store_outcomes_has_request_keys(const char *audit_path, int *has, cs_err *err);

/* One decision of the audit log as monitoring reads it (strings borrowed for the call). */
typedef struct store_decision {
    int64_t seq;
    int64_t unix_ms;
    int64_t client_id;          /* -1 when the input was not a client id */
    double probability;
    int refused;                /* decision "refuse" */
    const char *request_id;
    const char *model_name;
    const char *model_version;
    /* the challenger on the same request (audit.h): "" / NaN when none scored it */
    const char *challenger_name;
    const char *challenger_version;
    double challenger_probability;  /* NaN also when it failed */
    const char *challenger_decision;/* "approve", "refuse", "error" or "" */
} store_decision;

/* Call fn for the decisions (kind "decision": not the lookups nor the simulations) with
 * unix_ms >= since_ms in log order (seq), fewer columns than
 * store_audit_read and no copies: what monitoring a million decisions needs. */
typedef int (*store_decision_fn)(const store_decision *d, void *ud);
cs_status store_audit_decisions(const char *audit_path, int64_t since_ms, store_decision_fn fn, void *ud,
                                cs_err *err);

#endif /* CS_STORE_OUTCOMES_H */
