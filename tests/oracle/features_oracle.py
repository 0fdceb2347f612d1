#!/usr/bin/python3
"""features_oracle.py: an independent pandas implementation of the kernel "LightGBM with
simple features" as ../shared/docs/kernel-features.md specifies it (§3 and §4), used to
check `creditscore features` value by value.

    features_oracle.py compute DATA_DIR OUT.csv [FILE.csf]
        the features of a data folder (OUT '-': not written); with FILE.csf, compare them
        in memory with that feature file (names, clients, every value), for full-size runs
    features_oracle.py edge SRC_DIR DST_DIR          a copy of a data folder with edge cases
    features_oracle.py compare C.csv ORACLE.csv [NAMES.txt]
        every name and every value must match (relative 1e-9; NaN = NaN, inf = inf);
        a mismatch report names the feature, the client and both values. With NAMES.txt,
        the names must also appear in it in the same order (a subsequence of the 795).

pandas does the encoding, grouping and joining. Two places follow the spec rather than
this pandas (1.5.3): sums and means are plain left-to-right sums in file order (§4.4;
pandas 1.3 to 2.0 use a compensated sum that turns +inf into NaN, §4.5), and column types
come from the Home Credit schema, not from inference (§4.6).
"""
import sys

import numpy as np
import pandas as pd

CATS = {
    'application_train': ['NAME_CONTRACT_TYPE', 'CODE_GENDER', 'FLAG_OWN_CAR', 'FLAG_OWN_REALTY',
                          'NAME_TYPE_SUITE', 'NAME_INCOME_TYPE', 'NAME_EDUCATION_TYPE',
                          'NAME_FAMILY_STATUS', 'NAME_HOUSING_TYPE', 'OCCUPATION_TYPE',
                          'WEEKDAY_APPR_PROCESS_START', 'ORGANIZATION_TYPE', 'FONDKAPREMONT_MODE',
                          'HOUSETYPE_MODE', 'WALLSMATERIAL_MODE', 'EMERGENCYSTATE_MODE'],
    'bureau': ['CREDIT_ACTIVE', 'CREDIT_CURRENCY', 'CREDIT_TYPE'],
    'bureau_balance': ['STATUS'],
    'previous_application': ['NAME_CONTRACT_TYPE', 'WEEKDAY_APPR_PROCESS_START',
                             'FLAG_LAST_APPL_PER_CONTRACT', 'NAME_CASH_LOAN_PURPOSE',
                             'NAME_CONTRACT_STATUS', 'NAME_PAYMENT_TYPE', 'CODE_REJECT_REASON',
                             'NAME_TYPE_SUITE', 'NAME_CLIENT_TYPE', 'NAME_GOODS_CATEGORY',
                             'NAME_PORTFOLIO', 'NAME_PRODUCT_TYPE', 'CHANNEL_TYPE',
                             'NAME_SELLER_INDUSTRY', 'NAME_YIELD_GROUP', 'PRODUCT_COMBINATION'],
    'POS_CASH_balance': ['NAME_CONTRACT_STATUS'],
    'installments_payments': [],
    'credit_card_balance': ['NAME_CONTRACT_STATUS'],
}
CATS['application_test'] = CATS['application_train']

