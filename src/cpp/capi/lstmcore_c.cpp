// The C API (lstmcore_c.h) over Model<float>/Stream<float>: exceptions become status codes.
#include "lstmcore/lstmcore_c.h"

#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

#include "lstmcore/model.hpp"

struct lstmcore_model {
  lstmcore::Model<float> model;
};

struct lstmcore_stream {
  lstmcore::Stream<float> stream;
};

namespace {

thread_local std::string last_error;

lstmcore_status fail(lstmcore_status status, std::string message) {
  last_error = std::move(message);
  return status;
}

// Runs f, turning every exception into a status and a message; nothing escapes into C.
template <class F>
lstmcore_status guarded(const char* function, F&& f) {
  try {
    f();
    return LSTMCORE_OK;
  } catch (const std::invalid_argument& e) {
    return fail(LSTMCORE_ERROR_INVALID_ARGUMENT, std::string(function) + ": " + e.what());
  } catch (const std::bad_alloc&) {
    return fail(LSTMCORE_ERROR_OUT_OF_MEMORY, std::string(function) + ": out of memory");
  } catch (const std::runtime_error& e) {
    return fail(LSTMCORE_ERROR_FILE, std::string(function) + ": " + e.what());
  } catch (const std::exception& e) {
    return fail(LSTMCORE_ERROR_INTERNAL, std::string(function) + ": " + e.what());
  } catch (...) {
    return fail(LSTMCORE_ERROR_INTERNAL, std::string(function) + ": unknown error");
  }
}

lstmcore_status null_argument(const char* function, const char* name) {
  return fail(LSTMCORE_ERROR_INVALID_ARGUMENT,
              std::string(function) + ": " + name + " must not be NULL");
}

const char* mode_name(lstmcore::Mode mode) {
  switch (mode) {
    case lstmcore::Mode::rnn: return "rnn";
    case lstmcore::Mode::lstm: return "lstm";
    case lstmcore::Mode::gru: return "gru";
  }
  return "unknown";
}

}  // namespace

extern "C" {

const char* lstmcore_version(void) { return LSTMCORE_VERSION_STRING; }

const char* lstmcore_last_error(void) { return last_error.c_str(); }

lstmcore_status lstmcore_model_load(const char* path, lstmcore_model** out) {
  if (out == nullptr) return null_argument("lstmcore_model_load", "out");
  *out = nullptr;
  if (path == nullptr) return null_argument("lstmcore_model_load", "path");
  return guarded("lstmcore_model_load", [&] {
    *out = new lstmcore_model{lstmcore::Model<float>::load(path)};
  });
}

void lstmcore_model_free(lstmcore_model* model) { delete model; }

lstmcore_status lstmcore_model_info_get(const lstmcore_model* model, lstmcore_model_info* out) {
  if (model == nullptr) return null_argument("lstmcore_model_info_get", "model");
  if (out == nullptr) return null_argument("lstmcore_model_info_get", "out");
  const lstmcore::RNNSpec& spec = model->model.spec();
  out->mode = mode_name(spec.mode);
  out->input_size = spec.input_size;
  out->hidden_size = spec.hidden_size;
  out->output_size = model->model.output_size();
  out->num_layers = spec.num_layers;
  out->num_directions = spec.num_directions();
  out->state_size = spec.output_size();
  out->cell_size = spec.has_cell_state() ? spec.hidden_size : 0;
  out->batch_first = spec.batch_first ? 1 : 0;
  return LSTMCORE_OK;
}

lstmcore_status lstmcore_model_forward(const lstmcore_model* model, const float* x,
                                       int64_t steps, int64_t batch, float* y) {
  if (model == nullptr) return null_argument("lstmcore_model_forward", "model");
  if (x == nullptr) return null_argument("lstmcore_model_forward", "x");
  if (y == nullptr) return null_argument("lstmcore_model_forward", "y");
  return guarded("lstmcore_model_forward", [&] { model->model.forward(x, steps, batch, y); });
}

lstmcore_status lstmcore_stream_create(const lstmcore_model* model, int64_t batch,
                                       lstmcore_stream** out) {
  if (out == nullptr) return null_argument("lstmcore_stream_create", "out");
  *out = nullptr;
  if (model == nullptr) return null_argument("lstmcore_stream_create", "model");
  return guarded("lstmcore_stream_create", [&] {
    *out = new lstmcore_stream{model->model.stream(batch)};
  });
}

void lstmcore_stream_free(lstmcore_stream* stream) { delete stream; }

lstmcore_status lstmcore_stream_run(lstmcore_stream* stream, const float* x, int64_t steps,
                                    float* y) {
  if (stream == nullptr) return null_argument("lstmcore_stream_run", "stream");
  if (steps != 0 && x == nullptr) return null_argument("lstmcore_stream_run", "x");
  if (steps != 0 && y == nullptr) return null_argument("lstmcore_stream_run", "y");
  return guarded("lstmcore_stream_run", [&] { stream->stream.run(x, steps, y); });
}

lstmcore_status lstmcore_stream_reset(lstmcore_stream* stream) {
  if (stream == nullptr) return null_argument("lstmcore_stream_reset", "stream");
  stream->stream.reset();
  return LSTMCORE_OK;
}

}  // extern "C"
