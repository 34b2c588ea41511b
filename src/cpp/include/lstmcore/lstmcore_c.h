/* The C API of lstmcore: load a model saved from Python and run it, from C, Rust, Go, Julia...
 *
 * Stable and small on purpose: opaque handles, float32 arrays, status codes. Every function
 * returns LSTMCORE_OK or an error code; lstmcore_last_error() then describes the error of the
 * last failed call made by the calling thread. No function throws or aborts.
 *
 * Thread safety: a model is immutable, so threads may share one; a stream holds state: use each
 * stream from one thread at a time. Arrays are C-contiguous float32; x and y are time-major
 * [steps, batch, features], or [batch, steps, features] when the model has batch_first set.
 */
#ifndef LSTMCORE_LSTMCORE_C_H
#define LSTMCORE_LSTMCORE_C_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lstmcore_status {
  LSTMCORE_OK = 0,
  LSTMCORE_ERROR_INVALID_ARGUMENT = 1, /* a null pointer, a bad size, a bidirectional stream */
  LSTMCORE_ERROR_FILE = 2,             /* unreadable, damaged or foreign weights file */
  LSTMCORE_ERROR_OUT_OF_MEMORY = 3,
  LSTMCORE_ERROR_INTERNAL = 4
} lstmcore_status;

typedef struct lstmcore_model lstmcore_model;   /* an immutable loaded model */
typedef struct lstmcore_stream lstmcore_stream; /* the recurrent state of a model fed piecewise */

typedef struct lstmcore_model_info {
  const char* mode;        /* "rnn", "lstm" or "gru" (static storage) */
  int64_t input_size;      /* I: features per step of x */
  int64_t hidden_size;     /* H */
  int64_t output_size;     /* D*P: features per step of y */
  int64_t num_layers;      /* L */
  int64_t num_directions;  /* D: 2 when bidirectional */
  int64_t state_size;      /* P: features of h per layer */
  int64_t cell_size;       /* H for an LSTM (c), 0 otherwise */
  int batch_first;         /* 1 when x and y are [batch, steps, features] */
} lstmcore_model_info;

/* The library version, e.g. "0.1.0" (static storage). */
const char* lstmcore_version(void);

/* The message of the last failed call on this thread ("" if none); valid until the next call. */
const char* lstmcore_last_error(void);

/* Loads a weights file (written by Python's save or the C++ library) into *out. */
lstmcore_status lstmcore_model_load(const char* path, lstmcore_model** out);
/* Frees a model (NULL is allowed). Streams made from it stay valid. */
void lstmcore_model_free(lstmcore_model* model);
lstmcore_status lstmcore_model_info_get(const lstmcore_model* model, lstmcore_model_info* out);

/* Whole sequences from the zero state: x [steps, batch, input_size] -> y [steps, batch,
 * output_size] (or batch-major, see above). Works for every model, bidirectional too. */
lstmcore_status lstmcore_model_forward(const lstmcore_model* model, const float* x,
                                       int64_t steps, int64_t batch, float* y);

/* A zero state for `batch` independent streams (unidirectional models only). */
lstmcore_status lstmcore_stream_create(const lstmcore_model* model, int64_t batch,
                                       lstmcore_stream** out);
void lstmcore_stream_free(lstmcore_stream* stream);
/* Feeds `steps` more steps; the state carries over between calls. steps may be 0. */
lstmcore_status lstmcore_stream_run(lstmcore_stream* stream, const float* x, int64_t steps,
                                    float* y);
/* Back to the zero state. */
lstmcore_status lstmcore_stream_reset(lstmcore_stream* stream);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LSTMCORE_LSTMCORE_C_H */
