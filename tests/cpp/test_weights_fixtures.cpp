// Reads the weights files written by Python (tests/cpp/data) and checks every field and value.
// Usage: test_weights_fixtures <data directory>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "check.hpp"
#include "lstmcore/weights_file.hpp"

namespace {

using lstmcore::WeightsDType;
using lstmcore::WeightsFile;
using lstmcore::Mode;
using lstmcore::RNNSpec;

// The formula of make_fixtures.py's fixture_value, in double (exact for these magnitudes).
double fixture_value(std::size_t param_index, std::int64_t element, WeightsDType dtype) {
  double magnitude = double(param_index + 1) + double(element) / 1024.0;
  if (dtype == WeightsDType::float64) magnitude += std::ldexp(1.0, -40);
  return element % 2 == 0 ? magnitude : -magnitude;
}

std::vector<unsigned char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void check_fixture(const std::string& dir, const std::string& name, const RNNSpec& spec,
                   WeightsDType dtype, std::size_t expected_count) {
  const std::string path = dir + "/" + name;
  const WeightsFile file = lstmcore::read_weights_file(path);
  LC_CHECK(file.spec == spec);
  LC_CHECK(file.dtype == dtype);
  const auto shapes = lstmcore::weights_param_shapes(spec);
  LC_CHECK_EQ(shapes.size(), expected_count);
  LC_CHECK_EQ(file.params.size(), shapes.size());
  for (std::size_t k = 0; k < file.params.size() && k < shapes.size(); ++k) {
    const lstmcore::WeightsArray& a = file.params[k];
    LC_CHECK_EQ(a.name, shapes[k].name);
    LC_CHECK(a.shape == shapes[k].shape);
    LC_CHECK(a.dtype == dtype);
    LC_CHECK_EQ(&file.at(a.name), &a);
    const std::vector<double> values = a.values<double>();
    LC_CHECK_EQ(static_cast<std::int64_t>(values.size()), a.numel());
    std::int64_t wrong = 0;
    for (std::int64_t j = 0; j < static_cast<std::int64_t>(values.size()); ++j) {
      double want = fixture_value(k, j, dtype);
      if (dtype == WeightsDType::float32) want = static_cast<float>(want);
      if (values[j] != want) ++wrong;
    }
    if (wrong) lstmcore_test::fail(__FILE__, __LINE__, name + ": wrong values in " + a.name);
  }
  // The C++ writer produces the very bytes Python wrote.
  LC_CHECK(lstmcore::write_weights_buffer(file) == read_bytes(path));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <directory of the .lcw fixtures>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];

  RNNSpec lstm;
  lstm.mode = Mode::lstm;
  lstm.input_size = 3;
  lstm.hidden_size = 4;
  lstm.num_layers = 2;
  lstm.bidirectional = true;
  lstm.proj_size = 2;
  lstm.peephole = true;
  lstm.batch_first = true;
  lstm.dropout = 0.25;
  // 2 layers x 2 directions x (ih, hh, 2 biases, hr, peephole)
  check_fixture(dir, "lstm_proj_peephole_bidir_f32.lcw", lstm, WeightsDType::float32, 24);
  {
    const WeightsFile f = lstmcore::read_weights_file(dir + "/lstm_proj_peephole_bidir_f32.lcw");
    LC_CHECK(f.at("weight_ih_l1_reverse").shape == (std::vector<std::int64_t>{16, 4}));
    LC_CHECK(f.at("weight_hh_l0").shape == (std::vector<std::int64_t>{16, 2}));
    LC_CHECK(f.at("weight_hr_l0").shape == (std::vector<std::int64_t>{2, 4}));
    LC_CHECK(f.at("weight_peephole_l1").shape == (std::vector<std::int64_t>{12}));
    LC_CHECK_EQ(f.at("weight_ih_l0").data<float>()[1], -(1.0f + 1.0f / 1024.0f));
  }

  RNNSpec cifg;
  cifg.mode = Mode::lstm;
  cifg.input_size = 2;
  cifg.hidden_size = 3;
  cifg.coupled = true;
  cifg.peephole = true;
  check_fixture(dir, "lstm_coupled_peephole_f64.lcw", cifg, WeightsDType::float64, 5);
  {
    const WeightsFile f = lstmcore::read_weights_file(dir + "/lstm_coupled_peephole_f64.lcw");
    LC_CHECK(f.at("weight_ih_l0").shape == (std::vector<std::int64_t>{9, 2}));
    LC_CHECK(f.at("weight_peephole_l0").shape == (std::vector<std::int64_t>{6}));
    LC_CHECK_EQ(f.at("weight_ih_l0").data<double>()[0], 1.0 + std::ldexp(1.0, -40));
  }

  RNNSpec gru;
  gru.mode = Mode::gru;
  gru.input_size = 2;
  gru.hidden_size = 3;
  gru.num_layers = 2;
  gru.bias = false;
  gru.linear_before_reset = false;
  check_fixture(dir, "gru_cho_nobias_f64.lcw", gru, WeightsDType::float64, 4);

  RNNSpec rnn;
  rnn.mode = Mode::rnn;
  rnn.input_size = 5;
  rnn.hidden_size = 2;
  rnn.nonlinearity = lstmcore::Nonlinearity::relu;
  check_fixture(dir, "rnn_relu_f32.lcw", rnn, WeightsDType::float32, 4);

  return lstmcore_test::finish("test_weights_fixtures");
}
