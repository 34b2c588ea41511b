// The C API: results equal Model<float>'s, and every error path returns its status and message.
// Usage: test_capi <data directory>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "check.hpp"
#include "lstmcore/build_info.hpp"
#include "lstmcore/lstmcore_c.h"
#include "lstmcore/model.hpp"

namespace {

bool error_mentions(const std::string& text) {
  const std::string msg = lstmcore_last_error();
  if (msg.find(text) != std::string::npos) return true;
  std::fprintf(stderr, "last error '%s' lacks '%s'\n", msg.c_str(), text.c_str());
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <data directory>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const std::string gru_path = dir + "/ref_gru_cho_f32.lcw";
  LC_CHECK_EQ(std::string(lstmcore_version()), lstmcore::build_info().version);

  // Loading: success, then every failure with its status.
  lstmcore_model* model = nullptr;
  LC_CHECK_EQ(lstmcore_model_load(gru_path.c_str(), &model), LSTMCORE_OK);
  LC_CHECK(model != nullptr);
  lstmcore_model* bad = reinterpret_cast<lstmcore_model*>(&argc);  // must be reset to NULL
  LC_CHECK_EQ(lstmcore_model_load((dir + "/missing.lcw").c_str(), &bad), LSTMCORE_ERROR_FILE);
  LC_CHECK(bad == nullptr);
  LC_CHECK(error_mentions("lstmcore_model_load: lstmcore weights file '" + dir + "/missing.lcw': cannot open"));
  LC_CHECK_EQ(lstmcore_model_load((dir + "/ref_gru_f64.expected.txt").c_str(), &bad), LSTMCORE_ERROR_FILE);
  LC_CHECK(error_mentions("not an lstmcore weights file"));
  LC_CHECK_EQ(lstmcore_model_load(nullptr, &bad), LSTMCORE_ERROR_INVALID_ARGUMENT);
  LC_CHECK(error_mentions("lstmcore_model_load: path must not be NULL"));
  LC_CHECK_EQ(lstmcore_model_load(gru_path.c_str(), nullptr), LSTMCORE_ERROR_INVALID_ARGUMENT);

  // Info.
  lstmcore_model_info info{};
  LC_CHECK_EQ(lstmcore_model_info_get(model, &info), LSTMCORE_OK);
  LC_CHECK_EQ(std::string(info.mode), std::string("gru"));
  LC_CHECK_EQ(info.input_size, 2);
  LC_CHECK_EQ(info.output_size, 3);
  LC_CHECK_EQ(info.num_layers, 2);
  LC_CHECK_EQ(info.cell_size, 0);
  LC_CHECK_EQ(lstmcore_model_info_get(nullptr, &info), LSTMCORE_ERROR_INVALID_ARGUMENT);
  LC_CHECK_EQ(lstmcore_model_info_get(model, nullptr), LSTMCORE_ERROR_INVALID_ARGUMENT);

  // Forward and streaming give Model<float>'s numbers.
  const auto cpp = lstmcore::Model<float>::load(gru_path);
  const int64_t steps = 4, batch = 2;
  std::vector<float> x(steps * batch * 2);
  for (std::size_t k = 0; k < x.size(); ++k) x[k] = 0.1f * float(k) - 0.5f;
  std::vector<float> y_cpp(steps * batch * 3), y_c(y_cpp.size()), y_s(y_cpp.size());
  cpp.forward(x.data(), steps, batch, y_cpp.data());
  LC_CHECK_EQ(lstmcore_model_forward(model, x.data(), steps, batch, y_c.data()), LSTMCORE_OK);
  LC_CHECK(y_c == y_cpp);
  lstmcore_stream* stream = nullptr;
  LC_CHECK_EQ(lstmcore_stream_create(model, batch, &stream), LSTMCORE_OK);
  lstmcore_model_free(model);  // the stream keeps what it needs
  LC_CHECK_EQ(lstmcore_stream_run(stream, x.data(), 1, y_s.data()), LSTMCORE_OK);
  LC_CHECK_EQ(lstmcore_stream_run(stream, nullptr, 0, nullptr), LSTMCORE_OK);
  LC_CHECK_EQ(lstmcore_stream_run(stream, x.data() + batch * 2, steps - 1, y_s.data() + batch * 3), LSTMCORE_OK);
  double worst = 0;
  for (std::size_t k = 0; k < y_s.size(); ++k) worst = std::max(worst, double(std::abs(y_s[k] - y_cpp[k])));
  LC_CHECK(worst < 1e-6);
  LC_CHECK_EQ(lstmcore_stream_reset(stream), LSTMCORE_OK);
  LC_CHECK_EQ(lstmcore_stream_run(stream, x.data(), steps, y_s.data()), LSTMCORE_OK);

  // Error paths of running.
  LC_CHECK_EQ(lstmcore_stream_run(stream, nullptr, 1, y_s.data()), LSTMCORE_ERROR_INVALID_ARGUMENT);
  LC_CHECK(error_mentions("lstmcore_stream_run: x must not be NULL"));
  LC_CHECK_EQ(lstmcore_stream_run(stream, x.data(), -1, y_s.data()), LSTMCORE_ERROR_INVALID_ARGUMENT);
  LC_CHECK(error_mentions("steps must be >= 0"));
  LC_CHECK_EQ(lstmcore_stream_run(nullptr, x.data(), 1, y_s.data()), LSTMCORE_ERROR_INVALID_ARGUMENT);
  LC_CHECK_EQ(lstmcore_stream_reset(nullptr), LSTMCORE_ERROR_INVALID_ARGUMENT);
  lstmcore_stream_free(stream);
  lstmcore_stream_free(nullptr);
  lstmcore_model_free(nullptr);

  lstmcore_model* bidir = nullptr;
  LC_CHECK_EQ(lstmcore_model_load((dir + "/ref_lstm_proj_peephole_bidir_bf_f64.lcw").c_str(), &bidir), LSTMCORE_OK);
  lstmcore_stream* none = nullptr;
  LC_CHECK_EQ(lstmcore_stream_create(bidir, 1, &none), LSTMCORE_ERROR_INVALID_ARGUMENT);
  LC_CHECK(error_mentions("bidirectional"));
  LC_CHECK(none == nullptr);
  LC_CHECK_EQ(lstmcore_model_forward(bidir, x.data(), 0, 1, y_c.data()), LSTMCORE_ERROR_INVALID_ARGUMENT);
  LC_CHECK(error_mentions("lstmcore_model_forward: steps: expected >= 1, got 0"));
  LC_CHECK_EQ(lstmcore_model_forward(bidir, nullptr, 1, 1, y_c.data()), LSTMCORE_ERROR_INVALID_ARGUMENT);
  LC_CHECK_EQ(lstmcore_stream_create(bidir, 1, nullptr), LSTMCORE_ERROR_INVALID_ARGUMENT);
  lstmcore_model_free(bidir);
  return lstmcore_test::finish("test_capi");
}
