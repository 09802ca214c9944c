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
  DONE();
}
