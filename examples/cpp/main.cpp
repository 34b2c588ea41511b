// Loads a model saved from Python and runs it over an input, the way an embedded program would:
// one time step per call, the recurrent state carried between calls. Prints one line of outputs
// per step.
//
// Usage: lstmcore_example MODEL.lcw [INPUT.txt]
//   INPUT.txt: T rows of input_size numbers (one sequence). Without it a built-in signal runs.
#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <lstmcore/lstmcore.hpp>

namespace {

std::vector<float> read_numbers(const char* path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(std::string("cannot open input file ") + path);
  std::vector<float> values;
  for (float v; in >> v;) values.push_back(v);
  if (!in.eof()) throw std::runtime_error(std::string("input file ") + path + ": not a number");
  return values;
}

void print_row(const float* y, lstmcore::Index n) {
  for (lstmcore::Index k = 0; k < n; ++k) std::printf(k ? " %.9g" : "%.9g", double(y[k]));
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s MODEL.lcw [INPUT.txt]\n", argv[0]);
    return 2;
  }
  try {
    const auto model = lstmcore::Model<float>::load(argv[1]);
    const lstmcore::Index I = model.input_size(), O = model.output_size();
    std::vector<float> x;
    if (argc == 3) {
      x = read_numbers(argv[2]);
    } else {
      for (int t = 0; t < 8; ++t) {
        for (lstmcore::Index i = 0; i < I; ++i) x.push_back(std::sin(0.3f * t + float(i)));
      }
    }
    if (x.empty() || x.size() % I != 0) {
      throw std::runtime_error("the input must hold a multiple of input_size=" +
                               std::to_string(I) + " numbers");
    }
    const lstmcore::Index steps = static_cast<lstmcore::Index>(x.size()) / I;
    std::vector<float> y(static_cast<std::size_t>(steps * O));
    if (model.spec().bidirectional) {
      model.forward(x.data(), steps, 1, y.data());  // the reverse pass needs the whole sequence
    } else {
      auto stream = model.stream();  // batch 1, zero state
      for (lstmcore::Index t = 0; t < steps; ++t) stream.step(&x[t * I], &y[t * O]);
    }
    for (lstmcore::Index t = 0; t < steps; ++t) print_row(&y[t * O], O);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lstmcore_example: %s\n", e.what());
    return 1;
  }
  return 0;
}
