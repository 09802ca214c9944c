/* Tensors through the C ABI: creation, copies, views, wrapping with a release
 * callback, and every bad input answered with a status, not a crash. */
#include <stdlib.h>
#include <string.h>
#include "check.h"

static int releases = 0;
static void count_release(void *context, float *data) {
  (void)data;
  releases++;
  *(int *)context += 1;
}


/* Rank 0 needs no shape; every rule on rank and dimensions is checked. */
static void test_create(void) {
  sinabs_tensor *t = NULL;
  CHECK_OK(sinabs_tensor_create(&t, NULL, 0));
  int64_t n = 0;
  CHECK_OK(sinabs_tensor_numel(&n, t));
  CHECK(n == 1);
  CHECK(data_of(t)[0] == 0.0f);
  sinabs_tensor_free(t);

  int64_t empty_shape[2] = {0, 5};
  CHECK_OK(sinabs_tensor_create(&t, empty_shape, 2));
  CHECK_OK(sinabs_tensor_numel(&n, t));
  CHECK(n == 0);
  sinabs_tensor_free(t);

  int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  int64_t eight[8] = {1, 1, 1, 1, 1, 1, 1, 2};
  CHECK_OK(sinabs_tensor_create(&t, eight, SINABS_MAX_RANK));
  sinabs_tensor_free(t);
  t = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_tensor_create(&t, nine, 9), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(t == NULL);
  CHECK(strstr(sinabs_last_error(), "rank") != NULL);
  t = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_tensor_create(&t, eight, -1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(t == NULL);
  CHECK_FAILS(sinabs_tensor_create(&t, NULL, 1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(t == NULL);
  /* Each factor fits, the product overflows int64; and a count whose byte
   * size overflows. */
  int64_t overflow[3] = {1LL << 31, 1LL << 31, 4};
  CHECK_FAILS(sinabs_tensor_create(&t, overflow, 3), SINABS_ERR_OUT_OF_MEMORY);
  int64_t bytes_overflow[1] = {INT64_MAX / 4 + 1};
  CHECK_FAILS(sinabs_tensor_create(&t, bytes_overflow, 1), SINABS_ERR_OUT_OF_MEMORY);
  int64_t min_dim[2] = {INT64_MIN, 2};
  CHECK_FAILS(sinabs_tensor_create(&t, min_dim, 2), SINABS_ERR_INVALID_ARGUMENT);
  /* A negative dimension next to a zero one is still an error. */
  /* Empty, but with extents no stride could address: refused like numpy and
   * torch do (a layer multiplying time by neurons would overflow). */
  int64_t empty_huge[3] = {0, INT64_C(1) << 62, 4};
  t = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_tensor_create(&t, empty_huge, 3), SINABS_ERR_OUT_OF_MEMORY);
  CHECK(t == NULL);
  CHECK_FAILS(sinabs_tensor_wrap(&t, empty_huge, 3, NULL, NULL, NULL), SINABS_ERR_OUT_OF_MEMORY);
  sinabs_tensor *empty_small = NULL;
  CHECK_OK(sinabs_tensor_create(&empty_small, empty_shape, 2));
  CHECK_FAILS(sinabs_tensor_reshape(&t, empty_small, empty_huge, 3), SINABS_ERR_OUT_OF_MEMORY);
  CHECK(t == NULL);
  sinabs_tensor_free(empty_small);
  int64_t zero_negative[2] = {0, -1};
  CHECK_FAILS(sinabs_tensor_create(&t, zero_negative, 2), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(t == NULL);
}

static void test_create_copy(void) {
  const float values[6] = {1, 2, 3, 4, 5, 6};
  int64_t shape[2] = {2, 3};
  sinabs_tensor *t = NULL;
  CHECK_OK(sinabs_tensor_create_copy(&t, shape, 2, values, 6));
  float *d = data_of(t);
  CHECK(d != values && d[0] == 1.0f && d[5] == 6.0f);
  sinabs_tensor_free(t);

  int64_t empty[1] = {0};
  CHECK_OK(sinabs_tensor_create_copy(&t, empty, 1, NULL, 0));
  sinabs_tensor_free(t);

  t = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_tensor_create_copy(&t, shape, 2, values, 5), SINABS_ERR_SHAPE);
  CHECK(t == NULL);
  CHECK_FAILS(sinabs_tensor_create_copy(&t, shape, 2, values, 7), SINABS_ERR_SHAPE);
  CHECK_FAILS(sinabs_tensor_create_copy(&t, shape, 2, values, -6), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tensor_create_copy(&t, shape, 2, NULL, 6), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tensor_create_copy(NULL, shape, 2, values, 6), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tensor_create_copy(&t, shape, 9, values, 6), SINABS_ERR_INVALID_ARGUMENT);
  int64_t negative[2] = {-2, -3};
  CHECK_FAILS(sinabs_tensor_create_copy(&t, negative, 2, values, 6), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(t == NULL);
}

static int wrap_releases = 0;
static void note_release(void *context, float *data) {
  (void)context;
  (void)data;
  wrap_releases++;
}

/* Failed wraps never call release; a NULL release is allowed. */
static void test_wrap(void) {
  float *buffer = malloc(16 * sizeof(float));
  int64_t shape[2] = {2, 3};
  sinabs_tensor *t = STALE(sinabs_tensor);
  wrap_releases = 0;
  float *misaligned = (float *)((char *)buffer + 1);
  CHECK_FAILS(sinabs_tensor_wrap(&t, shape, 2, misaligned, note_release, NULL),
              SINABS_ERR_INVALID_ARGUMENT);
  CHECK(t == NULL);
  CHECK(strstr(sinabs_last_error(), "align") != NULL);
  CHECK_FAILS(sinabs_tensor_wrap(&t, shape, 2, NULL, note_release, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tensor_wrap(NULL, shape, 2, buffer, note_release, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tensor_wrap(&t, shape, 9, buffer, note_release, NULL), SINABS_ERR_INVALID_ARGUMENT);
  int64_t negative[1] = {-6};
  CHECK_FAILS(sinabs_tensor_wrap(&t, negative, 1, buffer, note_release, NULL), SINABS_ERR_INVALID_ARGUMENT);
  int64_t overflow[2] = {INT64_MAX, 2};
  CHECK_FAILS(sinabs_tensor_wrap(&t, overflow, 2, buffer, note_release, NULL), SINABS_ERR_OUT_OF_MEMORY);
  CHECK(t == NULL);
  CHECK(wrap_releases == 0);

  /* Writes through the tensor land in the caller's memory. */
  CHECK_OK(sinabs_tensor_wrap(&t, shape, 2, buffer, NULL, NULL));
  sinabs_tensor *copy = NULL;
  buffer[4] = 42.0f;
  CHECK_OK(sinabs_tensor_copy(&copy, t));
  CHECK(data_of(copy)[4] == 42.0f && data_of(copy) != buffer);
  sinabs_tensor_free(t);
  sinabs_tensor_free(copy);

  /* Empty memory may be NULL; release still runs once, with NULL data. */
  int64_t empty[1] = {0};
  CHECK_OK(sinabs_tensor_wrap(&t, empty, 1, NULL, note_release, NULL));
  sinabs_tensor_free(t);
  CHECK(wrap_releases == 1);
  free(buffer);
}

static void test_copy_and_reshape(void) {
  const float values[6] = {1, 2, 3, 4, 5, 6};
  int64_t shape[2] = {2, 3};
  sinabs_tensor *t = tensor_of(shape, 2, values);
  sinabs_tensor *c = NULL;
  CHECK_OK(sinabs_tensor_copy(&c, t));
  data_of(c)[0] = -1.0f;
  CHECK(data_of(t)[0] == 1.0f); /* a copy owns its memory */
  sinabs_tensor_free(c);

  int64_t infer[2] = {3, -1};
  sinabs_tensor *r = NULL;
  CHECK_OK(sinabs_tensor_reshape(&r, t, infer, 2));
  int64_t dims[SINABS_MAX_RANK];
  int32_t rank = 0;
  CHECK_OK(sinabs_tensor_shape(dims, SINABS_MAX_RANK, &rank, r));
  CHECK(rank == 2 && dims[0] == 3 && dims[1] == 2);
  data_of(r)[5] = 60.0f;
  CHECK(data_of(t)[5] == 60.0f); /* a view shares memory */
  sinabs_tensor_free(r);

  r = STALE(sinabs_tensor);
  int64_t two_unknown[2] = {-1, -1};
  CHECK_FAILS(sinabs_tensor_reshape(&r, t, two_unknown, 2), SINABS_ERR_SHAPE);
  CHECK(r == NULL);
  int64_t below[2] = {-2, -3};
  CHECK_FAILS(sinabs_tensor_reshape(&r, t, below, 2), SINABS_ERR_INVALID_ARGUMENT);
  int64_t not_divisible[2] = {4, -1};
  CHECK_FAILS(sinabs_tensor_reshape(&r, t, not_divisible, 2), SINABS_ERR_SHAPE);
  int64_t zero_infer[2] = {0, -1};
  CHECK_FAILS(sinabs_tensor_reshape(&r, t, zero_infer, 2), SINABS_ERR_SHAPE);
  int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 2, 3};
  CHECK_FAILS(sinabs_tensor_reshape(&r, t, nine, 9), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tensor_reshape(&r, t, NULL, 2), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tensor_reshape(&r, NULL, infer, 2), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tensor_reshape(NULL, t, infer, 2), SINABS_ERR_INVALID_ARGUMENT);
  int64_t overflow[2] = {INT64_MAX, 2};
  CHECK_FAILS(sinabs_tensor_reshape(&r, t, overflow, 2), SINABS_ERR_OUT_OF_MEMORY);
  CHECK(r == NULL);

  c = STALE(sinabs_tensor);
  CHECK_FAILS(sinabs_tensor_copy(&c, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(c == NULL);
  CHECK_FAILS(sinabs_tensor_copy(NULL, t), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_tensor_free(t);
}

static void test_queries(void) {
  sinabs_tensor *scalar = NULL;
  CHECK_OK(sinabs_tensor_create(&scalar, NULL, 0));
  int32_t rank = -1;
  CHECK_OK(sinabs_tensor_rank(&rank, scalar));
  CHECK(rank == 0);
  int64_t dims[SINABS_MAX_RANK];
  CHECK_OK(sinabs_tensor_shape(dims, 0, &rank, scalar)); /* rank 0 needs no room */
  CHECK(rank == 0);

  int64_t shape[3] = {4, 0, 2};
  sinabs_tensor *empty = tensor_of(shape, 3, NULL);
  float *d = (float *)&rank;
  CHECK_OK(sinabs_tensor_data(&d, empty));
  CHECK(d == NULL); /* empty tensors have no memory */
  CHECK_OK(sinabs_tensor_rank(&rank, empty));
  CHECK(rank == 3);
  rank = 99;
  CHECK_FAILS(sinabs_tensor_shape(dims, 2, &rank, empty), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(rank == 99); /* nothing written on failure */
  CHECK_FAILS(sinabs_tensor_shape(dims, -1, &rank, empty), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tensor_shape(NULL, 8, &rank, empty), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tensor_shape(dims, 8, NULL, empty), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tensor_shape(dims, 8, &rank, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_OK(sinabs_tensor_shape(dims, 3, &rank, empty));
  CHECK(rank == 3 && dims[0] == 4 && dims[1] == 0 && dims[2] == 2);

  CHECK_FAILS(sinabs_tensor_rank(NULL, empty), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tensor_rank(&rank, NULL), SINABS_ERR_INVALID_ARGUMENT);
  int64_t n = -1;
  CHECK_FAILS(sinabs_tensor_numel(NULL, empty), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tensor_numel(&n, NULL), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(n == -1);
  CHECK_FAILS(sinabs_tensor_data(NULL, empty), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_tensor_free(empty);
  sinabs_tensor_free(scalar);
}

static void test_copy_into(void) {
  const float values[6] = {1, 2, 3, 4, 5, 6};
  int64_t shape[2] = {2, 3}, flat[1] = {6}, five[1] = {5};
  sinabs_tensor *src = tensor_of(shape, 2, values);
  sinabs_tensor *dst = tensor_of(flat, 1, NULL);
  CHECK_OK(sinabs_tensor_copy_into(dst, src)); /* shapes may differ */
  CHECK(data_of(dst)[0] == 1.0f && data_of(dst)[5] == 6.0f);
  CHECK_OK(sinabs_tensor_copy_into(src, src)); /* same storage is allowed */
  CHECK(data_of(src)[3] == 4.0f);
  sinabs_tensor *wrong = tensor_of(five, 1, NULL);
  CHECK_FAILS(sinabs_tensor_copy_into(wrong, src), SINABS_ERR_SHAPE);
  CHECK(data_of(wrong)[0] == 0.0f);
  CHECK_FAILS(sinabs_tensor_copy_into(NULL, src), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_FAILS(sinabs_tensor_copy_into(dst, NULL), SINABS_ERR_INVALID_ARGUMENT);
  sinabs_tensor_free(wrong);
  sinabs_tensor_free(dst);
  sinabs_tensor_free(src);
}

/* Layer and model handles passed as tensors: an error, not a crash. */
static void test_wrong_kind(void) {
  sinabs_layer *layer = NULL;
  CHECK_OK(sinabs_linear_layer_create(&layer, 2, 2, 1));
  sinabs_model *model = NULL;
  CHECK_OK(sinabs_model_create(&model));
  const sinabs_tensor *as_tensor[2] = {(const sinabs_tensor *)layer, (const sinabs_tensor *)model};
  int64_t shape[1] = {4};
  sinabs_tensor *good = tensor_of(shape, 1, NULL);
  for (int i = 0; i < 2; i++) {
    const sinabs_tensor *bad = as_tensor[i];
    sinabs_tensor *out = STALE(sinabs_tensor);
    CHECK_FAILS(sinabs_tensor_copy(&out, bad), SINABS_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK(strstr(sinabs_last_error(), "sinabs_tensor") != NULL);
    CHECK_FAILS(sinabs_tensor_reshape(&out, bad, shape, 1), SINABS_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL);
    float *d = NULL;
    CHECK_FAILS(sinabs_tensor_data(&d, bad), SINABS_ERR_INVALID_ARGUMENT);
    int32_t rank = 0;
    CHECK_FAILS(sinabs_tensor_rank(&rank, bad), SINABS_ERR_INVALID_ARGUMENT);
    int64_t dims[SINABS_MAX_RANK], n = 0;
    CHECK_FAILS(sinabs_tensor_shape(dims, SINABS_MAX_RANK, &rank, bad), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_tensor_numel(&n, bad), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_tensor_copy_into(good, bad), SINABS_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(sinabs_tensor_copy_into((sinabs_tensor *)bad, good), SINABS_ERR_INVALID_ARGUMENT);
  }
  sinabs_tensor_free(good);
  sinabs_model_free(model);
  sinabs_layer_free(layer);
}

int main(void) {
  CHECK(sinabs_version_number() == SINABS_VERSION_NUMBER);

  int64_t shape[3] = {2, 3, 4};
  sinabs_tensor *t = NULL;
  CHECK_OK(sinabs_tensor_create(&t, shape, 3));
  int64_t n = 0;
  CHECK_OK(sinabs_tensor_numel(&n, t));
  CHECK(n == 24);
  float *data = NULL;
  CHECK_OK(sinabs_tensor_data(&data, t));
  CHECK(data != NULL && data[0] == 0.0f && data[23] == 0.0f);

  /* A reshaped view shares memory. */
  int64_t flat[1] = {-1};
  sinabs_tensor *view = NULL;
  CHECK_OK(sinabs_tensor_reshape(&view, t, flat, 1));
  float *view_data = NULL;
  CHECK_OK(sinabs_tensor_data(&view_data, view));
  CHECK(view_data == data);
  int64_t got[SINABS_MAX_RANK];
  int32_t rank = 0;
  CHECK_OK(sinabs_tensor_shape(got, SINABS_MAX_RANK, &rank, view));
  CHECK(rank == 1 && got[0] == 24);

  /* Wrapped memory: no copy, release runs once after the last view dies. */
  float *mine = malloc(6 * sizeof(float));
  for (int i = 0; i < 6; i++) mine[i] = (float)i;
  int64_t shape2[2] = {2, 3};
  int released = 0;
  sinabs_tensor *wrapped = NULL;
  CHECK_OK(sinabs_tensor_wrap(&wrapped, shape2, 2, mine, count_release, &released));
  float *wrapped_data = NULL;
  CHECK_OK(sinabs_tensor_data(&wrapped_data, wrapped));
  CHECK(wrapped_data == mine);
  sinabs_tensor *wrapped_view = NULL;
  int64_t shape3[1] = {6};
  CHECK_OK(sinabs_tensor_reshape(&wrapped_view, wrapped, shape3, 1));
  sinabs_tensor_free(wrapped);
  CHECK(released == 0);
  sinabs_tensor_free(wrapped_view);
  CHECK(released == 1 && releases == 1);
  free(mine);

  /* Bad input: a status and a message, never a crash. */
  sinabs_tensor *bad = (sinabs_tensor *)0x1;
  int64_t negative[1] = {-3};
  CHECK_STATUS(sinabs_tensor_create(&bad, negative, 1), SINABS_ERR_INVALID_ARGUMENT);
  CHECK(bad == NULL);
  CHECK(strstr(sinabs_last_error(), "negative") != NULL);
  CHECK_STATUS(sinabs_tensor_create(NULL, shape, 3), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(sinabs_tensor_create(&bad, shape, 9), SINABS_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(sinabs_tensor_create(&bad, NULL, 2), SINABS_ERR_INVALID_ARGUMENT);
  int64_t huge[2] = {INT64_MAX, 4};
  CHECK_STATUS(sinabs_tensor_create(&bad, huge, 2), SINABS_ERR_OUT_OF_MEMORY);
  CHECK_STATUS(sinabs_tensor_data(&data, NULL), SINABS_ERR_INVALID_ARGUMENT);
  int64_t wrong[1] = {5};
  CHECK_STATUS(sinabs_tensor_reshape(&bad, t, wrong, 1), SINABS_ERR_SHAPE);
  sinabs_tensor_free(NULL);

  sinabs_tensor_free(view);
  sinabs_tensor_free(t);

  test_create();
  test_create_copy();
  test_wrap();
  test_copy_and_reshape();
  test_queries();
  test_copy_into();
  test_wrong_kind();
  DONE();
}
