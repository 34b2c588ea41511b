// Reads the .expected.txt files of tests/cpp/data (make_fixtures.py's write_arrays format).
#pragma once

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "lstmcore/types.hpp"

namespace lstmcore_test {

struct Array {
  std::vector<lstmcore::Index> shape;
  std::vector<double> values;
};

inline std::map<std::string, Array> read_expected(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::map<std::string, Array> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream head(line);
    std::string name;
    int ndim = 0;
    head >> name >> ndim;
    Array a;
    std::size_t n = 1;
    for (int d = 0; d < ndim; ++d) {
      lstmcore::Index dim = 0;
      head >> dim;
      a.shape.push_back(dim);
      n *= static_cast<std::size_t>(dim);
    }
    if (!std::getline(in, line)) throw std::runtime_error(path + ": no values for " + name);
    std::istringstream values(line);
    double v;
    while (values >> v) a.values.push_back(v);
    if (a.values.size() != n) throw std::runtime_error(path + ": wrong value count for " + name);
    out[name] = a;
  }
  return out;
}

// max |a - b| / (1 + |b|) over the elements: the normalised error the tests bound.
template <class T>
double max_error(const std::vector<T>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return INFINITY;
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    worst = std::fmax(worst, std::fabs(double(a[i]) - b[i]) / (1.0 + std::fabs(b[i])));
  }
  return worst;
}

}  // namespace lstmcore_test
