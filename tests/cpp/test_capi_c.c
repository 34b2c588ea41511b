/* The C API from plain C: the header compiles as C and a model loads and runs.
 * Usage: test_capi_c <file.lcw> */
#include <stdio.h>

#include "lstmcore/lstmcore_c.h"

int main(int argc, char** argv) {
  lstmcore_model* model = NULL;
  lstmcore_stream* stream = NULL;
  lstmcore_model_info info;
  float x[2] = {0.25f, -0.5f};
  float y[16];
  if (argc != 2) return 2;
  if (lstmcore_model_load(argv[1], &model) != LSTMCORE_OK) {
    fprintf(stderr, "load failed: %s\n", lstmcore_last_error());
    return 1;
  }
  if (lstmcore_model_info_get(model, &info) != LSTMCORE_OK || info.input_size != 2 ||
      info.output_size > 16 || lstmcore_stream_create(model, 1, &stream) != LSTMCORE_OK ||
      lstmcore_stream_run(stream, x, 1, y) != LSTMCORE_OK) {
    fprintf(stderr, "failed: %s\n", lstmcore_last_error());
    return 1;
  }
  if (lstmcore_model_load("/nonexistent/model.lcw", &model) != LSTMCORE_ERROR_FILE || model != NULL) {
    return 1;
  }
  printf("test_capi_c: %s model, y[0] = %g\n", info.mode, (double)y[0]);
  lstmcore_stream_free(stream);
  return 0;
}
