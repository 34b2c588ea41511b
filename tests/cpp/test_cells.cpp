// Cell steps through Model<double> against the textbook equations (DESIGN.md section 3) written
// out as scalar loops here, for every cell and flag; plus one value worked out by hand.
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "check.hpp"
#include "lstmcore/model.hpp"

namespace {

using lstmcore::Index;
using lstmcore::Mode;
using lstmcore::RNNSpec;
using Params = std::map<std::string, std::vector<double>>;

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// Deterministic, distinct weights so that a swapped gate or transposed matrix shows.
Params make_params(const RNNSpec& spec) {
  Params p;
  int counter = 0;
  for (const auto& s : lstmcore::weights_param_shapes(spec)) {
    std::vector<double>& v = p[s.name];
    Index n = 1;
    for (Index d : s.shape) n *= d;
    for (Index i = 0; i < n; ++i) v.push_back(0.6 * std::sin(1.7 * ++counter + 0.3));
  }
  return p;
}

lstmcore::Model<double> make_model(const RNNSpec& spec, const Params& params) {
  lstmcore::WeightsFile file;
  file.spec = spec;
  file.dtype = lstmcore::WeightsDType::float64;
  for (const auto& s : lstmcore::weights_param_shapes(spec)) {
    lstmcore::WeightsArray a;
    a.name = s.name;
    a.shape = s.shape;
    a.dtype = file.dtype;
    a.f64 = params.at(s.name);
    file.params.push_back(a);
  }
  return lstmcore::Model<double>(file);
}

// Row r of W [rows, cols] times v.
double row_dot(const std::vector<double>& W, Index r, Index cols, const std::vector<double>& v) {
  double s = 0.0;
  for (Index k = 0; k < cols; ++k) s += W[r * cols + k] * v[k];
  return s;
}

// W_i x + b_i + W_h h + b_h for gate block `gate`, unit j (biases optional).
double preact(const Params& p, const RNNSpec& spec, Index gate, Index j,
              const std::vector<double>& x, const std::vector<double>& h) {
  const Index H = spec.hidden_size;
  const Index r = gate * H + j;
  double s = row_dot(p.at("weight_ih_l0"), r, spec.input_size, x) +
             row_dot(p.at("weight_hh_l0"), r, spec.output_size(), h);
  if (spec.bias) s += p.at("bias_ih_l0")[r] + p.at("bias_hh_l0")[r];
  return s;
}

// One step of a single-layer unidirectional cell, written as in the textbooks.
void cell_step(const RNNSpec& spec, const Params& p, const std::vector<double>& x,
               std::vector<double>& h, std::vector<double>& c) {
  const Index H = spec.hidden_size;
  std::vector<double> h_new(h.size());
  if (spec.mode == Mode::rnn) {
    for (Index j = 0; j < H; ++j) {
      const double a = preact(p, spec, 0, j, x, h);
      h_new[j] = spec.nonlinearity == lstmcore::Nonlinearity::relu ? std::fmax(a, 0.0) : std::tanh(a);
    }
  } else if (spec.mode == Mode::gru) {
    for (Index j = 0; j < H; ++j) {
      const double r = sigmoid(preact(p, spec, 0, j, x, h));
      const double z = sigmoid(preact(p, spec, 1, j, x, h));
      const auto& Wi = p.at("weight_ih_l0");
      const auto& Wh = p.at("weight_hh_l0");
      const double bi = spec.bias ? p.at("bias_ih_l0")[2 * H + j] : 0.0;
      const double bh = spec.bias ? p.at("bias_hh_l0")[2 * H + j] : 0.0;
      double n_in = row_dot(Wi, 2 * H + j, spec.input_size, x) + bi;
      double n;
      if (spec.linear_before_reset) {
        n = std::tanh(n_in + r * (row_dot(Wh, 2 * H + j, H, h) + bh));
      } else {
        std::vector<double> rh(H);  // r of every unit times h
        for (Index k = 0; k < H; ++k) rh[k] = sigmoid(preact(p, spec, 0, k, x, h)) * h[k];
        n = std::tanh(n_in + row_dot(Wh, 2 * H + j, H, rh) + bh);
      }
      h_new[j] = (1.0 - z) * n + z * h[j];
    }
  } else {
    const bool cp = spec.coupled;
    const Index gi = 0, gf = cp ? 0 : 1, gg = cp ? 1 : 2, go = cp ? 2 : 3;
    const std::vector<double> none(3 * H, 0.0);
    const std::vector<double>& peep = spec.peephole ? p.at("weight_peephole_l0") : none;
    // Peephole rows: i, f, o; coupled: f, o.
    const Index pi = 0, pf = cp ? 0 : H, po = cp ? H : 2 * H;
    std::vector<double> c_new(H), m(H);
    for (Index j = 0; j < H; ++j) {
      const double f = sigmoid(preact(p, spec, gf, j, x, h) + peep[pf + j] * c[j]);
      const double i = cp ? 1.0 - f : sigmoid(preact(p, spec, gi, j, x, h) + peep[pi + j] * c[j]);
      const double g = std::tanh(preact(p, spec, gg, j, x, h));
      c_new[j] = f * c[j] + i * g;
      const double o = sigmoid(preact(p, spec, go, j, x, h) + peep[po + j] * c_new[j]);
      m[j] = o * std::tanh(c_new[j]);
    }
    if (spec.proj_size > 0) {
      for (Index k = 0; k < spec.proj_size; ++k) h_new[k] = row_dot(p.at("weight_hr_l0"), k, H, m);
    } else {
      h_new = m;
    }
    c = c_new;
  }
  h = h_new;
}

void check_cell(const std::string& label, const RNNSpec& spec) {
  const Params params = make_params(spec);
  const auto model = make_model(spec, params);
  const Index steps = 3, I = spec.input_size, P = spec.output_size();
  std::vector<double> x(static_cast<std::size_t>(steps * I));
  for (std::size_t k = 0; k < x.size(); ++k) x[k] = std::cos(0.9 * double(k) + 0.2);
  std::vector<double> y(static_cast<std::size_t>(steps * P));
  auto stream = model.stream();
  stream.run(x.data(), steps, y.data());

  std::vector<double> h(static_cast<std::size_t>(P), 0.0), c(static_cast<std::size_t>(spec.hidden_size), 0.0);
  double worst = 0.0;
  for (Index t = 0; t < steps; ++t) {
    const std::vector<double> xt(x.begin() + t * I, x.begin() + (t + 1) * I);
    cell_step(spec, params, xt, h, c);
    for (Index k = 0; k < P; ++k) worst = std::fmax(worst, std::fabs(y[t * P + k] - h[k]));
  }
  if (!(worst < 1e-13)) {
    lstmcore_test::fail(__FILE__, __LINE__, label + ": max error " + std::to_string(worst));
  }
}

RNNSpec spec_of(Mode mode, Index input, Index hidden) {
  RNNSpec s;
  s.mode = mode;
  s.input_size = input;
  s.hidden_size = hidden;
  return s;
}

}  // namespace

