/*
 * dlpack_abi.h -- the DLPack structures sinabs_swift exchanges, written from
 * the DLPack specification version 1.0 (dlpack.h, DLPACK_MAJOR_VERSION 1,
 * DLPACK_MINOR_VERSION 0; https://dmlc.github.io/dlpack/latest/c_api.html).
 * Only the members we read or write are named; the layout is the spec's.
 */
#ifndef SINABS_SWIFT_DLPACK_ABI_H
#define SINABS_SWIFT_DLPACK_ABI_H

#include <stdint.h>

#define SNDL_MAJOR_VERSION 1
#define SNDL_MINOR_VERSION 0

/* Capsule names of the Python DLPack protocol. */
#define SNDL_CAPSULE "dltensor"
#define SNDL_CAPSULE_USED "used_dltensor"
#define SNDL_CAPSULE_VERSIONED "dltensor_versioned"
#define SNDL_CAPSULE_VERSIONED_USED "used_dltensor_versioned"

/* DLDeviceType: kDLCPU is the only one we accept or produce. */
#define SNDL_DEVICE_CPU 1
/* DLDataTypeCode: kDLFloat. */
#define SNDL_TYPE_FLOAT 2

/* DLManagedTensorVersioned.flags */
#define SNDL_FLAG_READ_ONLY (UINT64_C(1) << 0)
#define SNDL_FLAG_IS_COPIED (UINT64_C(1) << 1)

typedef struct {
  uint32_t major;
  uint32_t minor;
} sndl_version;

typedef struct {
  int32_t device_type; /* DLDeviceType, a C enum (int-sized) */
  int32_t device_id;
} sndl_device;

typedef struct {
  uint8_t code;
  uint8_t bits;
  uint16_t lanes;
} sndl_dtype;

typedef struct {
  void *data;
  sndl_device device;
  int32_t ndim;
  sndl_dtype dtype;
  int64_t *shape;
  int64_t *strides; /* in elements; NULL means compact row-major */
  uint64_t byte_offset;
} sndl_tensor;

/* DLManagedTensor (the legacy, unversioned form). */
typedef struct sndl_managed {
  sndl_tensor dl_tensor;
  void *manager_ctx;
  void (*deleter)(struct sndl_managed *self);
} sndl_managed;

/* DLManagedTensorVersioned (DLPack >= 1.0). */
typedef struct sndl_managed_versioned {
  sndl_version version;
  void *manager_ctx;
  void (*deleter)(struct sndl_managed_versioned *self);
  uint64_t flags;
  sndl_tensor dl_tensor;
} sndl_managed_versioned;

#endif