# the columns of the optional tables (homecredit-data.md §1.1), for a missing file
COLUMNS = {
    'bureau': 'SK_ID_CURR SK_ID_BUREAU CREDIT_ACTIVE CREDIT_CURRENCY DAYS_CREDIT CREDIT_DAY_OVERDUE '
              'DAYS_CREDIT_ENDDATE DAYS_ENDDATE_FACT AMT_CREDIT_MAX_OVERDUE CNT_CREDIT_PROLONG '
              'AMT_CREDIT_SUM AMT_CREDIT_SUM_DEBT AMT_CREDIT_SUM_LIMIT AMT_CREDIT_SUM_OVERDUE CREDIT_TYPE '
              'DAYS_CREDIT_UPDATE AMT_ANNUITY',
    'bureau_balance': 'SK_ID_BUREAU MONTHS_BALANCE STATUS',
    'previous_application': 'SK_ID_PREV SK_ID_CURR NAME_CONTRACT_TYPE AMT_ANNUITY AMT_APPLICATION AMT_CREDIT '
                            'AMT_DOWN_PAYMENT AMT_GOODS_PRICE WEEKDAY_APPR_PROCESS_START HOUR_APPR_PROCESS_START '
                            'FLAG_LAST_APPL_PER_CONTRACT NFLAG_LAST_APPL_IN_DAY RATE_DOWN_PAYMENT '
                            'RATE_INTEREST_PRIMARY RATE_INTEREST_PRIVILEGED NAME_CASH_LOAN_PURPOSE '
                            'NAME_CONTRACT_STATUS DAYS_DECISION NAME_PAYMENT_TYPE CODE_REJECT_REASON '
                            'NAME_TYPE_SUITE NAME_CLIENT_TYPE NAME_GOODS_CATEGORY NAME_PORTFOLIO '
                            'NAME_PRODUCT_TYPE CHANNEL_TYPE SELLERPLACE_AREA NAME_SELLER_INDUSTRY CNT_PAYMENT '
                            'NAME_YIELD_GROUP PRODUCT_COMBINATION DAYS_FIRST_DRAWING DAYS_FIRST_DUE '
                            'DAYS_LAST_DUE_1ST_VERSION DAYS_LAST_DUE DAYS_TERMINATION NFLAG_INSURED_ON_APPROVAL',
    'POS_CASH_balance': 'SK_ID_PREV SK_ID_CURR MONTHS_BALANCE CNT_INSTALMENT CNT_INSTALMENT_FUTURE '
                        'NAME_CONTRACT_STATUS SK_DPD SK_DPD_DEF',
    'installments_payments': 'SK_ID_PREV SK_ID_CURR NUM_INSTALMENT_VERSION NUM_INSTALMENT_NUMBER '
                             'DAYS_INSTALMENT DAYS_ENTRY_PAYMENT AMT_INSTALMENT AMT_PAYMENT',
    'credit_card_balance': 'SK_ID_PREV SK_ID_CURR MONTHS_BALANCE AMT_BALANCE AMT_CREDIT_LIMIT_ACTUAL '
                           'AMT_DRAWINGS_ATM_CURRENT AMT_DRAWINGS_CURRENT AMT_DRAWINGS_OTHER_CURRENT '
                           'AMT_DRAWINGS_POS_CURRENT AMT_INST_MIN_REGULARITY AMT_PAYMENT_CURRENT '
                           'AMT_PAYMENT_TOTAL_CURRENT AMT_RECEIVABLE_PRINCIPAL AMT_RECIVABLE AMT_TOTAL_RECEIVABLE '
                           'CNT_DRAWINGS_ATM_CURRENT CNT_DRAWINGS_CURRENT CNT_DRAWINGS_OTHER_CURRENT '
                           'CNT_DRAWINGS_POS_CURRENT CNT_INSTALMENT_MATURE_CUM NAME_CONTRACT_STATUS SK_DPD '
                           'SK_DPD_DEF',
}


def read(folder, name):
    """A table with the schema's categorical columns as strings and every other as float64;
    only an empty field is missing."""
    df = pd.read_csv(f'{folder}/{name}.csv', dtype={c: object for c in CATS[name]},
                     keep_default_na=False, na_values=[''])
    for c in df.columns:
        if c not in CATS[name]:
            df[c] = df[c].astype('float64')
    return df


def one_hot_encoder(df, nan_as_category, cat_cols):
    """pd.get_dummies of the schema's categorical columns (the kernel's helper)."""
    original = list(df.columns)
    df = pd.get_dummies(df, columns=cat_cols, dummy_na=nan_as_category)
    return df, [c for c in df.columns if c not in original]


