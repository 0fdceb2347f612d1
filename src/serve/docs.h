/*
 * docs.h: the documentation files the API serves (docs.c): Swagger UI read into memory at
 * start, and the OpenAPI document compiled into the binary.
 */
#ifndef CS_SERVE_DOCS_H
#define CS_SERVE_DOCS_H

#include "../base/cs.h"

typedef struct api_docs api_docs;
/* Read the Swagger UI files of dir into memory; NULL dir gives an empty set. */
api_docs *api_docs_load(const char *dir, cs_err *err);
void api_docs_free(api_docs *d);
/* The file served at /docs/{name} ("" or "index.html" = the page); 0 when unknown. */
int api_docs_get(const api_docs *d, const char *name, const void **data, size_t *len, const char **type);
/* The OpenAPI document compiled into the binary. */
const char *api_openapi_json(size_t *len);

#endif /* CS_SERVE_DOCS_H */
