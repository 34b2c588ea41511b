// Model/Stream against lstmcore.reference's outputs saved in tests/cpp/data (ref_*.lcw), and
// streaming in chunks against one whole-sequence forward.
// Usage: test_model <data directory>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.hpp"
#include "expected_arrays.hpp"
#include "lstmcore/model.hpp"

namespace {

using lstmcore::Index;
using lstmcore_test::max_error;

template <class T>
std::vector<T> as(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

void check_error(const std::string& what, double error, double tol) {
  if (!(error <= tol)) {
    lstmcore_test::fail(__FILE__, __LINE__,
                        what + ": error " + std::to_string(error) + " > " + std::to_string(tol));
  }
}

// T is the compute type; tol bounds the normalised error against the float64 reference values.
template <class T>
void check_case(const std::string& dir, const std::string& name, double tol) {
  const auto expected = lstmcore_test::read_expected(dir + "/" + name + ".expected.txt");
  const auto model = lstmcore::Model<T>::load(dir + "/" + name + ".lcw");
  const lstmcore::RNNSpec& spec = model.spec();
  const lstmcore_test::Array& xa = expected.at("x");
  const Index steps = spec.batch_first ? xa.shape[1] : xa.shape[0];
  const Index batch = spec.batch_first ? xa.shape[0] : xa.shape[1];
  const std::vector<T> x = as<T>(xa.values);
  std::vector<T> y(expected.at("y").values.size(), T(-7));
  std::vector<T> h_n(expected.at("h_n").values.size(), T(-7));
  std::vector<T> c_n(spec.has_cell_state() ? expected.at("c_n").values.size() : 0, T(-7));
  model.forward(x.data(), steps, batch, y.data(), h_n.data(),
                spec.has_cell_state() ? c_n.data() : nullptr);
  check_error(name + " y", max_error(y, expected.at("y").values), tol);
  check_error(name + " h_n", max_error(h_n, expected.at("h_n").values), tol);
  if (spec.has_cell_state()) check_error(name + " c_n", max_error(c_n, expected.at("c_n").values), tol);

  std::vector<T> y_only(y.size());
  model.forward(x.data(), steps, batch, y_only.data());  // h_n, c_n skipped
  check_error(name + " y without states", max_error(y_only, expected.at("y").values), tol);

  if (spec.bidirectional) {
    LC_CHECK_THROWS(std::invalid_argument, model.stream(batch), "bidirectional");
    return;
  }
  // Streaming: chunks of 1, 2, then the rest, time-major (these cases are not batch_first).
  auto stream = model.stream(batch);
  const Index I = spec.input_size;
  const Index O = model.output_size();
  std::vector<T> ys(y.size(), T(-7));
  Index t = 0;
  for (Index chunk : {Index(1), Index(0), Index(2), steps - 3}) {
    stream.run(x.data() + t * batch * I, chunk, ys.data() + t * batch * O);
    t += chunk;
  }
  check_error(name + " streamed y", max_error(ys, expected.at("y").values), tol);
  check_error(name + " streamed h", max_error(stream.h(), expected.at("h_n").values), tol);
  if (spec.has_cell_state()) {
    check_error(name + " streamed c", max_error(stream.c(), expected.at("c_n").values), tol);
  }
  // One step at a time after a reset gives the same again.
  stream.reset();
  for (Index s = 0; s < steps; ++s) stream.step(x.data() + s * batch * I, ys.data() + s * batch * O);
  check_error(name + " stepped y", max_error(ys, expected.at("y").values), tol);
  // A failed call leaves the state alone.
  const std::vector<T> h_before = stream.h();
  LC_CHECK_THROWS(std::invalid_argument, stream.run(nullptr, 1, ys.data()), "must not be null");
  LC_CHECK(stream.h() == h_before);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <data directory>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  for (const char* name : {"ref_lstm_proj_peephole_bidir_bf_f64", "ref_gru_f64", "ref_rnn_relu_f64"}) {
    check_case<double>(dir, name, 1e-12);
    check_case<float>(dir, name, 1e-5);  // the file's float64 values converted to float
  }
  for (const char* name : {"ref_lstm_cifg_f32", "ref_gru_cho_f32"}) check_case<float>(dir, name, 1e-5);

  const auto model = lstmcore::Model<float>::load(dir + "/ref_gru_f64.lcw");
  std::vector<float> x(12), y(12);
  LC_CHECK_THROWS(std::invalid_argument, model.forward(x.data(), 0, 1, y.data()), "steps: expected >= 1, got 0");
  LC_CHECK_THROWS(std::invalid_argument, model.stream(0), "batch: expected >= 1, got 0");
  LC_CHECK_THROWS(std::invalid_argument, model.param("weight_hr_l0"), "no parameter named weight_hr_l0");
  LC_CHECK_EQ(model.param("weight_ih_l0").size(), std::size_t(3 * 2 * 3));
  LC_CHECK_THROWS(std::runtime_error, lstmcore::Model<float>::load(dir + "/missing.lcw"), "cannot open it");
  const auto copy = model;  // copies share the weights
  LC_CHECK_EQ(copy.params().entries[0].weight_ih, model.params().entries[0].weight_ih);
  return lstmcore_test::finish("test_model");
}