def seq_sum(codes, n_groups, values):
    """Plain left-to-right sum per group in row order, NaN skipped (0 for none), and the
    count of non-NaN values per group."""
    order = np.argsort(codes, kind='stable')
    k = codes[order]
    v = values[order].astype('float64')
    ok = ~np.isnan(v)
    cnt = np.bincount(k, weights=ok.astype('float64'), minlength=n_groups)
    v = np.where(ok, v, 0.0)
    acc = np.zeros(n_groups)
    if len(k) == 0:
        return acc, cnt
    starts = np.r_[0, np.flatnonzero(np.diff(k)) + 1]
    lens = np.diff(np.r_[starts, len(k)])
    gids = k[starts]
    with np.errstate(invalid='ignore'):
        for p in range(int(lens.max())):
            sel = lens > p
            acc[gids[sel]] = acc[gids[sel]] + v[starts[sel] + p]
    return acc, cnt


def aggregate(df, key, aggs, prefix):
    """df.groupby(key).agg(aggs) with columns named PREFIX<col>_<AGG>; sum and mean by
    seq_sum, the rest by pandas."""
    df = df[df[key].notna()]
    grouped = df.groupby(key, sort=True)
    index = grouped.size().index
    codes = grouped.ngroup().to_numpy()
    out = {}
    with np.errstate(divide='ignore', invalid='ignore'):
        for col, fns in aggs.items():
            vals = df[col].to_numpy().astype('float64')
            s = cnt = None
            for fn in fns:
                name = f'{prefix}{col}_{fn.upper()}'
                if fn in ('sum', 'mean'):
                    if s is None:
                        s, cnt = seq_sum(codes, len(index), vals)
                    out[name] = s if fn == 'sum' else np.where(cnt > 0, s / np.where(cnt > 0, cnt, 1), np.nan)
                elif fn == 'size':
                    out[name] = grouped.size().to_numpy().astype('float64')
                else:
                    out[name] = grouped[col].agg(fn).to_numpy().astype('float64')
    return pd.DataFrame(out, index=index)


def application(folder):
    parts = []
    for name in ('application_train', 'application_test'):
        try:
            parts.append(read(folder, name))
        except FileNotFoundError:
            pass
    df = pd.concat(parts, ignore_index=True)
    df = df[df['CODE_GENDER'] != 'XNA']
    for bin_feature in ['CODE_GENDER', 'FLAG_OWN_CAR', 'FLAG_OWN_REALTY']:
        df[bin_feature], _ = pd.factorize(df[bin_feature])
    cats = [c for c in CATS['application_train'] if c not in ('CODE_GENDER', 'FLAG_OWN_CAR', 'FLAG_OWN_REALTY')]
    df, _ = one_hot_encoder(df, False, cats)
    df['DAYS_EMPLOYED'] = df['DAYS_EMPLOYED'].replace(365243, np.nan)
    with np.errstate(divide='ignore', invalid='ignore'):
        df['DAYS_EMPLOYED_PERC'] = df['DAYS_EMPLOYED'] / df['DAYS_BIRTH']
        df['INCOME_CREDIT_PERC'] = df['AMT_INCOME_TOTAL'] / df['AMT_CREDIT']
        df['INCOME_PER_PERSON'] = df['AMT_INCOME_TOTAL'] / df['CNT_FAM_MEMBERS']
        df['ANNUITY_INCOME_PERC'] = df['AMT_ANNUITY'] / df['AMT_INCOME_TOTAL']
        df['PAYMENT_RATE'] = df['AMT_ANNUITY'] / df['AMT_CREDIT']
    return df


def empty(folder, name):
    """An optional table; a missing file is an empty table with the schema's columns (the
    documented rule of `creditscore features`: its block is NaN, only _nan dummies)."""
    try:
        return read(folder, name)
    except FileNotFoundError:
        return pd.DataFrame({c: pd.Series(dtype=object if c in CATS[name] else 'float64')
                             for c in COLUMNS[name].split()})


