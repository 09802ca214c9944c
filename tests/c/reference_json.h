/* Just enough JSON for the reference cases (tests/reference): find a
 * member by a dotted path ("state_after.v_mem"), read a number, a boolean, or
 * a tensor {"shape": [...], "data": [...]}. Strings, nesting and arrays are
 * skipped correctly; escapes beyond \" are not needed by these files. */
#ifndef SINABS_TEST_REFERENCE_JSON_H
#define SINABS_TEST_REFERENCE_JSON_H

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *json_space(const char *p) {
  while (*p && isspace((unsigned char)*p)) p++;
  return p;
}

/* The first character after the value starting at `p` (NULL if malformed). */
static const char *json_skip(const char *p) {
  p = json_space(p);
  if (*p == '"') {
    for (p++; *p && *p != '"'; p++)
      if (*p == '\\' && p[1]) p++;
    return *p ? p + 1 : NULL;
  }
  if (*p == '{' || *p == '[') {
    int depth = 0;
    for (; *p; p++) {
      if (*p == '"') {
        p = json_skip(p);
        if (!p) return NULL;
        p--;
      } else if (*p == '{' || *p == '[') {
        depth++;
      } else if (*p == '}' || *p == ']') {
        if (--depth == 0) return p + 1;
      }
    }
    return NULL;
  }
  while (*p && *p != ',' && *p != '}' && *p != ']') p++; /* number, true, null */
  return p;
}

/* The value of member `key` of the object at `p`, or NULL. */
static const char *json_member(const char *p, const char *key, size_t key_length) {
  p = json_space(p);
  if (*p != '{') return NULL;
  p = json_space(p + 1);
  while (*p == '"') {
    const char *name = p + 1;
    const char *end = json_skip(p);
    if (!end) return NULL;
    p = json_space(end);
    if (*p != ':') return NULL;
    p = json_space(p + 1);
    if ((size_t)(end - 1 - name) == key_length && strncmp(name, key, key_length) == 0) return p;
    p = json_skip(p);
    if (!p) return NULL;
    p = json_space(p);
    if (*p == ',') p = json_space(p + 1);
  }
  return NULL;
}

/* The value at a dotted path from the top-level object, or NULL. */
static const char *json_find(const char *json, const char *path) {
  const char *p = json;
  while (p && *path) {
    const char *dot = strchr(path, '.');
    size_t length = dot ? (size_t)(dot - path) : strlen(path);
    p = json_member(p, path, length);
    path += length + (dot ? 1 : 0);
  }
  return p;
}

/* Reads a JSON array of numbers at `p` into a new malloc'd array. */
static double *json_numbers(const char *p, int64_t *count) {
  p = json_space(p);
  *count = 0;
  if (*p != '[') return NULL;
  int64_t capacity = 64;
  double *values = malloc((size_t)capacity * sizeof *values);
  p = json_space(p + 1);
  while (values && *p && *p != ']') {
    char *end = NULL;
    double v = strtod(p, &end);
    if (end == p) break;
    if (*count == capacity) {
      capacity *= 2;
      double *grown = realloc(values, (size_t)capacity * sizeof *values);
      if (!grown) break;
      values = grown;
    }
    values[(*count)++] = v;
    p = json_space(end);
    if (*p == ',') p = json_space(p + 1);
  }
  if (!values || *p != ']') {
    free(values);
    return NULL;
  }
  return values;
}

/* A tensor read from {"shape": [...], "data": [...]}; floats are exact since
 * the files hold float32 values printed in full. */
typedef struct {
  int64_t shape[8];
  int32_t rank;
  float *data;
  int64_t count;
} ref_tensor;

/* 1 on success. */
static int ref_read_tensor(const char *json, const char *path, ref_tensor *out) {
  memset(out, 0, sizeof *out);
  const char *value = json_find(json, path);
  if (!value) return 0;
  const char *shape_value = json_member(value, "shape", 5);
  const char *data_value = json_member(value, "data", 4);
  if (!shape_value || !data_value) return 0;
  int64_t rank = 0, count = 0;
  double *dims = json_numbers(shape_value, &rank);
  double *data = json_numbers(data_value, &count);
  int ok = dims && data && rank <= 8;
  int64_t expected = 1;
  for (int64_t i = 0; ok && i < rank; i++) {
    out->shape[i] = (int64_t)dims[i];
    expected *= out->shape[i];
  }
  ok = ok && expected == count;
  if (ok) {
    out->rank = (int32_t)rank;
    out->count = count;
    out->data = malloc((size_t)(count > 0 ? count : 1) * sizeof(float));
    for (int64_t i = 0; out->data && i < count; i++) out->data[i] = (float)data[i];
    ok = out->data != NULL;
  }
  free(dims);
  free(data);
  return ok;
}

/* A number (or true/false as 1/0) at `path`; `fallback` when absent. */
static double ref_read_number(const char *json, const char *path, double fallback) {
  const char *value = json_find(json, path);
  if (!value) return fallback;
  if (strncmp(value, "true", 4) == 0) return 1;
  if (strncmp(value, "false", 5) == 0) return 0;
  char *end = NULL;
  double v = strtod(value, &end);
  return end == value ? fallback : v;
}

/* The whole file `dir/name.json` in a new string, or NULL. */
static char *ref_load(const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.json", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = size >= 0 ? malloc((size_t)size + 1) : NULL;
  if (text && fread(text, 1, (size_t)size, f) != (size_t)size) {
    free(text);
    text = NULL;
  }
  if (text) text[size] = '\0';
  fclose(f);
  return text;
}

#endif