int main() {
  // Worked by hand: h1 = tanh(0.5 * 0.7 + 0.1 + 0.2) = tanh(0.65) = 0.5716699660851173
  {
    RNNSpec spec = spec_of(Mode::rnn, 1, 1);
    const auto model = make_model(spec, {{"weight_ih_l0", {0.5}}, {"weight_hh_l0", {-0.3}},
                                         {"bias_ih_l0", {0.1}}, {"bias_hh_l0", {0.2}}});
    const double x[2] = {0.7, -1.2};
    double y[2];
    model.forward(x, 2, 1, y);
    LC_CHECK(std::fabs(y[0] - 0.5716699660851173) < 1e-15);
    // h2 = tanh(0.5 * -1.2 + 0.3 - 0.3 * h1) = tanh(-0.4715009898255352)
    LC_CHECK(std::fabs(y[1] - std::tanh(-0.4715009898255352)) < 1e-15);
  }
  RNNSpec s;
  check_cell("rnn tanh", spec_of(Mode::rnn, 2, 3));
  s = spec_of(Mode::rnn, 2, 3);
  s.nonlinearity = lstmcore::Nonlinearity::relu;
  check_cell("rnn relu", s);
  s.bias = false;
  check_cell("rnn relu no bias", s);
  check_cell("lstm", spec_of(Mode::lstm, 2, 3));
  s = spec_of(Mode::lstm, 2, 3);
  s.peephole = true;
  check_cell("lstm peephole", s);
  s.coupled = true;
  check_cell("lstm coupled peephole", s);
  s.peephole = false;
  check_cell("lstm coupled", s);
  s = spec_of(Mode::lstm, 2, 3);
  s.proj_size = 2;
  check_cell("lstm projection", s);
  s.peephole = true;
  s.bias = false;
  check_cell("lstm projection peephole no bias", s);
  check_cell("gru", spec_of(Mode::gru, 2, 3));
  s = spec_of(Mode::gru, 2, 3);
  s.linear_before_reset = false;
  check_cell("gru linear_before_reset=false", s);
  return lstmcore_test::finish("test_cells");
}