def bureau_and_balance(folder):
    bureau = empty(folder, 'bureau')
    bb = empty(folder, 'bureau_balance')
    bb, bb_cat = one_hot_encoder(bb, True, ['STATUS'])
    bureau, bureau_cat = one_hot_encoder(bureau, True, CATS['bureau'])
    bb_aggregations = {'MONTHS_BALANCE': ['min', 'max', 'size']}
    for col in bb_cat:
        bb_aggregations[col] = ['mean']
    bb_agg = aggregate(bb, 'SK_ID_BUREAU', bb_aggregations, '')
    bureau = bureau.join(bb_agg, how='left', on='SK_ID_BUREAU')
    bureau = bureau.drop(['SK_ID_BUREAU'], axis=1)
    num_aggregations = {
        'DAYS_CREDIT': ['min', 'max', 'mean', 'var'],
        'DAYS_CREDIT_ENDDATE': ['min', 'max', 'mean'],
        'DAYS_CREDIT_UPDATE': ['mean'],
        'CREDIT_DAY_OVERDUE': ['max', 'mean'],
        'AMT_CREDIT_MAX_OVERDUE': ['mean'],
        'AMT_CREDIT_SUM': ['max', 'mean', 'sum'],
        'AMT_CREDIT_SUM_DEBT': ['max', 'mean', 'sum'],
        'AMT_CREDIT_SUM_OVERDUE': ['mean'],
        'AMT_CREDIT_SUM_LIMIT': ['mean', 'sum'],
        'AMT_ANNUITY': ['max', 'mean'],
        'CNT_CREDIT_PROLONG': ['sum'],
        'MONTHS_BALANCE_MIN': ['min'],
        'MONTHS_BALANCE_MAX': ['max'],
        'MONTHS_BALANCE_SIZE': ['mean', 'sum'],
    }
    cat_aggregations = {}
    for cat in bureau_cat:
        cat_aggregations[cat] = ['mean']
    for cat in bb_cat:
        cat_aggregations[cat + '_MEAN'] = ['mean']
    bureau_agg = aggregate(bureau, 'SK_ID_CURR', {**num_aggregations, **cat_aggregations}, 'BURO_')
    for value, prefix in (('Active', 'ACTIVE_'), ('Closed', 'CLOSED_')):
        col = 'CREDIT_ACTIVE_' + value
        if col not in bureau.columns:   # §4.1: absent category, absent sub-block
            continue
        sub = bureau[bureau[col] == 1]
        sub_agg = aggregate(sub, 'SK_ID_CURR', num_aggregations, prefix)
        bureau_agg = bureau_agg.join(sub_agg, how='left')
    return bureau_agg


def previous_applications(folder):
    prev = empty(folder, 'previous_application')
    prev, cat_cols = one_hot_encoder(prev, True, CATS['previous_application'])
    for c in ['DAYS_FIRST_DRAWING', 'DAYS_FIRST_DUE', 'DAYS_LAST_DUE_1ST_VERSION', 'DAYS_LAST_DUE',
              'DAYS_TERMINATION']:
        prev[c] = prev[c].replace(365243, np.nan)
    with np.errstate(divide='ignore', invalid='ignore'):
        prev['APP_CREDIT_PERC'] = prev['AMT_APPLICATION'] / prev['AMT_CREDIT']
    num_aggregations = {
        'AMT_ANNUITY': ['min', 'max', 'mean'],
        'AMT_APPLICATION': ['min', 'max', 'mean'],
        'AMT_CREDIT': ['min', 'max', 'mean'],
        'APP_CREDIT_PERC': ['min', 'max', 'mean', 'var'],
        'AMT_DOWN_PAYMENT': ['min', 'max', 'mean'],
        'AMT_GOODS_PRICE': ['min', 'max', 'mean'],
        'HOUR_APPR_PROCESS_START': ['min', 'max', 'mean'],
        'RATE_DOWN_PAYMENT': ['min', 'max', 'mean'],
        'DAYS_DECISION': ['min', 'max', 'mean'],
        'CNT_PAYMENT': ['mean', 'sum'],
    }
    cat_aggregations = {cat: ['mean'] for cat in cat_cols}
    prev_agg = aggregate(prev, 'SK_ID_CURR', {**num_aggregations, **cat_aggregations}, 'PREV_')
    for value, prefix in (('Approved', 'APPROVED_'), ('Refused', 'REFUSED_')):
        col = 'NAME_CONTRACT_STATUS_' + value
        if col not in prev.columns:
            continue
        sub = prev[prev[col] == 1]
        prev_agg = prev_agg.join(aggregate(sub, 'SK_ID_CURR', num_aggregations, prefix), how='left')
    return prev_agg


def pos_cash(folder):
    pos = empty(folder, 'POS_CASH_balance')
    pos, cat_cols = one_hot_encoder(pos, True, CATS['POS_CASH_balance'])
    aggregations = {'MONTHS_BALANCE': ['max', 'mean', 'size'], 'SK_DPD': ['max', 'mean'],
                    'SK_DPD_DEF': ['max', 'mean']}
    for cat in cat_cols:
        aggregations[cat] = ['mean']
    pos_agg = aggregate(pos, 'SK_ID_CURR', aggregations, 'POS_')
    pos_agg['POS_COUNT'] = pos[pos['SK_ID_CURR'].notna()].groupby('SK_ID_CURR').size().astype('float64')
    return pos_agg


def installments_payments(folder):
    ins = empty(folder, 'installments_payments')
    with np.errstate(divide='ignore', invalid='ignore'):
        ins['PAYMENT_PERC'] = ins['AMT_PAYMENT'] / ins['AMT_INSTALMENT']
    ins['PAYMENT_DIFF'] = ins['AMT_INSTALMENT'] - ins['AMT_PAYMENT']
    ins['DPD'] = ins['DAYS_ENTRY_PAYMENT'] - ins['DAYS_INSTALMENT']
    ins['DBD'] = ins['DAYS_INSTALMENT'] - ins['DAYS_ENTRY_PAYMENT']
    ins['DPD'] = ins['DPD'].apply(lambda x: x if x > 0 else 0).astype('float64')
    ins['DBD'] = ins['DBD'].apply(lambda x: x if x > 0 else 0).astype('float64')
    aggregations = {
        'NUM_INSTALMENT_VERSION': ['nunique'],
        'DPD': ['max', 'mean', 'sum'],
        'DBD': ['max', 'mean', 'sum'],
        'PAYMENT_PERC': ['max', 'mean', 'sum', 'var'],
        'PAYMENT_DIFF': ['max', 'mean', 'sum', 'var'],
        'AMT_INSTALMENT': ['max', 'mean', 'sum'],
        'AMT_PAYMENT': ['min', 'max', 'mean', 'sum'],
        'DAYS_ENTRY_PAYMENT': ['max', 'mean', 'sum'],
    }
    ins_agg = aggregate(ins, 'SK_ID_CURR', aggregations, 'INSTAL_')
    ins_agg['INSTAL_COUNT'] = ins[ins['SK_ID_CURR'].notna()].groupby('SK_ID_CURR').size().astype('float64')
    return ins_agg


def credit_card_balance(folder):
    cc = empty(folder, 'credit_card_balance')
    cc, _ = one_hot_encoder(cc, True, CATS['credit_card_balance'])
    cc = cc.drop(['SK_ID_PREV'], axis=1)
    aggs = {c: ['min', 'max', 'mean', 'sum', 'var'] for c in cc.columns if c != 'SK_ID_CURR'}
    cc_agg = aggregate(cc, 'SK_ID_CURR', aggs, 'CC_')
    cc_agg['CC_COUNT'] = cc[cc['SK_ID_CURR'].notna()].groupby('SK_ID_CURR').size().astype('float64')
    return cc_agg


def compute(folder, out, csf=None):
    import time
    t0 = time.time()
    df = application(folder)
    for block in (bureau_and_balance, previous_applications, pos_cash, installments_payments,
                  credit_card_balance):
        agg = block(folder)
        if agg is not None:
            df = df.join(agg, how='left', on='SK_ID_CURR')
    feats = [f for f in df.columns if f not in ['TARGET', 'SK_ID_CURR', 'SK_ID_BUREAU', 'SK_ID_PREV', 'index']]
    print(f'oracle: {len(df)} clients x {len(feats)} features computed in {time.time() - t0:.1f} s')
    sys.stdout.flush()
    if csf:
        return check_csf(df, feats, csf)
    if out != '-':
        res = df[['SK_ID_CURR', 'TARGET'] + feats].astype('float64')
        res['SK_ID_CURR'] = res['SK_ID_CURR'].astype('int64')
        res.to_csv(out, index=False, float_format='%.17g', na_rep='')
        print(f'oracle: written to {out}')
    return 0


def read_csf(path):
    """The names, ids, targets and value columns of a .csf feature file (featfile.h)."""
    import struct
    raw = np.memmap(path, dtype=np.uint8, mode='r')
    magic, version, hsize, n_rows, n_feats, no, nl, io, il, to, tl, vo, vl, flen, ck = \
        struct.unpack_from('<8sIIQQQQQQQQQQQQ', raw, 0)
    assert magic == b'CSFEAT\0\0' and flen == len(raw), 'not a complete feature file'
    names = bytes(raw[no:no + nl]).split(b'\0')[:n_feats]
    ids = np.frombuffer(raw, dtype='<i8', count=n_rows, offset=io)
    target = np.frombuffer(raw, dtype='<f8', count=n_rows, offset=to)
    values = np.frombuffer(raw, dtype='<f8', count=n_rows * n_feats, offset=vo).reshape(n_feats, n_rows)
    return [n.decode('utf-8') for n in names], ids, target, values


def same_values(a, b):
    """NaN = NaN, inf = inf, else relative 1e-9."""
    with np.errstate(invalid='ignore'):
        close = np.abs(a - b) <= 1e-9 * np.maximum(np.abs(a), np.abs(b))
    return (a == b) | (np.isnan(a) & np.isnan(b)) | (close & np.isfinite(a) & np.isfinite(b))


def check_csf(df, feats, csf):
    names, ids, target, values = read_csf(csf)
    if names != feats:
        print(f'names differ: C has {len(names)}, oracle {len(feats)}')
        return 1
    if len(ids) != len(df) or not (ids == df['SK_ID_CURR'].to_numpy().astype('int64')).all():
        print('clients differ')
        return 1
    bad = 0
    cols = [('TARGET', target)] + [(f, values[j]) for j, f in enumerate(feats)]
    for name, c in cols:
        o = df[name].to_numpy(dtype='float64')
        ok = same_values(np.asarray(c), o)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            print(f'mismatch: feature {name}, client {ids[i]}: C {c[i]!r}, oracle {o[i]!r} '
                  f'({int((~ok).sum())} in this column)')
            bad += int((~ok).sum())
    print(f'compared {len(cols) * len(ids)} values of {len(cols)} columns for {len(ids)} clients: '
          f'{bad} mismatches')
    return 1 if bad else 0


def compare(c_csv, o_csv, names_txt=None):
    c = pd.read_csv(c_csv, keep_default_na=False, na_values=[''])
    o = pd.read_csv(o_csv, keep_default_na=False, na_values=[''])
    bad = 0
    if list(c.columns) != list(o.columns):
        cn, on = list(c.columns), list(o.columns)
        print(f'names differ: C has {len(cn)} columns, oracle {len(on)}')
        for i in range(max(len(cn), len(on))):
            a = cn[i] if i < len(cn) else '(none)'
            b = on[i] if i < len(on) else '(none)'
            if a != b:
                print(f'  first difference at column {i}: C {a!r}, oracle {b!r}')
                break
        print(f'  only in C: {sorted(set(cn) - set(on))[:10]}')
        print(f'  only in oracle: {sorted(set(on) - set(cn))[:10]}')
        return 1
    if names_txt:
        ref = [l.rstrip('\n') for l in open(names_txt, encoding='utf-8')]
        pos = {n: i for i, n in enumerate(ref)}
        last = -1
        for n in c.columns[2:]:
            if n not in pos or pos[n] < last:
                print(f'name {n!r} is not in {names_txt} in this order')
                return 1
            last = pos[n]
    if len(c) != len(o) or not (c['SK_ID_CURR'].to_numpy() == o['SK_ID_CURR'].to_numpy()).all():
        print(f'rows differ: C has {len(c)}, oracle {len(o)} (or the clients are not in the same order)')
        return 1
    ids = c['SK_ID_CURR'].to_numpy()
    total = 0
    for col in c.columns[1:]:
        a = c[col].to_numpy(dtype='float64')
        b = o[col].to_numpy(dtype='float64')
        ok = same_values(a, b)
        n_bad = int((~ok).sum())
        total += a.size
        if n_bad:
            for i in np.flatnonzero(~ok)[:3]:
                print(f'mismatch: feature {col}, client {ids[i]}: C {a[i]!r}, oracle {b[i]!r}')
            if n_bad > 3:
                print(f'  ... {n_bad} mismatches in {col}')
            bad += n_bad
    print(f'compared {total} values of {len(c.columns) - 1} columns for {len(c)} clients: {bad} mismatches')
    return 1 if bad else 0


def edge(src, dst):
    """Copy a data folder, planting edge cases: zero AMT_CREDIT (application and previous
    applications, with and without a zero numerator), zero AMT_INSTALMENT with positive and
    negative payments (+inf, -inf, 0/0), missing payment days, missing STATUS, an 'XNA'
    gender, history of a client without an application row."""
    import csv
    import os
    os.makedirs(dst, exist_ok=True)

    def rewrite(name, fn):
        path = f'{src}/{name}.csv'
        if not os.path.exists(path):
            return
        with open(path, newline='', encoding='utf-8') as f:
            rows = list(csv.reader(f))
        head = rows[0]
        col = {c: i for i, c in enumerate(head)}
        fn(rows[1:], col)
        with open(f'{dst}/{name}.csv', 'w', newline='', encoding='utf-8') as f:
            csv.writer(f, lineterminator='\n').writerows(rows)

    def app(rows, c):
        rows[3][c['AMT_CREDIT']] = '0'
        rows[4][c['AMT_INCOME_TOTAL']] = '0'
        rows[5][c['CNT_FAM_MEMBERS']] = ''
        rows[6][c['DAYS_EMPLOYED']] = '365243'
        if len(rows) > 9:
            rows[9][c['CODE_GENDER']] = 'XNA'

    def prev(rows, c):
        for i in range(0, min(len(rows), 60), 3):
            rows[i][c['AMT_CREDIT']] = '0'
            if i % 2:
                rows[i][c['AMT_APPLICATION']] = '0'

    def ins(rows, c):
        for i in range(0, min(len(rows), 400), 5):
            rows[i][c['AMT_INSTALMENT']] = '0'
            if i >= 200:
                rows[i][c['AMT_PAYMENT']] = '-12.5'
            if i % 7 == 0:
                rows[i][c['AMT_PAYMENT']] = '0'
            if i % 11 == 0:
                rows[i][c['DAYS_ENTRY_PAYMENT']] = ''

    def bb(rows, c):
        for i in range(0, min(len(rows), 300), 13):
            rows[i][c['STATUS']] = ''

    def bureau(rows, c):
        extra = list(rows[0])
        extra[c['SK_ID_CURR']] = '999999999'
        extra[c['SK_ID_BUREAU']] = '999999999'
        rows.append(extra)

    for name, fn in (('application_train', app), ('application_test', lambda r, c: None),
                     ('previous_application', prev), ('installments_payments', ins),
                     ('bureau_balance', bb), ('bureau', bureau),
                     ('POS_CASH_balance', lambda r, c: None), ('credit_card_balance', lambda r, c: None)):
        rewrite(name, fn)


if __name__ == '__main__':
    if len(sys.argv) in (4, 5) and sys.argv[1] == 'compute':
        sys.exit(compute(*sys.argv[2:]))
    elif len(sys.argv) == 4 and sys.argv[1] == 'edge':
        edge(sys.argv[2], sys.argv[3])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == 'compare':
        sys.exit(compare(*sys.argv[2:]))
    else:
        print(__doc__)
        sys.exit(2)
